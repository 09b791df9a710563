/**
 * The alert rules of the monitoring component (deploy/k8s/components/monitoring/prometheus-rules.yaml), checked
 * by Prometheus' own `promtool`: the rules parse, and every case of prometheus-rules.test.yaml (each alert fires
 * on a broken series, with its labels, and stays quiet on a healthy one) passes. Nothing is skipped: without
 * promtool this fails and says how to install it (.ci/run installs it).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const monitoring = join(__dirname, '..', '..', 'deploy', 'k8s', 'components', 'monitoring');
const rule = parse(readFileSync(join(monitoring, 'prometheus-rules.yaml'), 'utf8')) as { kind: string; spec: { groups: { name: string; rules: { alert?: string }[] }[] } };

function promtool(args: string[], cwd: string): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  if (result.error) {
    throw new Error(`cannot run promtool (${result.error.message}): install it (Debian: apt-get install prometheus; .ci/run does this)`);
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ttelgo-rules-'));
  writeFileSync(join(dir, 'rules.yaml'), stringify({ groups: rule.spec.groups }));
  copyFileSync(join(monitoring, 'prometheus-rules.test.yaml'), join(dir, 'tests.yaml'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the PrometheusRule holds the alerts the platform needs', () => {
  expect(rule.kind).toBe('PrometheusRule');
  const alerts = rule.spec.groups.flatMap((g) => g.rules.map((r) => r.alert)).sort();
  expect(alerts).toEqual([
    'TtelgoDeadLetters',
    'TtelgoEsimGoBreakerOpen',
    'TtelgoHttp5xxRatioHigh',
    'TtelgoOrdersAwaitingPaymentTooLong',
    'TtelgoOrdersPastProvisioningDeadline',
    'TtelgoOutboxStuck',
    'TtelgoProviderContractErrors',
    'TtelgoProviderOrdersPastDeadline',
    'TtelgoProvisioningPaused',
    'TtelgoTargetDown',
    'TtelgoWebhookIngressFailing',
  ]);
});

test('promtool check rules: the rules parse', () => {
  const { status, output } = promtool(['check', 'rules', 'rules.yaml'], dir);
  expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS: 11 rules found') });
});

test('promtool test rules: every alert fires when it should and only then', () => {
  const { status, output } = promtool(['test', 'rules', 'tests.yaml'], dir);
  expect({ status, output }).toEqual({ status: 0, output: expect.stringContaining('SUCCESS') });
  // Every alert has at least one case.
  const cases = readFileSync(join(dir, 'tests.yaml'), 'utf8');
  for (const alert of rule.spec.groups.flatMap((g) => g.rules.map((r) => r.alert))) expect({ alert, tested: cases.includes(`alertname: ${alert}`) }).toEqual({ alert, tested: true });
});
