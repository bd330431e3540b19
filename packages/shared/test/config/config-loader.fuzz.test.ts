import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { EXAMPLE_CONFIG_PATH, loadConfig } from '../../src/config/load-config';
import { SECRET_KEYS } from '../../src/config/secret-keys';
import { GatewayError } from '../../src/errors';
import { FuzzTally, fuzzSeed, hostileString } from '@alertgw/testkit';

const SEED = fuzzSeed();
/** A load parses YAML (~20 ms on a busy machine): 2,000 cases take about a minute. */
const CASES = Number(process.env.FUZZ_CONFIG_CASES ?? 2_000);
/**
 * A load is synchronous: a "hang" shows as a load slower than this. A load takes ~20 ms; the
 * margin is for a machine busy with other tests (4 s pauses were seen there, not reproducible).
 */
const MAX_LOAD_MS = 10_000;
/** The secret's value (and its file's content) carries this, so a secret that leaks into an error is found. */
const MARK = 'SECRETVALUE';
/** The variable only secret fields reference. */
const SECRET_VAR = 'ALERTGW_FUZZ_SECRET';

type Tree = Record<string, unknown>;
const example = parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as Tree;

/** Every path into the tree (object keys and array indexes), the root included. */
function pathsOf(value: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  const out = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...at, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...at, k]));
  return out;
}
const PATHS = pathsOf(example).filter((p) => p.length > 0);

/** Sets an own property even for "__proto__" (plain assignment would change the prototype). */
function setOwn(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const VAR_NAMES = ['INGEST_TOKEN', 'SMTP_PASSWORD', 'LOG_LEVEL', 'INGEST_PORT', 'ALERTGW_JWT_SECRET', 'REDIS_URL', 'X', '_', 'constructor', 'toString', '__proto__', 'hasOwnProperty'];

/** `${...}` references, good and broken, as config values. */
const reference = fc.oneof(
  fc.tuple(fc.constantFrom(...VAR_NAMES), fc.option(hostileString({ maxLength: 300 }), { nil: undefined })).map(([n, d]) => (d === undefined ? `\${${n}}` : `\${${n}:-${d.replace(/}/g, '')}}`)),
  fc.constantFrom('${', '${}', '${A-B}', '${1X}', '$${X}', '${X:-${Y}}', '${X:-}', '${X', '$${', 'a${X}b${Y}c', '${X:=y}', '${X:?err}'),
);

/** A hostile value for any place in the tree. */
const value: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString({ maxLength: 20_000 }) },
  { weight: 3, arbitrary: reference },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 2 ** 53, 1e308, -0)) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 500 }).map((d) => Array.from({ length: d }).reduce<unknown>((v) => ({ a: v }), 'x')) },
);

/** One edit of the example config: replace, delete or add (hostile keys included) at a path. */
const edit = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('set', 'delete', 'add'), fc.constantFrom(...PATHS), hostileString({ maxLength: 200 }), value) },
  // A secret field filled from the secret variable, the way a deployment does it.
  { weight: 1, arbitrary: fc.constantFrom(...SECRET_KEYS).map((p) => ['secret', p.map((k) => (k === '*' ? 0 : k)), '', `\${${SECRET_VAR}}`] as [string, Array<string | number>, string, unknown]) },
);

function applyEdits(edits: Array<[string, Array<string | number>, string, unknown]>): unknown {
  const tree = structuredClone(example);
  for (const [how, at, key, v] of edits) {
    let parent: unknown = tree;
    for (const step of at.slice(0, -1)) {
      // Secret paths may lead through sections the example leaves out (email.http, alertmanager.basic).
      if (how === 'secret' && parent !== null && typeof parent === 'object' && (parent as Tree)[step as string] === undefined) {
        setOwn(parent as Tree, step, typeof step === 'number' ? [] : {});
      }
      parent = parent !== null && typeof parent === 'object' ? (parent as Tree)[step as string] : undefined;
    }
    if (parent === null || typeof parent !== 'object') continue;
    const last = at[at.length - 1]!;
    const target = parent as Record<string | number, unknown>;
    if (how === 'set' || how === 'secret') setOwn(target, last, v);
    if (how === 'delete') delete target[last];
    const child = target[last];
    if (how === 'add' && child !== null && typeof child === 'object' && !Array.isArray(child)) setOwn(child as Tree, key, v);
  }
  return tree;
}

/** YAML-only trouble: alias bombs, tags, merge keys, duplicate keys, tabs, BOM, NUL, bad UTF-8, several documents. */
const RAW_YAML = [
  'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n',
  'log: !!js/function "function(){}"\n',
  'log: !!binary aGVsbG8=\n',
  'users: !!set { a, b }\n',
  'base: &b { level: warn }\nlog:\n  <<: *b\n',
  'log: { level: warn }\nlog: { level: info }\n',
  'log:\n\tlevel: warn\n',
  '\ufefflog: { level: warn }\n',
  'log: { level: "a\u0000b" }\n',
  '--- \nlog: {}\n---\nlog: {}\n',
  '? [complex, key]\n: value\n',
  '__proto__: { polluted: yes }\nconstructor: { prototype: { polluted: yes } }\n',
  'log: *undefined_alias\n',
  `log: { level: "${'x'.repeat(100_000)}" }\n`,
  `${'['.repeat(5000)}${']'.repeat(5000)}\n`,
  'users: [{ name: a, email: "${SMTP_PASSWORD}", phone: "${SMTP_PASSWORD}" }]\n',
  'redis: { keyPrefix: "${SMTP_PASSWORD}" }\n',
  '',
  '~\n',
  '"just a string"\n',
  '- a list\n',
];

/** The file's bytes: the edited tree as YAML or JSON, raw YAML trouble, or random bytes. */
const document = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.array(edit, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([e, json]) => { const t = applyEdits(e); return Buffer.from(json ? JSON.stringify(t) : stringify(t)); }) },
  { weight: 2, arbitrary: fc.constantFrom(...RAW_YAML).map((t) => Buffer.from(t)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...RAW_YAML), fc.array(edit, { maxLength: 2 })).map(([raw, e]) => Buffer.from(`${stringify(applyEdits(e))}${raw}`)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
).map((bytes) => ({ bytes, [fc.toStringMethod]: () => JSON.stringify(bytes.length > 1200 ? `${bytes.toString('latin1', 0, 200)} … ${bytes.toString('latin1', bytes.length - 1000)}` : bytes.toString('latin1')) }));

describe('config loader fuzz', () => {
  let dir: string;
  /** Files *_FILE variables may name: hostile contents, a directory, a missing file. */
  let secretFiles: string[];
  const tally = new FuzzTally('config-loader', SEED);

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'alertgw-cfg-fuzz-'));
    const contents = ['', '\n', `${MARK}-file\n\n`, `${MARK}\u0000\r\n`, `${MARK}${'s'.repeat(1 << 20)}`, `${MARK}\ud800`, `${MARK}\${X}`];
    secretFiles = contents.map((c, i) => {
      const file = path.join(dir, `secret-${i}`);
      writeFileSync(file, c);
      return file;
    });
    mkdirSync(path.join(dir, 'a-directory'));
    secretFiles.push(path.join(dir, 'a-directory'), path.join(dir, 'missing'), '', '\u0000');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** An environment: variables with hostile values, *_FILE variables, and the (marked) secret. */
  const environment = () =>
    fc.tuple(
      fc.array(fc.tuple(fc.constantFrom(...VAR_NAMES), hostileString({ maxLength: 2_000 })), { maxLength: 5 }),
      fc.array(fc.tuple(fc.constantFrom(...VAR_NAMES), fc.nat(secretFiles.length - 1)), { maxLength: 3 }),
      fc.record({ value: hostileString({ maxLength: 2_000 }), file: fc.option(fc.nat(secretFiles.length - 1), { nil: undefined }) }),
    ).map(([vars, files, secret]) => {
      const env: NodeJS.ProcessEnv = {};
      for (const [name, v] of vars) setOwn(env, name, v);
      for (const [name, i] of files) setOwn(env, `${name}_FILE`, secretFiles[i]);
      if (secret.file === undefined) setOwn(env, SECRET_VAR, `${MARK}${secret.value}`);
      else setOwn(env, `${SECRET_VAR}_FILE`, secretFiles[secret.file]);
      return env;
    });

  it(`loads ${CASES} generated config files to a config or a CONFIG_INVALID listing the problems`, () => {
    let n = 0;
    const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
    const check = ({ bytes }: { bytes: Buffer }, env: NodeJS.ProcessEnv) => {
      const file = path.join(dir, `config-${n++ % 50}.yaml`);
      writeFileSync(file, bytes);
      const started = Date.now();
      let outcome: string;
      let loaded: unknown;
      try {
        loaded = loadConfig({ argv: ['--config', file], env, cwd: dir }).config;
        outcome = 'config';
      } catch (err) {
        if (!(err instanceof GatewayError) || err.code !== 'CONFIG_INVALID') throw new Error(`not CONFIG_INVALID: ${String(err)}`, { cause: err });
        const problems = err.details?.problems as Array<{ path: unknown; message: unknown }> | undefined;
        expect(Array.isArray(problems) && problems.length > 0).toBe(true);
        for (const p of problems!) expect([typeof p.path, typeof p.message]).toEqual(['string', 'string']);
        // Problems name variables, never their values (they may be secrets).
        expect(err.message).not.toContain(MARK);
        outcome = 'CONFIG_INVALID';
      }
      // A variable named like an Object member must not be "set" by Object.prototype.
      if (loaded !== undefined) expect(JSON.stringify(loaded)).not.toContain('[native code]');
      const took = Date.now() - started;
      if (took > MAX_LOAD_MS) throw new Error(`a load took ${took} ms`);
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
      expect(({} as Tree).polluted).toBeUndefined();
      tally.add(outcome);
    };
    try {
      // FUZZ_PATH (printed with a failure) replays one counterexample.
      fc.assert(fc.property(document, environment(), check), { seed: SEED, numRuns: CASES, path: process.env.FUZZ_PATH });
    } finally {
      tally.summary();
    }
    // Both outcomes must have happened, or the generators test nothing.
    expect(tally.count('config')).toBeGreaterThan(0);
    expect(tally.count('CONFIG_INVALID')).toBeGreaterThan(0);
  }, 300_000);
});
