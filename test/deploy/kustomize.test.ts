import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { GatewayError, loadConfig } from '@alertgw/shared';
import { findTool, readEnvFile, readYaml, readYamlDocs, repo, runTool, trackedFiles } from './support';

// The kustomize base in deploy/kubernetes, checked without a cluster: every resource parses,
// probes, autoscaling and disruption budgets point at what exists, and the embedded config
// passes our loader once the deployer has filled in the Secret (secrets.env.example), and not
// before. `kubectl kustomize` renders it when installed.

const BASE = repo('deploy', 'kubernetes');
type Obj = Record<string, any>;

interface Kustomization {
  namespace?: string;
  resources: string[];
  configMapGenerator?: Array<{ name: string; files?: string[] }>;
  secretGenerator?: Array<{ name: string; envs?: string[] }>;
  images?: Array<{ name: string; newTag?: string }>;
}

const kustomization = readYaml<Kustomization>(path.join(BASE, 'kustomization.yaml'));
const objects: Obj[] = kustomization.resources.flatMap((r) => readYamlDocs(path.join(BASE, r)));
const ofKind = (kind: string) => objects.filter((o) => o.kind === kind);
const deployments = ofKind('Deployment');
const byName = (name: string) => deployments.find((d) => d.metadata.name === name)!;
const SERVICES = ['ingest', 'notifier-email', 'notifier-sms', 'notifier-chat'];

/** The Secret every container reads; the deployer creates it, the base ships none. */
const SECRET_NAME = 'alertgw-secrets';
const configGen = kustomization.configMapGenerator![0];
const configFile = path.join(BASE, configGen.files![0]);
/** The template the deployer copies; every <...> placeholder is for them to fill in. */
const EXAMPLE = readEnvFile(path.join(BASE, 'secrets.env.example'));
const PLACEHOLDER = /<[^<>]*>/;
/** The Secret as a deployer fills it in: each placeholder replaced by a fresh random value. */
const filled = Object.fromEntries(Object.entries(EXAMPLE).map(([k, v]) => [k, v.replace(new RegExp(PLACEHOLDER, 'g'), () => randomBytes(24).toString('hex'))]));

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);

describe('deploy/kubernetes (kustomize base)', () => {
  it('lists only resources and generator files that exist and parse as Kubernetes objects', () => {
    for (const file of [
      ...kustomization.resources,
      ...(kustomization.configMapGenerator ?? []).flatMap((g) => g.files ?? []),
    ]) {
      expect({ file, exists: existsSync(path.join(BASE, file)) }).toEqual({ file, exists: true });
    }
    for (const o of objects) {
      expect(typeof o.apiVersion).toBe('string');
      expect(typeof o.kind).toBe('string');
      expect(typeof o.metadata?.name).toBe('string');
    }
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/alertgw-ingest',
      'Deployment/alertgw-notifier-chat',
      'Deployment/alertgw-notifier-email',
      'Deployment/alertgw-notifier-sms',
      'HorizontalPodAutoscaler/alertgw-notifier-chat',
      'HorizontalPodAutoscaler/alertgw-notifier-email',
      'HorizontalPodAutoscaler/alertgw-notifier-sms',
      'Namespace/alertgw',
      'PodDisruptionBudget/alertgw-ingest',
      'PodDisruptionBudget/alertgw-notifier-chat',
      'PodDisruptionBudget/alertgw-notifier-email',
      'PodDisruptionBudget/alertgw-notifier-sms',
      'Service/alertgw-ingest',
    ]);
  });

  it('ships no credentials: no secretGenerator, no Secret object, no env file but the example', () => {
    expect(kustomization.secretGenerator).toBeUndefined();
    expect(ofKind('Secret')).toEqual([]);
    expect(trackedFiles('deploy/kubernetes').filter((f) => /\.env\b/.test(path.basename(f)))).toEqual(['deploy/kubernetes/secrets.env.example']);
    // Every value of the example is empty or still has a placeholder in it.
    for (const [key, value] of Object.entries(EXAMPLE)) expect({ key, unfilled: value === '' || PLACEHOLDER.test(value) }).toEqual({ key, unfilled: true });
  });

  it('embeds a config that passes our loader once the deployer filled in the Secret', () => {
    const { config } = loadConfig({ argv: ['--config', configFile], env: filled });
    expect(config.redis.url).toBe(filled.REDIS_URL);
    expect(config.ingest.auth.bearerTokens).toEqual([filled.INGEST_TOKEN]);
    expect(config.email.smtp?.auth?.pass).toBe(filled.SMTP_PASSWORD);
    // Every ${VAR} without a default that the config names is in the example.
    const required = [...readFileSync(configFile, 'utf8').matchAll(/\$\{([A-Z0-9_]+)\}/g)].map((m) => m[1]);
    for (const name of required) expect(Object.keys(EXAMPLE)).toContain(name);
  });

  it('refuses to start with the example copied as it is, naming each unfilled key, no value', () => {
    let err: unknown;
    try {
      loadConfig({ argv: ['--config', configFile], env: EXAMPLE });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatewayError);
    const message = (err as GatewayError).message;
    const paths = message.split('\n').slice(1).map((l) => l.trim().split(': ')[0]);
    expect(paths).toEqual(['auth.jwt.hs256Secret', 'email.smtp.auth.pass', 'ingest.auth.bearerTokens[0]', 'redis.url']);
    for (const value of Object.values(EXAMPLE).filter(Boolean)) expect(message).not.toContain(value);
  });

  it('says how to create the Secret, in the example and in deploy/README.md', () => {
    const command = `kubectl -n alertgw create secret generic ${SECRET_NAME} --from-env-file=secrets.env`;
    expect(readFileSync(path.join(BASE, 'secrets.env.example'), 'utf8')).toContain(command);
    expect(readFileSync(repo('deploy', 'README.md'), 'utf8')).toContain(command);
  });

  describe.each(SERVICES)('Deployment alertgw-%s', (service) => {
    const d = () => byName(`alertgw-${service}`);
    const container = () => d().spec.template.spec.containers[0];

    it('selects its own pods', () => {
      expect(matches(d().spec.selector.matchLabels, d().spec.template.metadata.labels)).toBe(true);
      expect(d().spec.template.metadata.labels['app.kubernetes.io/name']).toBe(service);
      expect(d().spec.template.metadata.labels['app.kubernetes.io/part-of']).toBe('alertgw');
    });

    it('is ready on /readyz and alive on /healthz, on the port its HTTP_PORT names', () => {
      const c = container();
      expect(c.readinessProbe.httpGet.path).toBe('/readyz');
      expect(c.livenessProbe.httpGet.path).toBe('/healthz');
      const port = c.ports.find((p: Obj) => p.name === c.readinessProbe.httpGet.port);
      expect(port).toBeDefined();
      expect(c.livenessProbe.httpGet.port).toBe(port.name);
      expect(c.env.find((e: Obj) => e.name === 'HTTP_PORT')?.value).toBe(String(port.containerPort));
    });

    it('reads the generated config and secrets, runs its own image, as non-root', () => {
      const c = container();
      const spec = d().spec.template.spec;
      const configVolume = spec.volumes.find((v: Obj) => v.configMap?.name === configGen.name);
      expect(configVolume).toBeDefined();
      const mount = c.volumeMounts.find((m: Obj) => m.name === configVolume.name);
      expect(c.env.find((e: Obj) => e.name === 'CONFIG')?.value).toBe(`${mount.mountPath}/${path.basename(configFile)}`);
      expect(c.envFrom).toEqual([{ secretRef: { name: SECRET_NAME } }]);
      expect(c.image).toBe(`alertgw/${service}`);
      expect(kustomization.images!.map((i) => i.name)).toContain(c.image);
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      expect(c.securityContext).toEqual(expect.objectContaining({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true }));
    });

    it('is covered by exactly one PodDisruptionBudget', () => {
      const pdbs = ofKind('PodDisruptionBudget').filter((p) => matches(p.spec.selector.matchLabels, d().spec.template.metadata.labels));
      expect(pdbs).toHaveLength(1);
      expect(pdbs[0].spec.maxUnavailable ?? 0).toBeGreaterThanOrEqual(1);
    });
  });

  it('listens for webhooks where the config says, behind a Service that selects ingest', () => {
    const { config } = loadConfig({ argv: ['--config', configFile], env: filled });
    const c = byName('alertgw-ingest').spec.template.spec.containers[0];
    expect(c.ports[0].containerPort).toBe(config.ingest.listen.port);
    const [svc] = ofKind('Service');
    expect(matches(svc.spec.selector, byName('alertgw-ingest').spec.template.metadata.labels)).toBe(true);
    expect(svc.spec.ports[0]).toEqual(expect.objectContaining({ port: config.ingest.listen.port, targetPort: 'http' }));
  });

  it('autoscales the notifiers (and only them) from at least 2 replicas, leaving replicas to the HPA', () => {
    const hpas = ofKind('HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(['alertgw-notifier-chat', 'alertgw-notifier-email', 'alertgw-notifier-sms']);
    for (const h of hpas) {
      expect(h.apiVersion).toBe('autoscaling/v2');
      expect(h.spec.scaleTargetRef).toEqual(expect.objectContaining({ apiVersion: 'apps/v1', kind: 'Deployment' }));
      expect(byName(h.spec.scaleTargetRef.name)).toBeDefined();
      expect(h.spec.minReplicas).toBeGreaterThanOrEqual(2);
      expect(h.spec.maxReplicas).toBeGreaterThan(h.spec.minReplicas);
      // A replicas field would be reset on every `kubectl apply`, fighting the autoscaler.
      expect(byName(h.spec.scaleTargetRef.name).spec.replicas).toBeUndefined();
    }
    expect(byName('alertgw-ingest').spec.replicas).toBeGreaterThanOrEqual(2);
  });

  const kubectl = findTool('kubectl');
  if (!kubectl) console.warn('skipped: `kubectl kustomize deploy/kubernetes` — kubectl not installed');
  (kubectl ? it : it.skip)('renders with kubectl kustomize: a hashed ConfigMap and no Secret, referenced by every Deployment, all in one namespace', () => {
    const r = runTool(kubectl!, ['kustomize', BASE]);
    expect(r.status).toBe(0);
    const rendered = parseAllDocuments(r.output).map((d) => d.toJS() as Obj);
    const cm = rendered.find((o) => o.kind === 'ConfigMap')!;
    expect(rendered.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(cm.metadata.name).toMatch(new RegExp(`^${configGen.name}-[a-z0-9]{10}$`));
    expect(cm.data[path.basename(configFile)]).toBe(readFileSync(configFile, 'utf8'));
    for (const d of rendered.filter((o) => o.kind === 'Deployment')) {
      const spec = d.spec.template.spec;
      expect(spec.volumes.find((v: Obj) => v.configMap)?.configMap.name).toBe(cm.metadata.name);
      expect(spec.containers[0].envFrom[0].secretRef.name).toBe(SECRET_NAME);
      expect(spec.containers[0].image).toMatch(/^alertgw\/[a-z-]+:\d+\.\d+\.\d+$/);
    }
    for (const o of rendered.filter((x) => x.kind !== 'Namespace')) expect(o.metadata.namespace).toBe(kustomization.namespace);
  });
});
