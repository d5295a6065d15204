import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { read, readYaml, ROOT } from './delivery-support.js';
import { runTool } from './tooling.js';

interface Rule {
  alert: string;
  expr: string;
  annotations: Record<string, string>;
}
const rules = readYaml<{ groups: { rules: Rule[] }[] }>(
  'helm/shop/files/alerts.yml',
).groups.flatMap((g) => g.rules);

/** GitHub's anchor of a Markdown heading: lower case, spaces to dashes, punctuation dropped. */
const anchors = (markdown: string): Set<string> =>
  new Set(
    [...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) =>
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\w\- ]/g, '')
        .replace(/ /g, '-'),
    ),
  );

describe('the alert rules', () => {
  it('each link to a runbook entry of the README that exists', () => {
    const readme = anchors(read('README.md'));
    expect(rules.length).toBe(13);
    for (const rule of rules) {
      const url = rule.annotations.runbook_url ?? '';
      const anchor =
        /^https:\/\/github\.com\/example\/shop-backend\/blob\/main\/README\.md#(.+)$/.exec(
          url,
        )?.[1];
      expect(anchor, `${rule.alert}: ${url}`).toBe(rule.alert.toLowerCase());
      expect(readme.has(anchor!), `README has no heading for #${anchor}`).toBe(true);
    }
  });

  it('pass their unit tests (promtool test rules), which cover every rule both ways', () => {
    const tests = readYaml<{
      tests: { alert_rule_test: { alertname: string; exp_alerts?: unknown[] }[] }[];
    }>('test/delivery/alerts.test.yml').tests.flatMap((t) => t.alert_rule_test);
    for (const rule of rules) {
      const cases = tests.filter((t) => t.alertname === rule.alert);
      expect(
        cases.some((c) => (c.exp_alerts ?? []).length > 0),
        `${rule.alert} fires`,
      ).toBe(true);
      expect(
        cases.some((c) => (c.exp_alerts ?? []).length === 0),
        `${rule.alert} quiet`,
      ).toBe(true);
    }
    const result = runTool(
      'promtool',
      ['test', 'rules', 'alerts.test.yml'],
      'apt-get install prometheus',
      { cwd: path.join(ROOT, 'test/delivery') },
    );
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.ok).toBe(true);
  });

  it('fail their unit tests when a rule stops firing (the tests can fail)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alerts-'));
    const broken = parse(read('helm/shop/files/alerts.yml')) as { groups: { rules: Rule[] }[] };
    const lag = broken.groups[0]!.rules.find((r) => r.alert === 'ShopOutboxLag')!;
    lag.expr = 'max(outbox_oldest_unrelayed_age_seconds) > 600';
    writeFileSync(path.join(dir, 'alerts.yml'), stringify(broken));
    const tests = readFileSync(path.join(ROOT, 'test/delivery/alerts.test.yml'), 'utf8').replace(
      '../../helm/shop/files/alerts.yml',
      'alerts.yml',
    );
    writeFileSync(path.join(dir, 'alerts.test.yml'), tests);
    const result = runTool(
      'promtool',
      ['test', 'rules', 'alerts.test.yml'],
      'apt-get install prometheus',
      {
        cwd: dir,
      },
    );
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/alertname: ShopOutboxLag/);
  });
});

describe('Alertmanager in Compose', () => {
  const compose = readYaml<{
    services: Record<string, { volumes?: string[]; depends_on?: Record<string, unknown> }>;
  }>('docker-compose.yml').services;
  const config = readYaml<{
    global: { smtp_smarthost: string };
    route: { receiver: string };
    receivers: { name: string; email_configs?: { to: string }[] }[];
  }>('deploy/alertmanager/alertmanager.yml');

  it('has a config amtool accepts', () => {
    const result = runTool(
      'amtool',
      ['check-config', path.join(ROOT, 'deploy/alertmanager/alertmanager.yml')],
      'apt-get install prometheus-alertmanager',
    );
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.ok).toBe(true);
  });

  it('refuses a config with a route to a receiver that does not exist (the check can fail)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alertmanager-'));
    const file = path.join(dir, 'alertmanager.yml');
    writeFileSync(file, stringify({ ...config, route: { receiver: 'nobody' } }));
    const result = runTool(
      'amtool',
      ['check-config', file],
      'apt-get install prometheus-alertmanager',
    );
    expect(result.ok).toBe(false);
  });

  it('gets the alerts from Prometheus and mails them to Mailpit', () => {
    const prometheus = readYaml<{
      alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    }>('deploy/prometheus/prometheus.yml');
    expect(prometheus.alerting.alertmanagers[0]!.static_configs[0]!.targets).toEqual([
      'alertmanager:9093',
    ]);
    expect(compose.alertmanager!.volumes).toContain(
      './deploy/alertmanager/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro',
    );
    expect(compose.prometheus!.depends_on).toHaveProperty('alertmanager');
    expect(config.global.smtp_smarthost).toBe('mailpit:1025');
    expect(Object.keys(compose)).toContain('mailpit');
    const receiver = config.receivers.find((r) => r.name === config.route.receiver)!;
    expect(receiver.email_configs?.[0]?.to).toMatch(/@/);
  });
});

describe('docker-compose.yml, checked by docker-compose config', () => {
  it('is a valid Compose file', () => {
    const result = runTool(
      'docker-compose',
      ['-f', path.join(ROOT, 'docker-compose.yml'), 'config', '-q'],
      'apt-get install docker-compose',
      { cwd: ROOT },
    );
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  });

  it('refuses a broken one (a service depending on one that does not exist)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'compose-'));
    const file = read('docker-compose.yml');
    const healthy = '      redis: { condition: service_healthy }\n';
    expect(file).toContain(healthy);
    writeFileSync(
      path.join(dir, 'docker-compose.yml'),
      file.replace(healthy, `${healthy}      nosuch: { condition: service_started }\n`),
    );
    const result = runTool('docker-compose', ['config', '-q'], 'apt-get install docker-compose', {
      cwd: dir,
    });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/nosuch/);
  });
});
