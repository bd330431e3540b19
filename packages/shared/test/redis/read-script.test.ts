import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readScript } from '../../src/redis/read-script';

describe('readScript (--@include, --@function)', () => {
  let dir: string;
  let includes: string;
  const write = (rel: string, text: string) => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
    return path.join(dir, rel);
  };
  const count = (text: string, needle: string) => text.split(needle).length - 1;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'read-script-'));
    includes = path.join(dir, 'includes');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('puts a fragment first, once, however often it is asked for (directly, nested, through a --@function script)', () => {
    write('includes/clock.lua', 'local function clock() return 1 end');
    write('includes/stamp.lua', '--@include "includes/clock.lua"\nlocal function stamp() return clock() end');
    write('sub-1.lua', '--@include "includes/clock.lua"\n--@include "includes/stamp.lua"\nreturn stamp()');
    const main = write(
      'main-1.lua',
      '--@include "includes/stamp.lua"\n--@include "includes/clock.lua"\n--@function sub = sub-1.lua\nreturn sub(KEYS, ARGV) + clock()',
    );
    const lua = readScript(main, includes);
    expect(count(lua, 'local function clock()')).toBe(1);
    expect(count(lua, 'local function stamp()')).toBe(1);
    // Dependency order: clock before stamp (which calls it), both before the script and its function.
    expect(lua.indexOf('local function clock()')).toBeLessThan(lua.indexOf('local function stamp()'));
    expect(lua.indexOf('local function stamp()')).toBeLessThan(lua.indexOf('local function sub(KEYS, ARGV)'));
    expect(lua).toContain('local function sub(KEYS, ARGV)\n\n\nreturn stamp()\nend');
    expect(lua).not.toMatch(/^--@/m);
  });

  test('a missing include is an error naming the script and the file', () => {
    const main = write('main-1.lua', '--@include "includes/nope.lua"\nreturn 1');
    expect(() => readScript(main, includes)).toThrow(/main-1\.lua: --@include "includes\/nope\.lua": no such file .*nope\.lua/);
  });

  test('a missing include inside an include names the include that asked', () => {
    write('includes/a.lua', '--@include "includes/gone.lua"\nlocal function a() end');
    const main = write('main-1.lua', '--@include "includes/a.lua"\nreturn 1');
    expect(() => readScript(main, includes)).toThrow(/includes\/a\.lua: --@include "includes\/gone\.lua": no such file/);
  });

  test('a cycle is an error that shows it', () => {
    write('includes/a.lua', '--@include "includes/b.lua"\nlocal function a() end');
    write('includes/b.lua', '--@include "includes/a.lua"\nlocal function b() end');
    const main = write('main-1.lua', '--@include "includes/a.lua"\nreturn 1');
    expect(() => readScript(main, includes)).toThrow('Lua include cycle: a.lua -> b.lua -> a.lua');
  });

  test('an include of itself is a cycle too', () => {
    write('includes/a.lua', '--@include "includes/a.lua"\nlocal function a() end');
    const main = write('main-1.lua', '--@include "includes/a.lua"\nreturn 1');
    expect(() => readScript(main, includes)).toThrow('Lua include cycle: a.lua -> a.lua');
  });

  test('a misspelt directive, or a path outside includes/, is refused rather than left as a comment', () => {
    expect(() => readScript(write('a-1.lua', '--@include includes/x.lua\nreturn 1'), includes)).toThrow(/unknown directive/);
    expect(() => readScript(write('b-1.lua', '--@include "../x.lua"\nreturn 1'), includes)).toThrow(/unknown directive/);
    expect(() => readScript(write('c-1.lua', '--@inclde "includes/x.lua"\nreturn 1'), includes)).toThrow(/unknown directive/);
  });

  test('--@function only at the top level, and a missing function script is named', () => {
    write('includes/f.lua', '--@function g = ../g-1.lua\nlocal function f() end');
    expect(() => readScript(write('a-1.lua', '--@include "includes/f.lua"\nreturn 1'), includes)).toThrow(/includes\/f\.lua: only a top-level script/);
    expect(() => readScript(write('b-1.lua', '--@function g = gone-1.lua\nreturn 1'), includes)).toThrow(/--@function g = gone-1\.lua: no such file/);
  });
});
