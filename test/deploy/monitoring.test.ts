import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { createQueueMetrics, registerQueueDepthGauge } from '@alertgw/shared';
import { createIngestMetrics } from '../../packages/ingest/src/ingest-metrics';
import { createSmsMetrics } from '../../packages/notifier-sms/src/sms-metrics';
import { createChatMetrics } from '../../packages/notifier-chat/src/chat-metrics';
import { DINGTALK_ERRCODES } from '../../packages/notifier-chat/src/providers/dingtalk';
import { FEISHU_ERRCODES } from '../../packages/notifier-chat/src/providers/feishu';
import { WECOM_ERRCODES } from '../../packages/notifier-chat/src/providers/wecom';
import { findTool, readYaml, readYamlDocs, repo, runTool } from './support';

// The Alertmanager receiver snippet, the Prometheus scrape config and the alerting rules on
// alertgw's own metrics. amtool and promtool check them when installed; without them the
// structure is checked here, and every metric a rule names must be one the code exports.

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const RULES_FILE = repo('deploy', 'prometheus', 'rules', 'alertgw.rules.yml');
const rules = readYaml<{ groups: Array<{ name: string; rules: Rule[] }> }>(RULES_FILE).groups.flatMap((g) => g.rules);

/** Every metric name the services register (counters, gauges, histograms with their series suffixes). */
async function exportedMetricNames(): Promise<Set<string>> {
  const registry = new Registry();
  const queueMetrics = createQueueMetrics(registry);
  registerQueueDepthGauge(registry, []);
  createIngestMetrics(registry);
  createSmsMetrics(registry, queueMetrics.configErrors);
  createChatMetrics(registry, queueMetrics.configErrors);
  const names = new Set<string>();
  for (const m of await registry.getMetricsAsJSON()) {
    names.add(m.name);
    // prom-client declares a numeric enum but reports the type as a string ('histogram').
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
  }
  return names;
}

describe('alerting rules on alertgw metrics (deploy/prometheus/rules)', () => {
  it('cover queue depth, dead letters, lease losses and configuration errors', () => {
    const exprs = rules.map((r) => r.expr).join('\n');
    for (const metric of ['alertgw_queue_depth', 'alertgw_queue_dead_letters_total', 'alertgw_queue_lease_losses_total', 'alertgw_channel_config_errors_total']) {
      expect(exprs).toContain(metric);
    }
  });

  it('catch chat robots throttled by their provider: every transient errcode of the tables, and only those', () => {
    const rule = rules.find((r) => r.alert === 'AlertgwChatThrottledByProvider')!;
    const codes = /code=~"([^"]+)"/.exec(rule.expr)![1]!.split('|').sort();
    // Throttling is what the tables call transient with a provider-given wait, "system busy" (-1) aside.
    const throttles = Object.entries({ wecom: WECOM_ERRCODES, dingtalk: DINGTALK_ERRCODES, feishu: FEISHU_ERRCODES }).flatMap(([provider, table]) =>
      Object.entries(table)
        .filter(([code, entry]) => entry.kind === 'transient' && code !== '-1')
        .map(([code]) => `${provider}-${code}`),
    );
    expect(codes).toEqual(throttles.sort());
  });

  it('name only metrics the code exports (and up)', async () => {
    const known = await exportedMetricNames();
    known.add('up');
    for (const rule of rules) {
      const used = [...rule.expr.matchAll(/\b(alertgw_[a-z0-9_]+|up)\b/g)].map((m) => m[1]);
      expect(used.length).toBeGreaterThan(0);
      for (const name of used) expect({ rule: rule.alert, metric: name, known: known.has(name) }).toEqual({ rule: rule.alert, metric: name, known: true });
    }
  });

  it('aggregate queue depths with max (every process reports the same Redis-wide number)', () => {
    for (const rule of rules.filter((r) => r.expr.includes('alertgw_queue_depth'))) {
      expect(rule.expr).toMatch(/max by \(queue\) \(alertgw_queue_depth\{/);
      expect(rule.expr).not.toMatch(/sum[^(]*\(alertgw_queue_depth/);
    }
  });

  it('give every alert a unique name, a severity and a summary, with balanced brackets', () => {
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules) {
      expect(r.alert).toMatch(/^Alertgw[A-Za-z]+$/);
      expect(['critical', 'warning', 'info']).toContain(r.labels?.severity);
      expect(r.annotations?.summary).toBeTruthy();
      if (r.for) expect(r.for).toMatch(/^\d+[smh]$/);
      // A cheap stand-in for promtool's parser: brackets and braces pair up.
      const pairs: Record<string, string> = { ')': '(', '}': '{', ']': '[' };
      const stack: string[] = [];
      for (const ch of r.expr) {
        if ('({['.includes(ch)) stack.push(ch);
        else if (ch in pairs) expect(stack.pop()).toBe(pairs[ch]);
      }
      expect(stack).toEqual([]);
    }
  });

  const promtool = findTool('promtool', ['/usr/bin/promtool']);
  it('pass promtool check rules', () => {
    if (!promtool) throw new Error('promtool not installed: apt-get install prometheus (.ci/run does)');
    const r = runTool(promtool, ['check', 'rules', RULES_FILE]);
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });
});

describe('Prometheus scrape config (deploy/prometheus/scrape-config.yml)', () => {
  const scrape = readYaml<{ scrape_configs: Array<Record<string, any>> }>(repo('deploy', 'prometheus', 'scrape-config.yml')).scrape_configs;

  it('names jobs alertgw-<service>, which the TargetDown rule matches, on each service HTTP port', () => {
    const ports: Record<string, number> = { ingest: 9097, 'notifier-email': 9098, 'notifier-sms': 9099, 'notifier-chat': 9100 };
    const compose = readYaml<{ services: Record<string, { environment?: Record<string, string> }> }>(repo('docker-compose.yml'));
    for (const [service, port] of Object.entries(ports)) {
      expect(compose.services[service].environment!.HTTP_PORT).toBe(String(port));
      const job = scrape.find((j) => j.job_name === `alertgw-${service}`)!;
      for (const target of job.static_configs.flatMap((s: { targets: string[] }) => s.targets)) expect(target).toMatch(new RegExp(`:${port}$`));
    }
    const down = rules.find((r) => r.alert === 'AlertgwTargetDown')!;
    const jobRe = new RegExp(`^${/job=~"([^"]+)"/.exec(down.expr)![1]}$`);
    for (const job of scrape) expect(job.job_name).toMatch(jobRe);
  });

  it('keeps, on Kubernetes, the pods labelled part-of alertgw on their port named http, as the manifests label them', () => {
    const k8s = scrape.find((j) => j.kubernetes_sd_configs)!;
    const keep = (label: string) => k8s.relabel_configs.find((r: Record<string, any>) => r.action === 'keep' && r.source_labels[0] === label)?.regex;
    expect(keep('__meta_kubernetes_pod_label_app_kubernetes_io_part_of')).toBe('alertgw');
    expect(keep('__meta_kubernetes_pod_container_port_name')).toBe('http');
    for (const file of ['ingest.yaml', 'notifier-email.yaml', 'notifier-sms.yaml', 'notifier-chat.yaml']) {
      const [deployment] = readYamlDocs(repo('deploy', 'kubernetes', file)) as Array<Record<string, any>>;
      expect(deployment.spec.template.metadata.labels['app.kubernetes.io/part-of']).toBe('alertgw');
      expect(deployment.spec.template.spec.containers[0].ports.map((p: { name: string }) => p.name)).toContain('http');
    }
    expect(k8s.kubernetes_sd_configs[0].namespaces.names).toEqual([readYaml<{ namespace: string }>(repo('deploy', 'kubernetes', 'kustomization.yaml')).namespace]);
  });
});

describe('Alertmanager receiver snippet (deploy/alertmanager/receiver.yml)', () => {
  const file = repo('deploy', 'alertmanager', 'receiver.yml');
  const am = readYaml<{ receivers: Array<{ name: string; webhook_configs: Array<Record<string, any>> }> }>(file);

  it('posts to the ingest Service of the Kubernetes base with a bearer token from a file', () => {
    const hook = am.receivers.find((r) => r.name === 'alertgw')!.webhook_configs[0];
    const url = new URL(hook.url);
    const [, service] = readYamlDocs(repo('deploy', 'kubernetes', 'ingest.yaml')) as Array<Record<string, any>>;
    const namespace = readYaml<{ namespace: string }>(repo('deploy', 'kubernetes', 'kustomization.yaml')).namespace;
    expect(url.hostname).toBe(`${service.metadata.name}.${namespace}.svc`);
    expect(Number(url.port)).toBe(service.spec.ports[0].port);
    expect(url.pathname).toBe('/webhook/alertmanager');
    expect(hook.send_resolved).toBe(true);
    expect(hook.http_config.authorization.type).toBe('Bearer');
    expect(hook.http_config.authorization.credentials_file).toBeTruthy();
    // No literal credential in a file people copy around.
    expect(readFileSync(file, 'utf8')).not.toMatch(/^\s*credentials:\s*\S/m);
  });

  const amtool = findTool('amtool', ['/usr/bin/amtool']);
  it('passes amtool check-config', () => {
    if (!amtool) throw new Error('amtool not installed: apt-get install prometheus-alertmanager (.ci/run does)');
    const r = runTool(amtool, ['check-config', file]);
    expect({ status: r.status, output: r.output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  });
});
