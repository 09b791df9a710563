/**
 * What a drill reads from the platform besides its clients' own record: the final state of every order through
 * the public API, the eSIM Go simulator's purchases and request rate, the ledger and the job bookkeeping through
 * read-only SQL on the drill's own Postgres (nothing public exposes them), and wallets sampled while it runs.
 */
import { createPgClient } from '@ttelgo/db';
import { drillUrls, DRILL_JOB_INTERVALS_MS } from './drill-platform';
import { api, ok, type Customer, type Reply, type Vendor } from './load';

export const TERMINAL = new Set(['COMPLETED', 'REJECTED', 'FAILED', 'CANCELLED', 'REFUNDED']);

export interface ListedOrder {
  id: string;
  status: string;
  total: { amount: number };
  customerReference?: string | null;
  esims?: Array<{ iccid: string }>;
}

async function allPages<T>(path: string, headers: Record<string, string>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const r: Reply<{ data: T[]; nextCursor: string | null }> = await api<{ data: T[]; nextCursor: string | null }>('GET', `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers });
    const page: { data: T[]; nextCursor: string | null } = ok(`GET ${path}`, r, 200);
    items.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

export const vendorOrders = (v: Vendor) => allPages<ListedOrder>('/api/v1/vendor/orders', { 'x-api-key': v.key });
export const customerOrders = (c: Customer) => allPages<ListedOrder>('/api/v1/orders', { authorization: `Bearer ${c.token}` });
export const vendorLedger = (v: Vendor) => allPages<{ kind: string; amount: number; orderId: string | null }>('/api/v1/vendor/ledger', { 'x-api-key': v.key });

export async function vendorBalance(v: Vendor): Promise<{ balance: number; reserved: number; available: number }> {
  return ok('GET /vendor/balance', await api('GET', '/api/v1/vendor/balance', { headers: { 'x-api-key': v.key } }), 200);
}

/** Read-only SQL on the drill's own database. */
export async function readOnlySql<R>(databaseUrl: string, fn: (q: (text: string, values?: unknown[]) => Promise<Array<Record<string, unknown>>>) => Promise<R>): Promise<R> {
  const db = createPgClient({ databaseUrl, applicationName: 'drill-observer' });
  await db.connect();
  try {
    await db.query('SET default_transaction_read_only = on');
    return await fn(async (text, values) => (await db.query(text, values)).rows as Array<Record<string, unknown>>);
  } finally {
    await db.end().catch(() => undefined);
  }
}

export interface LedgerCheck {
  balanced: boolean;
  detail: string;
}

/** The whole ledger: debits = credits, in every transaction. */
export async function ledgerBalanced(databaseUrl: string): Promise<LedgerCheck> {
  return readOnlySql(databaseUrl, async (q) => {
    const sums = await q(`SELECT direction, sum(amount)::text AS total FROM billing.ledger_entries GROUP BY direction`);
    const unbalanced = await q(
      `SELECT count(*)::int AS n FROM (SELECT transaction_id FROM billing.ledger_entries GROUP BY transaction_id HAVING sum(CASE direction WHEN 'debit' THEN amount ELSE -amount END) <> 0) t`,
    );
    const debit = BigInt((sums.find((s) => s.direction === 'debit')?.total as string) ?? '0');
    const credit = BigInt((sums.find((s) => s.direction === 'credit')?.total as string) ?? '0');
    const n = Number(unbalanced[0]!.n);
    return { balanced: debit === credit && n === 0, detail: `debits ${debit}, credits ${credit}, unbalanced transactions ${n}` };
  });
}

/**
 * Samples the wallets (PREPAID: balance - reserved must never go below 0) every `intervalMs` while a drill runs;
 * a sample that fails (Postgres restarting) is skipped. stop() resolves to the number of negative sightings.
 */
export function watchWallets(databaseUrl: string, intervalMs = 1000): { stop(): Promise<{ negative: number; samples: number }> } {
  let running = true;
  let negative = 0;
  let samples = 0;
  const loop = (async () => {
    while (running) {
      try {
        const rows = await readOnlySql(databaseUrl, (q) => q(`SELECT count(*)::int AS n FROM billing.accounts WHERE kind = 'wallet' AND balance - reserved < 0`));
        samples++;
        negative += Number(rows[0]!.n);
      } catch {
        // the database is away (a drill restarts it): the next sample counts
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { negative, samples };
    },
  };
}

/** Every periodic job's run counter, by job (`<schema>:<name>`, as startScheduledJob names it). */
export async function jobRuns(databaseUrl: string): Promise<Map<string, number>> {
  return readOnlySql(databaseUrl, async (q) => {
    const runs = new Map<string, number>();
    for (const schema of ['orders', 'payments', 'esims', 'billing', 'gateway', 'notifications']) {
      const exists = await q(`SELECT to_regclass($1) IS NOT NULL AS e`, [`${schema}._job_runs`]);
      if (!exists[0]!.e) continue;
      for (const row of await q(`SELECT job, runs::int AS runs FROM "${schema}"._job_runs`)) runs.set(String(row.job), Number(row.runs));
    }
    return runs;
  });
}

/** The jobs whose interval the drill shortens, with that interval: at most one run per 0.9 x interval across replicas. */
export const CHECKED_JOBS: Record<string, number> = {
  'orders:expire-unpaid-orders': DRILL_JOB_INTERVALS_MS.EXPIRY_SWEEP_INTERVAL_MS,
  'orders:reconcile-stuck-orders': DRILL_JOB_INTERVALS_MS.ORDER_RECONCILE_INTERVAL_MS,
  'payments:stripe-event-retry': DRILL_JOB_INTERVALS_MS.STRIPE_EVENT_RETRY_INTERVAL_MS,
  'esims:reconcile-provider-orders': DRILL_JOB_INTERVALS_MS.PROVISION_RECONCILE_INTERVAL_MS,
};

export interface EsimGoState {
  orders: number;
  peakRequestsPerSecond: number;
  rateLimited: number;
  totalRequests: number;
}

export async function esimGoState(): Promise<EsimGoState> {
  const res = await fetch(`${drillUrls.esimGo}/__sim/state`);
  return (await res.json()) as EsimGoState;
}

export async function esimGoControl(path: string, body: unknown = {}): Promise<void> {
  const res = await fetch(`${drillUrls.esimGo}/__sim/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`esimgo-sim /__sim/${path} answered ${res.status}: ${await res.text()}`);
}

export async function stripeControl(path: string, body: unknown = {}): Promise<void> {
  const res = await fetch(`${drillUrls.stripe}/__sim/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`stripe-sim /__sim/${path} answered ${res.status}: ${await res.text()}`);
}

/**
 * Purchases the simulator recorded: its order reference, and the clientReference it was sent with (our order id;
 * the drill's esim-provisioning sends it, eSIM Go itself keeps none), from the control API.
 */
export async function esimGoPurchases(): Promise<Array<{ reference: string; clientReference?: string }>> {
  const res = await fetch(`${drillUrls.esimGo}/__sim/orders`);
  if (!res.ok) throw new Error(`esimgo-sim /__sim/orders answered ${res.status}`);
  const body = (await res.json()) as { orders: Array<{ orderReference: string; clientReference: string | null }> };
  return body.orders.map((o) => ({ reference: o.orderReference, ...(o.clientReference ? { clientReference: o.clientReference } : {}) }));
}

/** Which of our orders holds each eSIM Go order (esim-provisioning's own record, read-only SQL). */
export async function heldPurchases(databaseUrl: string): Promise<Map<string, string>> {
  return readOnlySql(databaseUrl, async (q) => {
    const rows = await q(`SELECT provider_reference, order_id::text AS order_id FROM esims.provider_orders WHERE provider_reference IS NOT NULL`);
    return new Map(rows.map((r) => [String(r.provider_reference), String(r.order_id)]));
  });
}

/** Refunds at Stripe per PaymentIntent (two for one order = a duplicate effect). */
export async function stripeRefundsPerIntent(): Promise<Map<string, number>> {
  const per = new Map<string, number>();
  let startingAfter: string | undefined;
  for (;;) {
    const res = await fetch(`${drillUrls.stripe}/v1/refunds?limit=100${startingAfter ? `&starting_after=${startingAfter}` : ''}`, { headers: { authorization: 'Bearer sk_test_drill' } });
    const body = (await res.json()) as { data: Array<{ id: string; payment_intent: string }>; has_more: boolean };
    for (const r of body.data) per.set(r.payment_intent, (per.get(r.payment_intent) ?? 0) + 1);
    if (!body.has_more || body.data.length === 0) return per;
    startingAfter = body.data[body.data.length - 1]!.id;
  }
}
