/**
 * POSTPAID payments end to end, through the public API only: a POSTPAID reseller buys on credit, an admin records
 * the reseller's bank transfer (POST /admin/vendors/{id}/payments), and the reseller sees what it owes drop and its
 * available credit grow, with one PAYMENT entry in its ledger however often the admin retries with the same key.
 */
import { randomUUID } from 'node:crypto';
import { apiClient } from './support/api';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestPlatform, type TestPlatform } from './support/platform';

let platform: TestPlatform;
let api: ReturnType<typeof apiClient>;
let adminToken: string;
let bundleName: string;

beforeAll(async () => {
  platform = await startTestPlatform();
  api = apiClient(platform.api);
  const login = await api.post<{ accessToken: string }>('/api/v1/auth/login', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  expect(login.status).toBe(200);
  adminToken = login.body.accessToken;
  bundleName = (await api.get<{ data: Array<{ name: string }> }>('/api/v1/bundles?country=FR&limit=1')).body.data[0]!.name;
}, 180_000);

afterAll(async () => {
  await platform?.stop();
});

interface Balance {
  billingMode: string;
  currency: string;
  balance: number;
  reserved: number;
  available: number;
  creditLimit: number | null;
}

describe('POSTPAID payments and statements', () => {
  it('a reseller buys on credit, the admin records its bank transfer once, the reseller owes less and sees the PAYMENT and the month\'s statement', async () => {
    const created = await api.post<{ id: string }>(
      '/api/v1/admin/vendors',
      { name: `Reseller ${randomUUID().slice(0, 8)}`, email: `ops-${randomUUID()}@reseller.example`, billingMode: 'POSTPAID', currency: 'USD', creditLimit: 20_000, markupPercent: 0 },
      adminToken,
    );
    expect(created.status).toBe(201);
    const vendorId = created.body.id;
    const key = (await api.post<{ key: string }>(`/api/v1/admin/vendors/${vendorId}/api-keys`, { name: 'primary' }, adminToken)).body.key;
    const asVendor = { 'X-API-Key': key };
    const balance = async () => (await api.call<Balance>('GET', '/api/v1/vendor/balance', { headers: asVendor })).body;

    const placed = await api.call<{ status: string; total: { amount: number } }>('POST', '/api/v1/vendor/orders', {
      body: { bundleName, quantity: 1 },
      headers: { ...asVendor, 'Idempotency-Key': randomUUID(), Prefer: 'wait=30' },
    });
    expect(placed.body.status).toBe('COMPLETED');
    const owed = placed.body.total.amount;
    expect(await balance()).toMatchObject({ billingMode: 'POSTPAID', balance: -owed, available: 20_000 - owed });

    // A reseller cannot record its own payment.
    expect((await api.call('POST', `/api/v1/admin/vendors/${vendorId}/payments`, { body: { amount: owed, reference: 'x' }, headers: asVendor })).status).toBe(401);

    // The admin records a transfer of part of the debt, and retries it with the same Idempotency-Key.
    const paid = Math.max(1, Math.floor(owed / 2));
    const idempotencyKey = randomUUID();
    const record = () => api.post<{ transactionId: string; balance: Balance }>(`/api/v1/admin/vendors/${vendorId}/payments`, { amount: paid, reference: 'SEPA E2E-0001' }, adminToken, { 'Idempotency-Key': idempotencyKey });
    const first = await record();
    expect(first.status).toBe(201);
    expect(first.body.balance).toMatchObject({ billingMode: 'POSTPAID', currency: 'USD', balance: -(owed - paid), reserved: 0, available: 20_000 - owed + paid, creditLimit: 20_000 });
    const again = await record();
    expect([again.status, again.body.transactionId]).toEqual([201, first.body.transactionId]);

    expect(await balance()).toMatchObject({ balance: -(owed - paid), reserved: 0, available: 20_000 - owed + paid });
    const ledger = await api.call<{ data: Array<{ transactionId: string; kind: string; amount: number; balanceAfter: number }> }>('GET', '/api/v1/vendor/ledger', { headers: asVendor });
    expect(ledger.body.data.map((e) => [e.kind, e.amount, e.balanceAfter])).toEqual([
      ['PAYMENT', paid, -(owed - paid)],
      ['ORDER_CHARGE', -owed, -owed],
    ]);
    expect(ledger.body.data[0]!.transactionId).toBe(first.body.transactionId);

    // The month's statement, as the reseller and as the admin see it: one charge, one payment, what is still owed.
    const month = new Date().toISOString().slice(0, 7);
    const statement = await api.call<Record<string, unknown>>('GET', `/api/v1/vendor/statements/${month}`, { headers: asVendor });
    expect(statement.status).toBe(200);
    expect(statement.body).toEqual({ month, currency: 'USD', openingBalance: 0, charges: owed, payments: paid, adjustments: 0, closingBalance: owed - paid, final: false });
    expect((await api.get(`/api/v1/admin/vendors/${vendorId}/statements/${month}`, adminToken)).body).toEqual(statement.body);
    const lastYear = `${Number(month.slice(0, 4)) - 1}-${month.slice(5)}`;
    expect((await api.call('GET', `/api/v1/vendor/statements/${lastYear}`, { headers: asVendor })).body).toMatchObject({ openingBalance: 0, charges: 0, closingBalance: 0, final: true });
    const nextYear = `${Number(month.slice(0, 4)) + 1}-${month.slice(5)}`;
    expect((await api.call<{ code: string }>('GET', `/api/v1/vendor/statements/${nextYear}`, { headers: asVendor })).body.code).toBe('MONTH_NOT_STARTED');
    expect((await api.call('GET', '/api/v1/vendor/statements/2026-13', { headers: asVendor })).status).toBe(400);

    // A PREPAID reseller tops up by card instead.
    const prepaid = await api.post<{ id: string }>(
      '/api/v1/admin/vendors',
      { name: `Reseller ${randomUUID().slice(0, 8)}`, email: `ops-${randomUUID()}@reseller.example`, billingMode: 'PREPAID', currency: 'USD' },
      adminToken,
    );
    const refused = await api.post<{ code: string }>(`/api/v1/admin/vendors/${prepaid.body.id}/payments`, { amount: 100, reference: 'SEPA E2E-0002' }, adminToken);
    expect([refused.status, refused.body.code]).toEqual([409, 'PAYMENT_NOT_APPLICABLE']);
    const noStatement = await api.get<{ code: string }>(`/api/v1/admin/vendors/${prepaid.body.id}/statements/${month}`, adminToken);
    expect([noStatement.status, noStatement.body.code]).toEqual([409, 'STATEMENT_NOT_AVAILABLE']);
  });
});
