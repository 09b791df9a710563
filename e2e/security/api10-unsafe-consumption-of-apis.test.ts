/**
 * OWASP API10:2023 Unsafe Consumption of APIs: what providers send is validated before use. eSIM Go's usage
 * callbacks are verified (signature) and then parsed strictly (a signed but malformed callback is 400 and handed
 * to nobody); a service that fails unexpectedly becomes a 502 that leaks nothing of it. (esim-provisioning reads eSIM
 * Go's answers against the documented v2.4 schemas: apps/esim-provisioning/test/esimgo.client.test.ts.)
 */
import { createHmac } from 'node:crypto';
import { CRASH_NAME, CRASH_SECRET } from '../../apps/gateway/test/support/esim.double';
import { expectProblem, rawRequest } from '../../apps/gateway/test/support/gateway.harness';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

const SIGNING_KEY = 'esimgo-callback-key-of-the-security-suite';
let sec: SecurityGateway;
beforeAll(async () => {
  sec = await startSecurityGateway('api10', { ESIMGO_CALLBACK_SIGNING_KEY: SIGNING_KEY });
});
afterAll(() => sec?.close());

const deliver = (raw: string) =>
  rawRequest(sec.gateway.handle.port, 'POST', '/api/v1/webhooks/esimgo', {
    headers: { 'content-type': 'application/json', 'x-signature-sha256': createHmac('sha256', SIGNING_KEY).update(raw).digest('base64') },
    body: raw,
  });

describe('API10 unsafe consumption of APIs', () => {
  it.each([
    ['not JSON', '{"alertType":'],
    ['an array', '[]'],
    ['a bad ICCID', JSON.stringify({ alertType: 'FirstAttachment', iccid: "' OR 1=1 --" })],
    ['a prototype-polluting body', '{"__proto__":{"admin":true},"alertType":"Utilisation"}'],
  ])('refuses a signed callback that is %s with a 400 problem', async (_name, raw) => {
    const res = await deliver(raw);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('turns an unexpected failure behind the gateway into 502 UPSTREAM_ERROR without its details', async () => {
    const res = await sec.http.get(`/api/v1/bundles/${CRASH_NAME}`);
    expectProblem(res, 502, 'UPSTREAM_ERROR');
    expect(res.body).not.toContain(CRASH_SECRET);
  });
});
