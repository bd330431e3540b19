import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REDIS_COMMANDS, redisAclRules } from '../../packages/alertctl/src/redis-acl-rules';

const PACKAGES = path.resolve(__dirname, '../../packages');

/** Every .lua file under the packages' src folders. */
function luaFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : luaFiles(full);
    return e.name.endsWith('.lua') && full.includes(`${path.sep}src${path.sep}`) ? [full] : [];
  });
}

describe('the least-privilege ACL rules', () => {
  test('grant every command a Lua script calls (a new one fails here before it fails in production)', () => {
    const files = luaFiles(PACKAGES);
    expect(files.length).toBeGreaterThan(10);
    const called = new Set<string>();
    for (const file of files) {
      for (const m of readFileSync(file, 'utf8').matchAll(/redis\.p?call\(\s*(['"])([A-Za-z]+)\1/g)) called.add(m[2].toLowerCase());
      // A command name that is not a literal could be anything: the list could not be checked.
      expect(readFileSync(file, 'utf8')).not.toMatch(/redis\.p?call\(\s*[^'"\s]/);
    }
    expect([...called].filter((c) => !REDIS_COMMANDS.includes(c))).toEqual([]);
  });

  test('the line for prefix "ag": the two hash tags, their channels, nothing else', () => {
    const rules = redisAclRules('ag');
    expect(rules.startsWith('on ~{ag}* ~{ag:directory}* resetchannels &{ag}* &{ag:directory}* -@all +ping +info ')).toBe(true);
    expect(rules).not.toMatch(/[~&]\*|\+@/);
  });
});
