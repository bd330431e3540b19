import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EXAMPLE_CONFIG_PATH, loadConfig, resolveConfigPath } from '../../src/config/load-config';
import { CONFIG_SCHEMA } from '../../src/config/schema';
import { GatewayError } from '../../src/errors';

let dir: string;
let empty: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'alertgw-cfg-'));
  empty = mkdtempSync(path.join(tmpdir(), 'alertgw-empty-'));
  writeFileSync(path.join(dir, 'config.yaml'), 'log: { level: warn }\n');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(empty, { recursive: true, force: true });
});

function thrown(fn: () => unknown): GatewayError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).code).toBe('CONFIG_INVALID');
    return err as GatewayError;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('resolveConfigPath', () => {
  const cases: Array<[string, string[], NodeJS.ProcessEnv, 'dir' | 'empty', string]> = [
    ['--config <path>, relative to cwd', ['--config', 'a.yaml'], {}, 'dir', 'DIR/a.yaml'],
    ['--config=<path>', ['--config=/etc/ag.yaml'], {}, 'dir', '/etc/ag.yaml'],
    ['argv beats $CONFIG', ['node', 'main.js', '--config', 'b.yaml'], { CONFIG: '/env.yaml' }, 'dir', 'DIR/b.yaml'],
    ['$CONFIG beats ./config.yaml', [], { CONFIG: 'env.yaml' }, 'dir', 'DIR/env.yaml'],
    ['./config.yaml when it exists', ['--verbose'], {}, 'dir', 'DIR/config.yaml'],
    ['empty $CONFIG is ignored', [], { CONFIG: '' }, 'dir', 'DIR/config.yaml'],
    ['the example when nothing else', [], {}, 'empty', EXAMPLE_CONFIG_PATH],
  ];
  test.each(cases)('%s', (_name, argv, env, cwd, expected) => {
    const base = cwd === 'dir' ? dir : empty;
    expect(resolveConfigPath(argv, env, base)).toBe(expected.replace('DIR', dir));
  });

  test.each([[['--config']], [['--config', '--verbose']], [['--config=']]])('%j without a path is an error', (argv) => {
    expect(thrown(() => resolveConfigPath(argv, {}, dir)).message).toMatch(/--config needs a path/);
  });

  test('the example path points at the repository file', () => {
    expect(EXAMPLE_CONFIG_PATH).toBe(path.resolve(__dirname, '../../../../config.example.yaml'));
  });
});

describe('loadConfig', () => {
  test('config.example.yaml loads as-is with an empty environment: sink mail, dry-run SMS', () => {
    const { config, path: file } = loadConfig({ argv: [], env: {}, cwd: empty });
    expect(file).toBe(EXAMPLE_CONFIG_PATH);
    expect(config.email.transport).toBe('sink');
    expect(config.sms.tencent.secretId).toBe('');
    expect(config.sms.tencent.secretKey).toBe('');
    expect(config.mandatory).toEqual(['group:ops']);
    expect(config.users.length).toBeGreaterThanOrEqual(2);
    expect(config.routes.some((r) => r.matchers.includes('team="db"') && r.notify.includes('group:dba'))).toBe(true);
    expect(config.sms.templates.domestic.params.map((p) => p.expr)).toContain('<%= alertname %>');
    expect(config.ingest.listen.port).toBe(9097);
    expect(config.log.level).toBe('info');
  });

  test('config.example.yaml takes its overrides from the environment', () => {
    const env = { LOG_LEVEL: 'debug', INGEST_PORT: '19097', TENCENT_SECRET_ID: 'id', TENCENT_SECRET_KEY: 'key' };
    const { config } = loadConfig({ argv: [], env, cwd: empty });
    expect(config.log.level).toBe('debug');
    expect(config.ingest.listen.port).toBe(19097);
    expect(config.sms.tencent).toMatchObject({ secretId: 'id', secretKey: 'key' });
  });

  test('config.example.yaml mentions every key of the schema', () => {
    const text = readFileSync(EXAMPLE_CONFIG_PATH, 'utf8');
    const keys = new Set<string>();
    const walk = (schema: any): void => {
      if (schema.items) walk(schema.items);
      if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties);
      for (const [k, sub] of Object.entries<any>(schema.properties ?? {})) {
        keys.add(k);
        walk(sub);
      }
    };
    walk(CONFIG_SCHEMA);
    const missing = [...keys].filter((k) => !new RegExp(`\\b${k}\\b`).test(text));
    expect(missing).toEqual([]);
  });

  test('reads the file named by --config, with ${VAR} and *_FILE substitution', () => {
    const secret = path.join(dir, 'smtp-password');
    writeFileSync(secret, 'from-a-file\n');
    const file = path.join(dir, 'custom.yaml');
    writeFileSync(
      file,
      [
        'users:',
        '  - { name: alice, email: alice@example.com, phone: "+8613800000000", groups: [ops] }',
        'mandatory: [group:ops]',
        'ingest:',
        '  listen: { port: "${PORT:-9000}" }',
        'email:',
        '  transport: smtp',
        '  smtp:',
        '    host: ${SMTP_HOST}',
        '    auth: { user: alerts, pass: "${SMTP_PASSWORD}" }',
      ].join('\n'),
    );
    const { config, path: got } = loadConfig({
      argv: [`--config=${file}`],
      env: { SMTP_HOST: 'smtp.example.com', SMTP_PASSWORD_FILE: secret },
      cwd: empty,
    });
    expect(got).toBe(file);
    expect(config.ingest.listen.port).toBe(9000);
    expect(config.email.smtp).toMatchObject({ host: 'smtp.example.com', auth: { user: 'alerts', pass: 'from-a-file' } });
  });

  test('$CONFIG and ./config.yaml are honoured', () => {
    expect(loadConfig({ argv: [], env: {}, cwd: dir }).config.log.level).toBe('warn');
    const other = path.join(dir, 'other.yaml');
    writeFileSync(other, 'log: { level: error }\n');
    expect(loadConfig({ argv: [], env: { CONFIG: 'other.yaml' }, cwd: dir }).config.log.level).toBe('error');
  });

  test('problems name the file and list every problem', () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'users:\n  - name: alice\n    phone: +8613800000000\nlog: { level: loud }\nsms: { tencent: { secretKey: hunter2 } }\n');
    const err = thrown(() => loadConfig({ argv: ['--config', file], env: {}, cwd: dir }));
    expect(err.message.split('\n')).toEqual([
      `invalid configuration in ${file} (3 problems):`,
      '  log.level: must be one of: "error", "warn", "info", "debug"',
      '  sms.tencent.secretKey: must come from an environment variable (${NAME} or NAME_FILE), not the file',
      '  users[0].phone: must be E.164 like "+8613800000000" (quote it in YAML, or the "+" is lost)',
    ]);
    expect(err.message).not.toContain('hunter2');
  });

  test('YAML syntax errors are listed with line and column, without quoting the file', () => {
    const file = path.join(dir, 'broken.yaml');
    writeFileSync(file, 'sms:\n  tencent:\n    secretKey: "hunter2\nlog: { level: info\nlog: x\n');
    const err = thrown(() => loadConfig({ argv: ['--config', file], env: {}, cwd: dir }));
    expect(err.message).toMatch(new RegExp(`^invalid configuration in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ problems?\\):`));
    expect(err.message).toMatch(/\n {2}line \d+, column \d+: /);
    expect(err.message).not.toContain('hunter2');
  });

  test('duplicate keys are an error, not a silent override', () => {
    const file = path.join(dir, 'dup.yaml');
    writeFileSync(file, 'log: { level: info }\nlog: { level: debug }\n');
    expect(thrown(() => loadConfig({ argv: ['--config', file], env: {}, cwd: dir })).message).toMatch(/line 2, column 1: .*[Uu]nique/);
  });

  test('an empty file is the all-defaults config', () => {
    const file = path.join(dir, 'empty.yaml');
    writeFileSync(file, '# nothing yet\n');
    expect(loadConfig({ argv: ['--config', file], env: {}, cwd: dir }).config.ingest.listen.port).toBe(9097);
  });

  test('a missing file is CONFIG_INVALID naming it', () => {
    const file = path.join(dir, 'nope.yaml');
    expect(thrown(() => loadConfig({ argv: ['--config', file], env: {}, cwd: dir })).message).toBe(
      `cannot read config file ${file} (ENOENT)`,
    );
  });
});
