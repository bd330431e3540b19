import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isLoopbackHost, isPlaceholderSecret, loadConfig, type GatewayConfig } from '@alertgw/shared';
import { findTool, interpolate, readEnvFile, readYaml, repo, ROOT, runTool, strings, trackedFiles } from './support';

// docker-compose.yml cannot be run here (no Docker engine); this checks everything that can
// be checked without one: structure, referenced files, healthchecks, and that the configs it
// mounts pass the real loaders (ours, and amtool when installed).

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string; args?: Record<string, string> };
  command?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
  secrets?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean };
  deploy?: { replicas?: number };
  container_name?: string;
  env_file?: string | string[];
}

interface ComposeFile {
  services: Record<string, Service>;
  secrets?: Record<string, { file?: string }>;
  volumes?: Record<string, unknown>;
}

const compose = readYaml<ComposeFile>(repo('docker-compose.yml'));
const services = compose.services;
const GATEWAY = ['ingest', 'notifier-email', 'notifier-sms', 'notifier-chat'];
/** The environment a user has after a fresh clone: nothing set, every default applies. */
const NO_ENV: Record<string, string> = {};
const MAKE_SECRETS = repo('deploy', 'compose', 'make-secrets.sh');

/** Runs make-secrets.sh against `root` (a stand-in for the repository) and returns its output. */
function makeSecrets(root: string): string {
  const r = spawnSync('sh', [MAKE_SECRETS, root], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make-secrets.sh failed: ${r.stderr}`);
  return r.stdout;
}

/** What a deployer has after the documented one-liner: generated secrets in a copy of the layout. */
const GENERATED = mkdtempSync(path.join(tmpdir(), 'compose-secrets-'));
makeSecrets(GENERATED);
/** The host environment compose sees then: .env, as compose reads it. */
const HOST_ENV = readEnvFile(path.join(GENERATED, '.env'));
afterAll(() => rmSync(GENERATED, { recursive: true, force: true }));

/** A service's environment as the container sees it with `host` on the host. */
function containerEnv(name: string, host: Record<string, string> = HOST_ENV): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(services[name].environment ?? {})) env[k] = interpolate(String(v), host);
  return env;
}

/** Short-syntax volume "source:target[:mode]" split; named volumes have no "./" source. */
function mounts(name: string): Array<{ source: string; target: string; bind: boolean }> {
  return (services[name].volumes ?? []).map((v) => {
    const [source, target] = v.split(':');
    return { source, target, bind: source.startsWith('.') || source.startsWith('/') };
  });
}

/**
 * Host file of a container path, following bind mounts and file secrets of that service.
 * Secret files are not in the repository: they are looked up where make-secrets.sh put them
 * (`secretsRoot`, the repository for a deployer, GENERATED here).
 */
function hostFile(name: string, containerPath: string, secretsRoot = GENERATED): string | undefined {
  const bind = mounts(name).find((m) => m.bind && m.target === containerPath);
  if (bind) return path.resolve(ROOT, bind.source);
  const secret = (services[name].secrets ?? []).find((s) => `/run/secrets/${s}` === containerPath);
  const file = secret ? compose.secrets?.[secret]?.file : undefined;
  return file ? path.resolve(secretsRoot, file) : undefined;
}

/** The gateway config as `name` loads it inside its container. */
function gatewayConfig(name: string, secretsRoot = GENERATED): GatewayConfig {
  const env = containerEnv(name);
  // *_FILE variables name container paths; point them at the files compose mounts there.
  for (const [k, v] of Object.entries(env)) if (k.endsWith('_FILE')) env[k] = hostFile(name, v, secretsRoot) ?? v;
  return loadConfig({ argv: ['--config', hostFile(name, env.CONFIG)!], env, cwd: ROOT }).config;
}

describe('docker-compose.yml', () => {
  it('has the stack of the design card', () => {
    expect(Object.keys(services).sort()).toEqual(['alertmanager', 'ingest', 'mailpit', 'notifier-chat', 'notifier-email', 'notifier-sms', 'prometheus', 'redis']);
    expect(services.alertmanager.image).toMatch(/^prom\/alertmanager:/);
    expect(services.prometheus.image).toMatch(/^prom\/prometheus:/);
    expect(services.mailpit.image).toMatch(/^axllent\/mailpit:/);
  });

  it('gives every service a healthcheck', () => {
    for (const [name, svc] of Object.entries(services)) {
      expect({ name, disabled: svc.healthcheck?.disable ?? false, hasTest: (svc.healthcheck?.test?.length ?? 0) > 0 }).toEqual({ name, disabled: false, hasTest: true });
    }
  });

  it('only references files that exist, and declares every named volume and secret', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (svc.build) {
        const context = path.resolve(ROOT, svc.build.context);
        expect(statSync(context).isDirectory()).toBe(true);
        expect(existsSync(path.join(context, svc.build.dockerfile ?? 'Dockerfile'))).toBe(true);
      }
      for (const m of mounts(name)) {
        if (m.bind) expect({ name, source: m.source, exists: existsSync(path.resolve(ROOT, m.source)) }).toEqual({ name, source: m.source, exists: true });
        else expect(Object.keys(compose.volumes ?? {})).toContain(m.source);
      }
      for (const s of svc.secrets ?? []) expect(Object.keys(compose.secrets ?? {})).toContain(s);
      for (const f of [svc.env_file ?? []].flat()) expect(existsSync(path.resolve(ROOT, f))).toBe(true);
      for (const dep of Object.keys(svc.depends_on ?? {})) expect(Object.keys(services)).toContain(dep);
    }
    // Secret files are the deployer's: make-secrets.sh creates every one compose names.
    for (const [name, secret] of Object.entries(compose.secrets ?? {})) {
      expect({ name, file: secret.file, generated: secret.file !== undefined && existsSync(path.resolve(GENERATED, secret.file)) }).toEqual({ name, file: expect.any(String), generated: true });
    }
  });

  it('ships no secret: the repository tracks no secret file, and compose names no default password', () => {
    const secretFiles = Object.values(compose.secrets ?? {}).map((s) => path.relative(ROOT, path.resolve(ROOT, s.file!)));
    const tracked = trackedFiles('deploy/compose/secrets');
    for (const file of secretFiles) expect(tracked).not.toContain(file);
    expect(tracked).toEqual(['deploy/compose/secrets/.gitignore']);
    for (const [where, value] of strings(services)) expect({ where, placeholder: isPlaceholderSecret(interpolate(value, NO_ENV)) }).toEqual({ where, placeholder: false });
  });

  it('make-secrets.sh generates random secrets once and keeps them on a second run', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'compose-secrets-again-'));
    try {
      makeSecrets(root);
      const read = () => ['deploy/compose/secrets/ingest-token', 'deploy/compose/secrets/jwt-secret', '.env'].map((f) => readFileSync(path.join(root, f), 'utf8'));
      const first = read();
      expect(makeSecrets(root)).toMatch(/^kept {6}.*\n.*\n.*\n$/);
      expect(read()).toEqual(first);
      // Different roots, different secrets: nothing is a constant of the script.
      expect(first).not.toEqual(['deploy/compose/secrets/ingest-token', 'deploy/compose/secrets/jwt-secret', '.env'].map((f) => readFileSync(path.join(GENERATED, f), 'utf8')));
      for (const value of [...first.slice(0, 2), readEnvFile(path.join(root, '.env')).REDIS_PASSWORD]) expect(value.trim()).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(path.join(root, '.env')).mode & 0o077).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('without the generated secrets, compose refuses to start and the gateway config does not load', () => {
    const required: Array<[string, string]> = [];
    for (const [, value] of strings(services)) interpolate(value, NO_ENV, [], required);
    expect(new Set(required.map(([name]) => name))).toEqual(new Set(['REDIS_PASSWORD']));
    for (const [, message] of required) expect(message).toContain('sh deploy/compose/make-secrets.sh');
    const empty = mkdtempSync(path.join(tmpdir(), 'compose-no-secrets-'));
    try {
      expect(() => gatewayConfig('ingest', empty)).toThrow(/INGEST_TOKEN_FILE=.* cannot be read \(ENOENT\)/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('builds each gateway service from the one Dockerfile with SERVICE naming a package that has a main', () => {
    for (const name of GATEWAY) {
      const build = services[name].build!;
      expect(build.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
      expect(build.args?.SERVICE).toBe(name);
      expect(existsSync(repo('packages', name, 'src', 'main.ts'))).toBe(true);
    }
  });

  it('needs nothing on the host but what make-secrets.sh writes: every other variable has a default', () => {
    const missing: string[] = [];
    const required: Array<[string, string]> = [];
    for (const [where, value] of strings(services)) {
      const unset: string[] = [];
      interpolate(value, HOST_ENV, unset, required);
      missing.push(...unset.map((name) => `${where}: \${${name}}`));
    }
    expect({ missing, required }).toEqual({ missing: [], required: [] });
  });

  it('runs 2 replicas of each notifier, with nothing that would clash between replicas', () => {
    for (const name of ['notifier-email', 'notifier-sms', 'notifier-chat']) {
      expect(services[name].deploy?.replicas).toBe(2);
      expect(services[name].container_name).toBeUndefined();
      expect(services[name].ports).toBeUndefined();
    }
  });

  it('runs Redis with AOF, noeviction and the generated password, which the services use', () => {
    const args = [services.redis.command].flat().map((a) => interpolate(String(a), HOST_ENV));
    const flag = (name: string) => args[args.indexOf(name) + 1];
    expect(flag('--appendonly')).toBe('yes');
    expect(flag('--maxmemory-policy')).toBe('noeviction');
    const password = flag('--requirepass');
    expect(password).toBe(HOST_ENV.REDIS_PASSWORD);
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    // The same password flows into the healthcheck and every service's REDIS_URL.
    expect(containerEnv('redis').REDISCLI_AUTH).toBe(password);
    for (const name of GATEWAY) expect(containerEnv(name).REDIS_URL).toBe(`redis://:${password}@redis:6379/0`);
    // And a password chosen on the host replaces it everywhere.
    const chosen = { REDIS_PASSWORD: 'chosen-on-host-7f3a' };
    expect(interpolate(String(services.ingest.environment!.REDIS_URL), chosen)).toBe('redis://:chosen-on-host-7f3a@redis:6379/0');
    expect([services.redis.command].flat().map((a) => interpolate(String(a), chosen))).toContain('chosen-on-host-7f3a');
  });

  describe('the gateway config (deploy/compose/alertgw.yaml)', () => {
    it('passes our config loader in every gateway container', () => {
      for (const name of GATEWAY) expect(() => gatewayConfig(name)).not.toThrow();
    });

    it('sends mail to Mailpit, reaches Redis by service name, and listens where the healthcheck and Prometheus look', () => {
      const config = gatewayConfig('ingest');
      expect(config.email.transport).toBe('smtp');
      expect(config.email.smtp).toEqual(expect.objectContaining({ host: 'mailpit', port: 1025, requireTLS: false }));
      expect(new URL(config.redis.url).hostname).toBe('redis');
      expect(containerEnv('ingest').HTTP_PORT).toBe(String(config.ingest.listen.port));
      expect(services.ingest.ports).toContain(`127.0.0.1:${config.ingest.listen.port}:${config.ingest.listen.port}`);
      for (const name of GATEWAY) expect(JSON.stringify(services[name].healthcheck!.test)).toContain('process.env.HTTP_PORT');
      // Each notifier serves its ops endpoints on its container's HTTP_PORT.
      expect(String(gatewayConfig('notifier-email').email.listen.port)).toBe(containerEnv('notifier-email').HTTP_PORT);
      expect(String(gatewayConfig('notifier-sms').sms.listen.port)).toBe(containerEnv('notifier-sms').HTTP_PORT);
      expect(String(gatewayConfig('notifier-chat').chat.listen.port)).toBe(containerEnv('notifier-chat').HTTP_PORT);
      // SMS without credentials: dry run.
      expect(config.sms.tencent.secretId).toBe('');
    });
  });

  describe('Alertmanager', () => {
    const amFile = hostFile('alertmanager', '/etc/alertmanager/alertmanager.yml')!;
    const am = readYaml<{ receivers: Array<{ name: string; webhook_configs?: Array<Record<string, any>> }>; route: { receiver: string } }>(amFile);

    it('is configured by a mounted file that posts to ingest with the bearer token ingest accepts', () => {
      expect([services.alertmanager.command].flat()).toContain('--config.file=/etc/alertmanager/alertmanager.yml');
      const receiver = am.receivers.find((r) => r.name === am.route.receiver)!;
      const hook = receiver.webhook_configs![0];
      const url = new URL(hook.url);
      const config = gatewayConfig('ingest');
      expect(url.hostname).toBe('ingest');
      expect(Number(url.port)).toBe(config.ingest.listen.port);
      expect(url.pathname).toBe('/webhook/alertmanager');
      expect(hook.send_resolved).toBe(true);

      expect(hook.http_config.authorization.type).toBe('Bearer');
      const tokenFile = hostFile('alertmanager', hook.http_config.authorization.credentials_file);
      expect(tokenFile).toBeDefined();
      // Alertmanager trims the file as ingest's *_FILE loader does.
      const token = readFileSync(tokenFile!, 'utf8').trim();
      expect(config.ingest.auth.bearerTokens).toEqual([token]);
      expect(token).toMatch(/^[0-9a-f]{64}$/);
    });

    const amtool = findTool('amtool', ['/usr/bin/amtool']);
    it('passes amtool check-config', () => {
      if (!amtool) throw new Error('amtool not installed: apt-get install prometheus-alertmanager (.ci/run does)');
      const r = runTool(amtool, ['check-config', amFile]);
      expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
    });
  });

  describe('Prometheus', () => {
    const prom = readYaml<{
      alerting: { alertmanagers: Array<{ static_configs: Array<{ targets: string[] }> }> };
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }>; dns_sd_configs?: Array<{ names: string[]; port: number }> }>;
    }>(hostFile('prometheus', '/etc/prometheus/prometheus.yml')!);

    it('sends alerts to the stack Alertmanager and loads every mounted rule file', () => {
      expect(prom.alerting.alertmanagers[0].static_configs[0].targets).toEqual(['alertmanager:9093']);
      const ruleMounts = mounts('prometheus').filter((m) => m.target.startsWith('/etc/prometheus/rules/'));
      expect(ruleMounts.length).toBeGreaterThanOrEqual(2);
      const globs = prom.rule_files.map((g) => new RegExp(`^${g.replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`));
      for (const m of ruleMounts) expect(globs.some((g) => g.test(m.target))).toBe(true);
    });

    it('has a demo rule that fires at the first evaluation', () => {
      const demo = readYaml<{ groups: Array<{ rules: Array<{ alert: string; expr: string; for?: string; labels: Record<string, string> }> }> }>(
        hostFile('prometheus', '/etc/prometheus/rules/demo.yml')!,
      );
      const rule = demo.groups[0].rules[0];
      expect(rule.expr).toBe('vector(1)');
      expect(rule.for ?? '0s').toMatch(/^0[smh]?$/);
      // Severity critical: it goes out as mail and as (dry-run) SMS.
      expect(gatewayConfig('ingest').channels.sms.severities).toContain(rule.labels.severity);
    });

    it('scrapes each gateway service on the port its HTTP listener uses', () => {
      const jobs = Object.fromEntries(prom.scrape_configs.map((j) => [j.job_name, j]));
      for (const name of GATEWAY) {
        const job = jobs[`alertgw-${name}`];
        expect(job).toBeDefined();
        const port = containerEnv(name).HTTP_PORT;
        const targets = [...(job.static_configs?.flatMap((s) => s.targets) ?? []), ...(job.dns_sd_configs?.flatMap((d) => d.names.map((n) => `${n}:${d.port}`)) ?? [])];
        expect(targets).toEqual([`${name}:${port}`]);
      }
    });
  });
});

/** A .dockerignore pattern as a RegExp over slash paths; it also matches everything below a match. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    if (glob.startsWith('**/', i)) {
      re += '(?:.*/)?';
      i += 2;
    } else if (glob.startsWith('**', i)) {
      re += '.*';
      i += 1;
    } else if (glob[i] === '*') re += '[^/]*';
    else if (glob[i] === '?') re += '[^/]';
    else re += glob[i].replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}(?:/.*)?$`);
}

describe('Dockerfile', () => {
  const text = readFileSync(repo('Dockerfile'), 'utf8');
  // Instructions with their continuation lines joined.
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Array<{ name: string; lines: string[] }> = [];
  for (const line of instructions) {
    const from = /^FROM\s+\S+(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ name: from[1] ?? '', lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  const runtime = stages.at(-1)!;
  const build = stages.find((s) => s.name === 'build')!;

  it('has a build stage (npm ci, npm run build) and a runtime stage last (npm ci --omit=dev)', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    expect(build.lines).toContain('RUN npm ci --no-audit --no-fund');
    expect(build.lines).toContain('RUN npm run build');
    expect(runtime.lines.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    expect(runtime.lines.some((l) => /npm run build|tsc/.test(l))).toBe(false);
  });

  it('runs as a non-root user with a healthcheck, the service chosen by SERVICE', () => {
    const user = runtime.lines.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER (root|0)(:|$)/);
    expect(runtime.lines.some((l) => /^HEALTHCHECK .*CMD .*\/healthz/.test(l))).toBe(true);
    expect(runtime.lines).toContain('ARG SERVICE=ingest');
    expect(runtime.lines.find((l) => l.startsWith('CMD '))).toContain('packages/${SERVICE}/dist/main.js');
  });

  it('ships a default config that keeps the webhook on loopback, and refuses it on 0.0.0.0 without credentials', () => {
    const shipped = runtime.lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from=') && l.includes('.yaml')).map((l) => l.split(/\s+/)[1]);
    expect(shipped).toEqual(['config.example.yaml']);
    const load = (env: Record<string, string>) => loadConfig({ argv: ['--config', repo(shipped[0])], env, cwd: ROOT }).config;
    const config = load({});
    expect(isLoopbackHost(config.ingest.listen.host)).toBe(true);
    expect(config.ingest.auth).toEqual({ bearerTokens: [], basic: [], allowAnonymous: false });
    expect(() => load({ INGEST_HOST: '0.0.0.0' })).toThrow(/ingest\.auth: has no credentials while ingest\.listen\.host \(0\.0\.0\.0\)/);
  });

  it('copies only paths that exist and that .dockerignore lets through, and every dist the services need', () => {
    const ignore = readFileSync(repo('.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map(globToRegExp);
    const ignored = (p: string) => ignore.some((re) => re.test(p));
    const copies = stages.flatMap((s) => s.lines).filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
    expect(copies.length).toBeGreaterThan(5);
    for (const line of copies) {
      const sources = line.split(/\s+/).slice(1, -1);
      for (const source of sources) {
        expect({ source, exists: existsSync(repo(source)), ignored: ignored(source) }).toEqual({ source, exists: true, ignored: false });
      }
    }
    // What the build needs inside `packages` must survive the ignore file; tests and local builds must not.
    for (const pkg of GATEWAY.concat('shared', 'alertctl')) {
      expect(ignored(`packages/${pkg}/src/main.ts`)).toBe(false);
      expect(ignored(`packages/${pkg}/dist/main.js`)).toBe(true);
      expect(ignored(`packages/${pkg}/test/x.test.ts`)).toBe(true);
    }
    expect(ignored('node_modules/x')).toBe(true);
    const fromBuild = runtime.lines.filter((l) => l.startsWith('COPY --from=build')).map((l) => l.split(/\s+/)[2]);
    for (const pkg of ['shared', ...GATEWAY, 'alertctl']) expect(fromBuild).toContain(`/app/packages/${pkg}/dist`);
    // Each workspace the image gets has its package.json in place before `npm ci` in both stages
    // (the lock file lists them all; the private test kit is kept out by .dockerignore).
    const lock = JSON.parse(readFileSync(repo('package-lock.json'), 'utf8')) as { packages: Record<string, { link?: boolean }> };
    const workspaces = Object.keys(lock.packages).filter((p) => p.startsWith('packages/') && !ignored(`${p}/package.json`));
    expect(workspaces).not.toContain('packages/testkit');
    for (const stage of [build, runtime]) {
      const before = stage.lines.slice(0, stage.lines.findIndex((l) => l.startsWith('RUN npm ci')));
      for (const ws of workspaces) expect(before).toContain(`COPY ${ws}/package.json ${ws}/`);
    }
  });
});
