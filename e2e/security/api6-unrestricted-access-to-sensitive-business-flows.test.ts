/**
 * OWASP API6:2023 Unrestricted Access to Sensitive Business Flows: flooding the order and top-up flows. A burst with
 * one Idempotency-Key places one order; a burst with fresh keys is cut by the per-user (traveller) and per-vendor
 * (reseller) limits with 429 + Retry-After, and the orders placed never exceed the limit.
 */
import { randomUUID } from 'node:crypto';
import { apiKey, bearer, expectProblem } from '../../apps/gateway/test/support/gateway.harness';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

const USER_LIMIT = 15;
let sec: SecurityGateway;
beforeAll(async () => {
  sec = await startSecurityGateway('api6', { USER_RATE_LIMIT_PER_MINUTE: String(USER_LIMIT) });
});
afterAll(() => sec?.close());

describe('API6 unrestricted access to sensitive business flows', () => {
  it('a burst of one order with one Idempotency-Key places it once', async () => {
    const c = await sec.customer();
    const key = randomUUID();
    const before = sec.orders.placeRequests.length;
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => sec.http.post('/api/v1/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, { ...bearer(c.accessToken), 'idempotency-key': key })),
    );
    const ids = new Set(answers.filter((r) => r.status === 201).map((r) => (JSON.parse(r.body) as { id: string }).id));
    expect(ids.size).toBe(1);
    for (const r of answers) expect([201, 409]).toContain(r.status);
    expect(new Set(sec.orders.placeRequests.slice(before).map((r) => r['requestKey'])).size).toBe(1);
  });

  it('a traveller flooding orders with fresh keys is cut at the per-user limit', async () => {
    const c = await sec.customer();
    const before = sec.orders.placeRequests.length;
    const answers = [];
    for (let i = 0; i < USER_LIMIT + 5; i++) {
      answers.push(await sec.http.post('/api/v1/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, { ...bearer(c.accessToken), 'idempotency-key': randomUUID() }));
    }
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(5);
    expectProblem(limited[0]!, 429, 'RATE_LIMITED');
    expect(Number(limited[0]!.headers['retry-after'])).toBeGreaterThan(0);
    expect(sec.orders.placeRequests.length - before).toBeLessThanOrEqual(USER_LIMIT);
  });

  it('a vendor flooding top-ups and orders is cut at its own limit', async () => {
    const { key } = await sec.vendor({ rateLimitPerMinute: 6 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await sec.http.post('/api/v1/vendor/topups', { amount: 1000 }, { ...apiKey(key), 'idempotency-key': randomUUID() })).status);
    for (let i = 0; i < 5; i++) {
      statuses.push((await sec.http.post('/api/v1/vendor/orders', { bundleName: 'esim_1GB_7D_FR_V2', quantity: 1 }, { ...apiKey(key), 'idempotency-key': randomUUID() })).status);
    }
    expect(statuses.filter((s) => s === 429).length).toBe(4);
    expect(statuses.slice(6).every((s) => s === 429)).toBe(true);
  });
});
