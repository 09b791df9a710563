/**
 * Dev seeding for `npm start`: logs in as the admin the gateway seeded, makes sure a demo PREPAID reseller
 * exists with some wallet balance, and issues it a fresh API key (earlier demo keys are revoked), so a
 * developer can call `/api/v1/vendor/*` at once. Everything goes through the public API, like a real operator.
 */
const DEMO_VENDOR_EMAIL = 'demo-reseller@ttelgo.local';
const DEMO_KEY_NAME = 'npm start demo key';

interface Json {
  [key: string]: unknown;
}

async function call(base: string, method: string, path: string, opts: { token?: string; body?: unknown; idempotencyKey?: string } = {}): Promise<{ status: number; body: Json }> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  const res = await fetch(`${base}${path}`, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

export interface DemoSeed {
  adminEmail: string;
  adminPassword: string;
  vendorId?: string;
  apiKey?: string;
  problem?: string;
}

export async function seedDemo(base: string, admin: { email: string; password: string }): Promise<DemoSeed> {
  const seed: DemoSeed = { adminEmail: admin.email, adminPassword: admin.password };
  const login = await call(base, 'POST', '/api/v1/auth/login', { body: admin });
  if (login.status !== 200) return { ...seed, problem: `admin login answered ${login.status}` };
  const token = String(login.body.accessToken);

  let vendorId: string | undefined;
  for (let cursor: string | null = null, first = true; first || cursor; first = false) {
    const page = await call(base, 'GET', `/api/v1/admin/vendors?limit=100${cursor ? `&cursor=${cursor}` : ''}`, { token });
    if (page.status !== 200) return { ...seed, problem: `listing vendors answered ${page.status}` };
    const data = page.body.data as Array<{ id: string; email: string }>;
    vendorId = data.find((v) => v.email === DEMO_VENDOR_EMAIL)?.id ?? vendorId;
    cursor = (page.body.nextCursor as string | null) ?? null;
    if (vendorId) break;
  }
  if (!vendorId) {
    const created = await call(base, 'POST', '/api/v1/admin/vendors', {
      token,
      idempotencyKey: 'npm-start-demo-vendor',
      body: { name: 'Demo Reseller', email: DEMO_VENDOR_EMAIL, billingMode: 'PREPAID', currency: 'USD', markupPercent: 10, rateLimitPerMinute: 600 },
    });
    if (created.status !== 201) return { ...seed, problem: `creating the demo vendor answered ${created.status}: ${JSON.stringify(created.body)}` };
    vendorId = String(created.body.id);
    await call(base, 'POST', `/api/v1/admin/vendors/${vendorId}/adjustments`, {
      token,
      idempotencyKey: `npm-start-demo-credit-${vendorId}`,
      body: { amount: 100_00, reason: 'demo credit from npm start' },
    });
  }
  const keys = await call(base, 'GET', `/api/v1/admin/vendors/${vendorId}/api-keys`, { token });
  for (const key of (keys.body.data as Array<{ id: string; name: string; revokedAt?: string | null }> | undefined) ?? []) {
    if (key.name === DEMO_KEY_NAME && !key.revokedAt) await call(base, 'DELETE', `/api/v1/admin/vendors/${vendorId}/api-keys/${key.id}`, { token });
  }
  const issued = await call(base, 'POST', `/api/v1/admin/vendors/${vendorId}/api-keys`, { token, body: { name: DEMO_KEY_NAME } });
  if (issued.status !== 201) return { ...seed, vendorId, problem: `issuing the demo key answered ${issued.status}` };
  return { ...seed, vendorId, apiKey: String(issued.body.key) };
}
