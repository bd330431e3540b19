import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ConfigProblem } from '../../src/config/config-path';
import { substituteEnv } from '../../src/config/substitute-env';

function run(value: unknown, env: NodeJS.ProcessEnv): { value: unknown; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  return { value: substituteEnv(value, env, problems), problems };
}

describe('substituteEnv', () => {
  const ok: Array<[string, string, NodeJS.ProcessEnv, string]> = [
    ['no reference', 'plain $text {x}', {}, 'plain $text {x}'],
    ['whole value', '${A}', { A: 'x' }, 'x'],
    ['inside text', 'pre-${A}-post', { A: 'x' }, 'pre-x-post'],
    ['two references', '${A}${B}', { A: '1', B: '2' }, '12'],
    ['set but empty', '${A}', { A: '' }, ''],
    ['default when unset', '${A:-d}', {}, 'd'],
    ['default when empty', '${A:-d}', { A: '' }, 'd'],
    ['value beats default', '${A:-d}', { A: 'x' }, 'x'],
    ['empty default', '${A:-}', {}, ''],
    ['default with : and -', '${A:-redis://h:1-2}', {}, 'redis://h:1-2'],
    ['escaped literal', '$${A} and ${A}', { A: 'x' }, '${A} and x'],
    ['value is not re-substituted', '${A}', { A: '${B}', B: 'no' }, '${B}'],
  ];
  test.each(ok)('%s', (_name, input, env, expected) => {
    expect(run(input, env)).toEqual({ value: expected, problems: [] });
  });

  test('walks lists and maps, substitutes values but not keys, keeps non-strings', () => {
    const got = run({ a: ['${A}', 1, true, null], '${A}': { b: '${A}' } }, { A: 'x' });
    expect(got).toEqual({ value: { a: ['x', 1, true, null], '${A}': { b: 'x' } }, problems: [] });
  });

  const bad: Array<[string, unknown, Array<[string, string]>]> = [
    [
      'unset variable, with its path',
      { users: [{ name: 'a' }, { email: '${MAIL}' }] },
      [['users[1].email', '${MAIL} is not set (set MAIL or MAIL_FILE, or write ${MAIL:-default})']],
    ],
    [
      'every unset variable',
      { a: '${X}', b: ['${Y}', '${Z:-ok}'] },
      [
        ['a', '${X} is not set (set X or X_FILE, or write ${X:-default})'],
        ['b[0]', '${Y} is not set (set Y or Y_FILE, or write ${Y:-default})'],
      ],
    ],
    ...['${1A}', '${A', '${}', '${A:b}', '${A-B}', 'x${ A }'].map(
      (v): [string, unknown, Array<[string, string]>] => [
        `invalid reference ${v}`,
        { k: v },
        [['k', 'invalid ${...} reference: write ${NAME} or ${NAME:-default} (NAME: letters, digits, _), or $${ for a literal ${']],
      ],
    ),
  ];
  test.each(bad)('problem: %s', (_name, input, expected) => {
    expect(run(input, {}).problems.map((p) => [p.path, p.message])).toEqual(expected);
  });

  describe('*_FILE secrets', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'alertgw-env-'));
      writeFileSync(path.join(dir, 'lf'), 'from-file\n');
      writeFileSync(path.join(dir, 'crlf'), 'from-file\r\n');
      writeFileSync(path.join(dir, 'bare'), 'from-file');
      writeFileSync(path.join(dir, 'inner'), 'two\nlines\n');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    const cases: Array<[string, string, (dir: string) => NodeJS.ProcessEnv, string]> = [
      ['trailing LF trimmed', '${S}', (d) => ({ S_FILE: path.join(d, 'lf') }), 'from-file'],
      ['trailing CRLF trimmed', '${S}', (d) => ({ S_FILE: path.join(d, 'crlf') }), 'from-file'],
      ['no trailing newline', '${S}', (d) => ({ S_FILE: path.join(d, 'bare') }), 'from-file'],
      ['inner newline kept', '${S}', (d) => ({ S_FILE: path.join(d, 'inner') }), 'two\nlines'],
      ['file beats default', '${S:-d}', (d) => ({ S_FILE: path.join(d, 'lf') }), 'from-file'],
      ['empty variable falls back to the file', '${S}', (d) => ({ S: '', S_FILE: path.join(d, 'lf') }), 'from-file'],
    ];
    test.each(cases)('%s', (_name, input, env, expected) => {
      expect(run({ k: input }, env(dir))).toEqual({ value: { k: expected }, problems: [] });
    });

    test('both NAME and NAME_FILE set is a problem that shows neither value', () => {
      const got = run({ a: { b: '${S}' } }, { S: 'direct-secret', S_FILE: path.join(dir, 'lf') });
      expect(got.problems).toEqual([{ path: 'a.b', message: 'both S and S_FILE are set; set only one' }]);
      expect(JSON.stringify(got)).not.toContain('direct-secret');
    });

    test.each([
      ['a directory', (d: string) => d, 'is not a regular file'],
      ['a character device (/dev/zero would never end)', () => '/dev/zero', 'is not a regular file'],
      ['a file over 64 KiB', (d: string) => path.join(d, 'huge'), 'is larger than 64 KiB'],
    ])('%s is refused with a reason, without reading it', (_name, file, reason) => {
      writeFileSync(path.join(dir, 'huge'), 'x'.repeat(64 * 1024 + 1));
      const got = run({ k: '${S}' }, { S_FILE: file(dir) });
      expect(got.problems).toEqual([{ path: 'k', message: `S_FILE=${file(dir)} ${reason}` }]);
    });

    test('a FIFO nobody writes to does not hold the start', () => {
      const fifo = path.join(dir, 'fifo');
      execFileSync('mkfifo', [fifo]);
      expect(run({ k: '${S}' }, { S_FILE: fifo }).problems).toEqual([{ path: 'k', message: `S_FILE=${fifo} is not a regular file` }]);
    });

    test('an unreadable file is a problem naming the file, not the content', () => {
      const missing = path.join(dir, 'missing');
      const got = run({ k: '${S}' }, { S_FILE: missing });
      expect(got.problems).toEqual([{ path: 'k', message: `S_FILE=${missing} cannot be read (ENOENT)` }]);
    });
  });
});
