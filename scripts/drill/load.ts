/**
 * The drill's clients: resellers (B2B, X-API-Key) and travellers (B2C, JWT then a card payment at Stripe), placing
 * orders at a steady rate through both gateway replicas in turn. A client retries a refused request (network
 * error, 409, 429, 5xx) with the SAME Idempotency-Key, as the API documentation tells integrators to, until it is
 * accepted or its patience runs out. What each client saw is recorded for the checks (./checks).
 */
import { randomUUID } from 'node:crypto';
import { drillUrls } from './drill-platform';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Reply<T = unknown> {
  status: number;
  body: T;
  text: string;
}

let nextGateway = 0;
/** JSON over HTTP to one gateway replica, the next one each call; status 0 = no answer (network error or timeout). */
export async function api<T = unknown>(method: string, path: string, opts: { headers?: Record<string, string>; body?: unknown; gateway?: number } = {}): Promise<Reply<T>> {
  const base = drillUrls.gateways[opts.gateway ?? nextGateway++ % drillUrls.gateways.length]!;
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: body as T, text };
  } catch (err) {
    return { status: 0, body: undefined as T, text: (err as Error).message };
  }
}

export function ok<T>(what: string, r: Reply<T>, ...statuses: number[]): T {
  if (!statuses.includes(r.status)) throw new Error(`${what} answered ${r.status}: ${r.text.slice(0, 300)}`);
  return r.body;
}

const retryable = (status: number) => status === 0 || status === 409 || status === 429 || status >= 500;

export interface Vendor {
  id: string;
  key: string;
  billingMode: 'PREPAID' | 'POSTPAID';
}
export interface Customer {
  email: string;
  token: string;
}

/** One order a client meant to place: its key, what the platform answered, and every order id it was given. */
export interface Attempted {
  kind: 'B2B' | 'B2C';
  key: string;
  vendor?: Vendor;
  customer?: Customer;
  /** Order ids the platform answered with for this key (more than one = a duplicate). */
  ids: Set<string>;
  attempts: number;
  /** The answer carried another request's data (a reply delivered to the wrong caller). */
  mismatched: boolean;
  /** B2C: the card payment was confirmed at Stripe. */
  paid?: boolean;
  total?: number;
  gaveUp?: string;
}

export const FUNDS = 100_000_000;
const PATIENCE_MS = 120_000;

/** The admin's token; retried while the platform is still recovering from the previous drill. */
export async function adminToken(): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await api<{ accessToken: string }>('POST', '/api/v1/auth/login', { body: { email: 'admin@ttelgo.local', password: 'ttelgo-admin-dev-password' } });
    if (!retryable(r.status) || Date.now() > deadline) return ok('admin login', r, 200).accessToken;
    await sleep(1000);
  }
}

export async function createVendors(token: string, label: string, count: number): Promise<Vendor[]> {
  const auth = { authorization: `Bearer ${token}` };
  const vendors: Vendor[] = [];
  for (let i = 0; i < count; i++) {
    const billingMode = i % 2 === 0 ? 'PREPAID' : 'POSTPAID';
    const created = ok(
      'POST /admin/vendors',
      await api<{ id: string }>('POST', '/api/v1/admin/vendors', {
        headers: { ...auth, 'idempotency-key': randomUUID() },
        body: { name: `drill ${label} ${i}`, email: `drill-${randomUUID()}@example.com`, billingMode, currency: 'USD', ...(billingMode === 'POSTPAID' ? { creditLimit: FUNDS } : {}), markupPercent: 10, rateLimitPerMinute: 100_000 },
      }),
      201,
    );
    const { key } = ok('POST api-keys', await api<{ key: string }>('POST', `/api/v1/admin/vendors/${created.id}/api-keys`, { headers: auth, body: { name: 'drill' } }), 201);
    if (billingMode === 'PREPAID') {
      ok(
        'POST adjustments',
        await api('POST', `/api/v1/admin/vendors/${created.id}/adjustments`, { headers: { ...auth, 'idempotency-key': randomUUID() }, body: { amount: FUNDS, reason: 'drill funding' } }),
        201,
      );
    }
    vendors.push({ id: created.id, key, billingMode });
  }
  return vendors;
}

export async function createCustomers(count: number): Promise<Customer[]> {
  const customers: Customer[] = [];
  for (let i = 0; i < count; i++) {
    const email = `drill-${randomUUID()}@example.com`;
    const r = await api<{ accessToken: string }>('POST', '/api/v1/auth/register', { body: { email, password: `drill-${randomUUID()}` } });
    customers.push({ email, token: ok('register', r, 201, 200).accessToken });
  }
  return customers;
}

/** A bundle vendors and travellers can both buy (the catalogue is in place once esim-provisioning is ready). */
export async function pickBundle(vendor: Vendor): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await api<{ data?: Array<{ name: string }> }>('GET', '/api/v1/vendor/bundles?country=FR&limit=1', { headers: { 'x-api-key': vendor.key } });
    const name = r.status === 200 ? r.body.data?.[0]?.name : undefined;
    if (name) return name;
    if (Date.now() > deadline) throw new Error(`no FR bundle after 60 s: ${r.status} ${r.text.slice(0, 200)}`);
    await sleep(500);
  }
}

/** Places one order until it is accepted, retrying with the same key. */
async function placeB2b(a: Attempted, bundleName: string, deadline: number): Promise<void> {
  for (;;) {
    a.attempts++;
    const r = await api<{ id: string; customerReference: string | null; bundleName: string }>('POST', '/api/v1/vendor/orders', {
      headers: { 'x-api-key': a.vendor!.key, 'idempotency-key': a.key },
      body: { bundleName, quantity: 1, customerReference: a.key },
    });
    if (r.status === 201 || r.status === 202) {
      a.ids.add(r.body.id);
      if (r.body.customerReference !== a.key || r.body.bundleName !== bundleName) a.mismatched = true;
      return;
    }
    if (!retryable(r.status) || Date.now() > deadline) return void (a.gaveUp = `${r.status} ${r.text.slice(0, 160)}`);
    await sleep(Math.min(2000, 200 * a.attempts));
  }
}

async function placeB2c(a: Attempted, bundleName: string, deadline: number): Promise<void> {
  let paymentIntentId: string | undefined;
  for (;;) {
    a.attempts++;
    const r = await api<{ id: string; bundleName: string; total: { amount: number }; payment: { paymentIntentId: string } }>('POST', '/api/v1/orders', {
      headers: { authorization: `Bearer ${a.customer!.token}`, 'idempotency-key': a.key },
      body: { bundleName, quantity: 1 },
    });
    if (r.status === 201) {
      a.ids.add(r.body.id);
      a.total = r.body.total.amount;
      if (r.body.bundleName !== bundleName) a.mismatched = true;
      paymentIntentId = r.body.payment.paymentIntentId;
      break;
    }
    if (!retryable(r.status) || Date.now() > deadline) return void (a.gaveUp = `${r.status} ${r.text.slice(0, 160)}`);
    await sleep(Math.min(2000, 200 * a.attempts));
  }
  // The traveller pays with a card at Stripe (the simulator), with Stripe's own idempotency key on the confirm.
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${drillUrls.stripe}/v1/payment_intents/${paymentIntentId}/confirm`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk_test_drill', 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': `confirm-${a.key}` },
        body: 'payment_method=pm_card_visa',
        signal: AbortSignal.timeout(10_000),
      });
      const pi = (await res.json()) as { status?: string; amount?: number };
      if (res.ok && pi.status === 'succeeded') {
        a.paid = true;
        if (pi.amount !== a.total) a.mismatched = true;
        return;
      }
      if (res.status < 500 && res.status !== 409) return void (a.gaveUp = `confirm ${res.status}`);
    } catch {
      // retried below
    }
    if (Date.now() > deadline) return void (a.gaveUp = 'confirm: no answer');
    await sleep(Math.min(2000, 200 * attempt));
  }
}

export interface LoadPlan {
  seconds: number;
  b2bPerSecond: number;
  b2cPerSecond: number;
  vendors: Vendor[];
  customers: Customer[];
  bundleName: string;
}

/** Open-loop load: B2B and B2C orders at their rates for `seconds`; resolves when every client is done. */
export async function runLoad(plan: LoadPlan): Promise<Attempted[]> {
  const attempted: Attempted[] = [];
  const running: Array<Promise<void>> = [];
  const t0 = Date.now();
  const end = t0 + plan.seconds * 1000;
  const schedule = (rate: number, start: (n: number) => void) =>
    (async () => {
      for (let n = 0; rate > 0; n++) {
        const at = t0 + (n * 1000) / rate;
        if (at >= end) return;
        await sleep(Math.max(0, at - Date.now()));
        start(n);
      }
    })();
  await Promise.all([
    schedule(plan.b2bPerSecond, (n) => {
      const a: Attempted = { kind: 'B2B', key: randomUUID(), vendor: plan.vendors[n % plan.vendors.length]!, ids: new Set(), attempts: 0, mismatched: false };
      attempted.push(a);
      running.push(placeB2b(a, plan.bundleName, Date.now() + PATIENCE_MS));
    }),
    schedule(plan.b2cPerSecond, (n) => {
      const a: Attempted = { kind: 'B2C', key: randomUUID(), customer: plan.customers[n % plan.customers.length]!, ids: new Set(), attempts: 0, mismatched: false };
      attempted.push(a);
      running.push(placeB2c(a, plan.bundleName, Date.now() + PATIENCE_MS));
    }),
  ]);
  await Promise.all(running);
  return attempted;
}
