/**
 * OWASP API7:2023 Server Side Request Forgery, through PUT /api/v1/vendor/webhook-endpoint with the real
 * notification service under production rules (https only, ports 443 and 8443): every form the guard handles is
 * refused with one answer, "not allowed", that tells nothing about our network (what a name resolves to, or that it
 * does not resolve). DNS answers for *.vendor.test are pinned by an injected resolver.
 */
import { loadNotificationConfig } from '../../apps/notification/src/config';
import type { ResolvedAddress } from '../../apps/notification/src/infrastructure/webhook-url.guard';
import { apiKey, expectProblem, json } from '../../apps/gateway/test/support/gateway.harness';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

const PUBLIC = '93.184.216.34';
const DNS: Record<string, string[] | 'ENOTFOUND'> = {
  'hooks.vendor.test': [PUBLIC],
  'internal.vendor.test': ['10.1.2.3'],
  'mixed.vendor.test': [PUBLIC, '169.254.169.254'],
  'nowhere.vendor.test': 'ENOTFOUND',
};
async function resolver(host: string): Promise<ResolvedAddress[]> {
  const answer = DNS[host];
  if (answer === undefined || answer === 'ENOTFOUND') throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return answer.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
}

let sec: SecurityGateway;
let key: string;
beforeAll(async () => {
  sec = await startSecurityGateway('api7', {}, { realNotification: { env: { WEBHOOK_REQUIRE_HTTPS: 'true', WEBHOOK_ALLOWED_PORTS: '443,8443' }, resolver } });
  key = (await sec.vendor()).key;
});
afterAll(() => sec?.close());

const setUrl = (url: string) => sec.http.send('PUT', '/api/v1/vendor/webhook-endpoint', { url }, apiKey(key));

describe('API7 server side request forgery', () => {
  it.each([
    ['loopback', 'https://127.0.0.1/hook'],
    ['private', 'https://10.0.0.1/hook'],
    ['cloud metadata', 'https://169.254.169.254/latest/meta-data/'],
    ['IPv6 loopback', 'https://[::1]/hook'],
    ['IPv6 unique local', 'https://[fd00::1]/hook'],
    ['IPv4-mapped IPv6', 'https://[::ffff:127.0.0.1]/hook'],
    ['decimal IPv4', 'https://2130706433/hook'],
    ['hex IPv4', 'https://0x7f.1/hook'],
    ['unspecified', 'https://0.0.0.0/hook'],
    ['single-label host', 'https://metadata/computeMetadata/v1/'],
    ['single-label host with a trailing dot', 'https://redis./'],
    ['localhost', 'https://localhost/hook'],
    ['a name resolving to a private address', 'https://internal.vendor.test/hook'],
    ['a name with one private address among public ones', 'https://mixed.vendor.test/hook'],
    ['a name that does not resolve', 'https://nowhere.vendor.test/hook'],
    ['plain http in production', `http://${PUBLIC}/hook`],
    ['a port other than 443/8443', `https://${PUBLIC}:8080/hook`],
    ['credentials in the URL', 'https://user:secret@hooks.vendor.test/hook'],
    ['another scheme', 'ftp://hooks.vendor.test/hook'],
    ['a file URL', 'file:///etc/passwd'],
  ])('refuses %s with a 400 that says nothing more than "not allowed"', async (_name, url) => {
    const res = await setUrl(url);
    // The gateway's request schema already refuses some forms (IPv6 literals, other schemes) as VALIDATION_FAILED;
    // everything it lets through is the guard's one answer.
    const { code } = json<{ code: string }>(res);
    expect(['WEBHOOK_URL_NOT_ALLOWED', 'VALIDATION_FAILED']).toContain(code);
    expectProblem(res, 400, code);
    if (code === 'WEBHOOK_URL_NOT_ALLOWED') expect(json<{ detail: string }>(res).detail).toBe('The webhook URL is not allowed.');
    expect(res.body).not.toMatch(/10\.1\.2\.3|169\.254|resolve|ENOTFOUND|getaddrinfo|private|loopback|single-label|port|scheme/i);
  });

  it('answers the guard\'s refusals all alike, whatever the reason', async () => {
    const bodies = new Set<string>();
    for (const url of ['https://127.0.0.1/a', 'https://internal.vendor.test/a', 'https://nowhere.vendor.test/a', 'https://metadata/a', `http://${PUBLIC}/a`]) {
      const problem = json<{ code: string; title: string; detail: string; type: string }>(await setUrl(url));
      bodies.add(JSON.stringify([problem.code, problem.title, problem.detail, problem.type]));
    }
    expect([...bodies]).toHaveLength(1);
  });

  it('accepts a public https URL on 443 or 8443', async () => {
    expect((await setUrl('https://hooks.vendor.test/ttelgo')).status).toBe(200);
    expect((await setUrl(`https://${PUBLIC}:8443/hook`)).status).toBe(200);
  });

  it('requires https and ports 443/8443 in production by default, configurably; development allows both', () => {
    const base = { WEBHOOK_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') };
    expect(loadNotificationConfig({ ...base, NODE_ENV: 'production' }).webhooks).toMatchObject({ requireHttps: true, allowedPorts: [443, 8443] });
    expect(loadNotificationConfig({ ...base, NODE_ENV: 'production', WEBHOOK_REQUIRE_HTTPS: 'false', WEBHOOK_ALLOWED_PORTS: '443,9443' }).webhooks).toMatchObject({
      requireHttps: false,
      allowedPorts: [443, 9443],
    });
    expect(loadNotificationConfig({ ...base, NODE_ENV: 'development' }).webhooks).toMatchObject({ requireHttps: false, allowedPorts: undefined });
    expect(() => loadNotificationConfig({ ...base, NODE_ENV: 'production', WEBHOOK_ALLOWED_PORTS: '443,http' })).toThrow(/WEBHOOK_ALLOWED_PORTS/);
  });
});
