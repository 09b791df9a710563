/**
 * B2B benchmark: concurrent reseller orders through the public vendor API (POST /api/v1/vendor/orders,
 * X-API-Key, a unique Idempotency-Key each, no `Prefer: wait`) from several vendors for
 * BENCH_SECONDS, then: orders/s accepted and completed, p50/p99 time-to-COMPLETED, lost / duplicated, the ledger
 * check, and `pgbench -N` on the same Postgres for scale.
 *
 * Two runs, by default both in sequence on one platform (fresh vendors each):
 *   closed  BENCH_CONCURRENCY clients, each placing its next order as soon as the last was accepted: max throughput.
 *           Target: >= 200 orders/s completed.
 *   rate    open loop at BENCH_RATE orders/s (default 100; at most BENCH_CONCURRENCY requests in flight, latency
 *           counted from the scheduled send so a stalled client does not hide queueing). Target: p99 < 1 s.
 * BENCH_MODE=closed|rate|both selects; BENCH_RATE set without BENCH_MODE runs the rate run only.
 *
 * `pgbench -N -c 8 -j 2 -T 15` (scale 10, scratch database ttelgo_pgbench, dropped after) runs while the platform idles.
 * Time-to-COMPLETED is measured from the moment the POST is sent (scheduled, in the rate run) to the order's
 * COMPLETED transition as the order service recorded it (orders_bench.order_status_history, read-only SQL, same
 * host clock); the time at which this client's polling saw COMPLETED is printed beside it (it adds up to the poll
 * interval). Completion is detected by polling GET /api/v1/vendor/orders?limit=100 newest-first per vendor, only as
 * deep as the oldest order still in flight.
 *
 * The whole platform runs as real processes (ports +10000, vhost ttelgo_bench, schemas *_bench, LOG_LEVEL warn).
 * eSIM Go's simulated latency is 0 and its rate limit lifted (esimgo-sim ESIMGO_SIM_RATE_LIMIT=0, confirmed with
 * POST /__sim/faults), esim-provisioning's own limit raised to 1000/s, the vendors' gateway limit 100000/min: at the
 * production 10 req/s the provider alone would cap the run at 10 orders/s and nothing else would be measured.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { reachable, startPlatform, type RunningPlatform } from '../scripts/platform';
import {
  BENCH_PORT_OFFSET,
  benchEnv,
  benchNodeArgs,
  benchOpsPort,
  benchServices,
  benchUrls,
  cpuPercent,
  cpuTimes,
  deadLetters,
  envInt,
  loadAverage,
  percentile,
  queueDepths,
  resetBenchState,
  scrapeMetrics,
  stopInReverse,
} from './support';

const SECONDS = envInt('BENCH_SECONDS', 60);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 32);
const VENDORS = envInt('BENCH_VENDORS', 4);
const RATE = envInt('BENCH_RATE', 100);
const DRAIN_S = envInt('BENCH_DRAIN_S', 60);
const POLL_MS = envInt('BENCH_POLL_MS', 250);
const MODE = (process.env.BENCH_MODE ?? (process.env.BENCH_RATE ? 'rate' : 'both')).toLowerCase();

const TARGET_COMPLETED_PER_S = 200;
const TARGET_P99_MS = 1000;
/** PREPAID wallets get this much by admin adjustment; POSTPAID vendors this credit limit (minor units: 10 M USD). */
const FUNDS = 1_000_000_000;
const ESIMGO_RATE_LIMIT_PER_SECOND = '1000';
const SERVICES = ['esimgo-sim', 'stripe-sim', 'smtp-catcher', 'esim-provisioning', 'payment', 'vendor-billing', 'order', 'notification', 'gateway'];
const TERMINAL = new Set(['COMPLETED', 'REJECTED', 'FAILED', 'CANCELLED', 'REFUNDED']);

const api = new URL(benchUrls.gateway);
const esimGoControl = `${new URL(benchUrls.esimGo).origin}/__sim`;
const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
/** Wall-clock milliseconds with sub-ms precision, comparable with Postgres timestamps taken on this host. */
const wallNow = () => performance.timeOrigin + performance.now();

interface Reply<T> {
  status: number;
  body: T;
  text: string;
}

/** JSON over a keep-alive agent (lighter than fetch for the client that shares the 2 cores). status 0 = network error. */
function call<T>(agent: http.Agent, method: string, path: string, opts: { headers?: Record<string, string>; body?: unknown } = {}): Promise<Reply<T>> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve) => {
    const req = http.request(
      { host: api.hostname, port: api.port, path, method, agent, headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...opts.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: kept as text
          }
          resolve({ status: res.statusCode ?? 0, body: body as T, text });
        });
        res.on('error', (err) => resolve({ status: 0, body: err.message as T, text: err.message }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout after 30 s')));
    req.on('error', (err) => resolve({ status: 0, body: err.message as T, text: err.message }));
    req.end(payload);
  });
}

function expect<T>(what: string, r: Reply<T>, ...ok: number[]): T {
  if (!ok.includes(r.status)) throw new Error(`${what} answered ${r.status}: ${r.text.slice(0, 500)}`);
  return r.body;
}

interface Money {
  amount: number;
  currency: string;
}
interface VendorOrder {
  id: string;
  status: string;
  total: Money;
  esims: Array<{ iccid: string }>;
  createdAt: string;
}
interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
interface Vendor {
  index: number;
  id: string;
  billingMode: 'PREPAID' | 'POSTPAID';
  key: string;
}
interface Placed {
  vendor: number;
  id: string;
  /** When the POST was sent (rate run: when it was scheduled), wall-clock ms. */
  sentAt: number;
  acceptMs: number;
  total: number;
  createdAt: number;
  status: string;
  /** When this client's polling first saw a terminal status. */
  observedAt?: number;
  /** COMPLETED as the order service recorded it (order_status_history). */
  completedAt?: number;
}

/** Read-only SQL against the benchmark schemas (what the public API does not expose). */
async function readOnlySql<R>(fn: (db: Client) => Promise<R>): Promise<R> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query('SET default_transaction_read_only = on');
    return await fn(db);
  } finally {
    await db.end();
  }
}

/** `pgbench -N` (no updates of the small tables: the write path of an OLTP service) on a scratch database of the same server. */
function pgbenchTps(): { tps: number; line: string } {
  const url = new URL(databaseUrl);
  const env = { ...process.env, PGHOST: url.hostname, PGPORT: url.port || '5432', PGUSER: decodeURIComponent(url.username || 'postgres'), PGPASSWORD: decodeURIComponent(url.password) };
  const db = 'ttelgo_pgbench';
  const psql = (sql: string) => execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', 'postgres', '-c', sql], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  psql(`DROP DATABASE IF EXISTS ${db}`);
  psql(`CREATE DATABASE ${db}`);
  try {
    execFileSync('pgbench', ['-i', '-q', '-s', '10', db], { env, stdio: ['ignore', 'ignore', 'ignore'] });
    const out = execFileSync('pgbench', ['-N', '-c', '8', '-j', '2', '-T', '15', db], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const line = out.split('\n').find((l) => /^tps = /.test(l) && !/including/.test(l)) ?? out.split('\n').find((l) => /^tps = /.test(l)) ?? '';
    const tps = Number(/tps = ([\d.]+)/.exec(line)?.[1]);
    if (!Number.isFinite(tps)) throw new Error(`could not read tps from pgbench:\n${out}`);
    return { tps, line: line.trim() };
  } finally {
    psql(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  }
}

async function adminToken(agent: http.Agent): Promise<string> {
  const email = process.env.ADMIN_EMAIL ?? 'admin@ttelgo.local';
  const password = process.env.ADMIN_PASSWORD ?? 'ttelgo-admin-dev-password';
  return expect('admin login', await call<{ accessToken: string }>(agent, 'POST', '/api/v1/auth/login', { body: { email, password } }), 200).accessToken;
}

async function createVendors(agent: http.Agent, token: string, label: string): Promise<Vendor[]> {
  const auth = { authorization: `Bearer ${token}` };
  const vendors: Vendor[] = [];
  for (let index = 0; index < VENDORS; index++) {
    const billingMode = index % 2 === 0 ? 'PREPAID' : 'POSTPAID';
    const created = expect(
      'POST /admin/vendors',
      await call<{ id: string }>(agent, 'POST', '/api/v1/admin/vendors', {
        headers: { ...auth, 'idempotency-key': randomUUID() },
        body: {
          name: `bench ${label} ${index}`,
          email: `bench-${randomUUID()}@example.com`,
          billingMode,
          currency: 'USD',
          ...(billingMode === 'POSTPAID' ? { creditLimit: FUNDS } : {}),
          markupPercent: 15,
          rateLimitPerMinute: 100_000,
        },
      }),
      201,
    );
    const { key } = expect('POST /admin/vendors/{id}/api-keys', await call<{ key: string }>(agent, 'POST', `/api/v1/admin/vendors/${created.id}/api-keys`, { headers: auth, body: { name: 'bench' } }), 201);
    if (billingMode === 'PREPAID') {
      expect(
        'POST /admin/vendors/{id}/adjustments',
        await call(agent, 'POST', `/api/v1/admin/vendors/${created.id}/adjustments`, { headers: { ...auth, 'idempotency-key': randomUUID() }, body: { amount: FUNDS, reason: 'benchmark funding' } }),
        201,
      );
    }
    vendors.push({ index, id: created.id, billingMode, key });
  }
  return vendors;
}

async function vendorBundle(agent: http.Agent, vendor: Vendor): Promise<{ name: string; price: Money }> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = await call<{ data?: Array<{ name: string; price: Money }> }>(agent, 'GET', '/api/v1/vendor/bundles?country=FR&limit=1', { headers: { 'x-api-key': vendor.key } });
    const bundle = r.status === 200 ? r.body.data?.[0] : undefined;
    if (bundle) return bundle;
    if (Date.now() > deadline) throw new Error(`no FR bundle for vendors after 60 s: ${r.status} ${r.text.slice(0, 300)}`);
    await sleep(500);
  }
}

/** Every page of a vendor list route (limit 100). */
async function allPages<T>(agent: http.Agent, vendor: Vendor, path: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const r: Reply<Page<T>> = await call<Page<T>>(agent, 'GET', `${path}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: { 'x-api-key': vendor.key } });
    const page = expect(`GET ${path}`, r, 200);
    items.push(...page.data);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

interface RunResult {
  label: string;
  met: boolean;
  completedPerS: number;
  p99: number;
}

interface Observability {
  platform: RunningPlatform;
  vhost: string | undefined;
  opsPorts: Array<{ name: string; port: number }>;
}

/** One measured run: fresh vendors, BENCH_SECONDS of orders, drain, then every check. */
async function runOnce(mode: 'closed' | 'rate', agent: http.Agent, adminJwt: string, obs: Observability, pgbench: { tps: number } | undefined): Promise<RunResult> {
  const label = mode === 'closed' ? `closed loop, ${CONCURRENCY} clients` : `open loop at ${RATE} orders/s (<= ${CONCURRENCY} in flight)`;
  console.log(`\n=== run: ${label}, ${SECONDS} s, ${VENDORS} vendors ===`);
  const vendors = await createVendors(agent, adminJwt, mode);
  const bundle = await vendorBundle(agent, vendors[0]!);
  console.log(
    `vendors: ${vendors.map((v) => `${v.billingMode}`).join(', ')} (PREPAID funded ${FUNDS / 100} USD by adjustment, POSTPAID credit limit ${FUNDS / 100} USD), ` +
      `rateLimitPerMinute 100000, markup 15 %; bundle ${bundle.name} at ${bundle.price.amount} ${bundle.price.currency} (vendor price)`,
  );
  const sim0 = await simState();
  const dlqBefore = obs.vhost ? deadLetters(obs.vhost) : undefined;

  const placed = new Map<string, Placed>();
  const pending: Array<Map<string, Placed>> = vendors.map(() => new Map());
  const acceptLatencies: number[] = [];
  const failures = new Map<string, number>();
  const failureSamples: string[] = [];
  let duplicateAccepts = 0;
  let retries = 0;
  let attempts = 0;
  let loadDone = false;

  const place = async (seq: number, vendor: Vendor, sentAt: number): Promise<void> => {
    const key = randomUUID();
    for (let attempt = 1; ; attempt++) {
      attempts++;
      const started = wallNow();
      const r = await call<VendorOrder>(agent, 'POST', '/api/v1/vendor/orders', {
        headers: { 'x-api-key': vendor.key, 'idempotency-key': key },
        body: { bundleName: bundle.name, quantity: 1, customerReference: `bench-${mode}-${seq}` },
      });
      const done = wallNow();
      if (r.status === 202 || r.status === 201) {
        acceptLatencies.push(done - sentAt);
        const o = r.body;
        if (placed.has(o.id)) {
          duplicateAccepts++;
          return;
        }
        const p: Placed = { vendor: vendor.index, id: o.id, sentAt, acceptMs: done - started, total: o.total.amount, createdAt: Date.parse(o.createdAt), status: o.status };
        placed.set(o.id, p);
        if (TERMINAL.has(o.status)) p.observedAt = done;
        else pending[vendor.index]!.set(o.id, p);
        return;
      }
      const what = r.status === 0 ? 'network error' : `${r.status} ${(r.body as { code?: string })?.code ?? ''}`.trim();
      failures.set(what, (failures.get(what) ?? 0) + 1);
      if (failureSamples.length < 3) failureSamples.push(`${r.status} ${r.text.slice(0, 200)}`);
      // Retried with the same key, as a client should (409 in progress, 429, 5xx, network): safe by the key.
      if ((r.status === 0 || r.status === 409 || r.status === 429 || r.status >= 500) && attempt < 6) {
        retries++;
        await sleep(200 * attempt);
        continue;
      }
      return;
    }
  };

  // Completion polling: newest first, per vendor, only as deep as the oldest order still in flight.
  let polls = 0;
  let pollRequests = 0;
  const poller = (async () => {
    let drainDeadline = Infinity;
    for (;;) {
      await sleep(POLL_MS);
      if (loadDone && drainDeadline === Infinity) drainDeadline = Date.now() + DRAIN_S * 1000;
      const waiting = vendors.filter((v) => pending[v.index]!.size > 0);
      if (loadDone && (waiting.length === 0 || Date.now() > drainDeadline)) return;
      polls++;
      await Promise.all(
        waiting.map(async (v) => {
          const open = pending[v.index]!;
          const oldest = Math.min(...[...open.values()].map((p) => p.createdAt));
          let cursor: string | null = null;
          do {
            pollRequests++;
            const r: Reply<Page<VendorOrder>> = await call<Page<VendorOrder>>(agent, 'GET', `/api/v1/vendor/orders?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
              headers: { 'x-api-key': v.key },
            });
            if (r.status !== 200) return;
            const seenAt = wallNow();
            for (const o of r.body.data) {
              const p = open.get(o.id);
              if (!p) continue;
              p.status = o.status;
              if (TERMINAL.has(o.status)) {
                p.observedAt = seenAt;
                open.delete(o.id);
              }
            }
            const last = r.body.data[r.body.data.length - 1];
            cursor = last && Date.parse(last.createdAt) >= oldest ? r.body.nextCursor : null;
          } while (cursor);
        }),
      );
    }
  })();

  // The load, and a look at the platform half-way through (CPU by process, queue depths).
  console.log(`placing orders…  (load average now ${loadAverage()})`);
  const t0 = wallNow();
  const runCpu0 = cpuTimes();
  const runPids0 = await benchBackendPids();
  const end = t0 + SECONDS * 1000;
  let cpuBefore = cpuTimes();
  let cpuWindowStart = wallNow();
  let midDepths: Array<[string, number]> | undefined;
  let cpuReport: Map<number, { comm: string; pct: number }> | undefined;
  const sampler = (async () => {
    await sleep((SECONDS * 1000) / 4);
    cpuBefore = cpuTimes();
    cpuWindowStart = wallNow();
    await sleep((SECONDS * 1000) / 2);
    cpuReport = cpuPercent(cpuBefore, cpuTimes(), wallNow() - cpuWindowStart);
    midDepths = obs.vhost ? queueDepths(obs.vhost) : undefined;
  })();
  let seq = 0;
  let unsent = 0;
  if (mode === 'closed') {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (wallNow() < end) {
          const n = seq++;
          await place(n, vendors[n % vendors.length]!, wallNow());
        }
      }),
    );
  } else {
    let inFlight = 0;
    const slots: Array<() => void> = [];
    const running: Array<Promise<void>> = [];
    for (let n = 0; ; n++) {
      const scheduled = t0 + (n * 1000) / RATE;
      if (scheduled >= end) break;
      const wait = scheduled - wallNow();
      if (wait > 0) await sleep(wait);
      if (inFlight >= CONCURRENCY) await new Promise<void>((resolve) => slots.push(resolve));
      // The platform fell behind the offered rate: what is still unsent at the end of the window is never sent (counted).
      if (wallNow() >= end) {
        unsent = Math.ceil(((end - t0) * RATE) / 1000) - n;
        break;
      }
      inFlight++;
      seq++;
      running.push(
        place(n, vendors[n % vendors.length]!, scheduled).finally(() => {
          inFlight--;
          slots.shift()?.();
        }),
      );
    }
    await Promise.all(running);
  }
  const loadEnd = wallNow();
  loadDone = true;
  await sampler;
  console.log(`load over after ${fmt((loadEnd - t0) / 1000, 2)} s; draining (up to ${DRAIN_S} s)…  (load average now ${loadAverage()})`);
  await poller;
  // The capture of a COMPLETED order's hold (billing.capture-funds.v1 -> ledger posting) follows asynchronously: the
  // ledger is checked once no vendor has funds reserved any more (within another drain budget), not while captures
  // are still queued.
  const settleStart = wallNow();
  let settledAfterS: number | undefined;
  if (pending.every((p) => p.size === 0)) {
    const settleDeadline = settleStart + DRAIN_S * 1000;
    for (;;) {
      const reserved = await Promise.all(
        vendors.map(async (v) => (await call<{ reserved: number }>(agent, 'GET', '/api/v1/vendor/balance', { headers: { 'x-api-key': v.key } })).body.reserved),
      );
      if (reserved.every((r) => r === 0)) {
        settledAfterS = (wallNow() - settleStart) / 1000;
        break;
      }
      if (wallNow() > settleDeadline) break;
      await sleep(POLL_MS);
    }
  }
  const drainEnd = wallNow();
  const runCpu1 = cpuTimes();
  const runPids1 = await benchBackendPids();

  // COMPLETED as the order service recorded it.
  const ids = [...placed.keys()];
  let historySource = 'orders_bench.order_status_history (read-only SQL)';
  try {
    const rows = await readOnlySql((db) =>
      db.query<{ order_id: string; at: Date }>(
        `SELECT order_id, min("at") AS "at" FROM orders_bench.order_status_history WHERE to_status = 'COMPLETED' AND order_id = ANY($1::uuid[]) GROUP BY order_id`,
        [ids],
      ),
    );
    for (const row of rows.rows) {
      const p = placed.get(row.order_id);
      if (p) p.completedAt = row.at.getTime();
    }
  } catch (err) {
    historySource = `poll-observed (history query failed: ${(err as Error).message})`;
    for (const p of placed.values()) if (p.status === 'COMPLETED' && p.observedAt) p.completedAt = p.observedAt;
  }

  // Final state through the public API: every order of every vendor, balance, ledger.
  const finalOrders = await Promise.all(vendors.map((v) => allPages<VendorOrder>(agent, v, '/api/v1/vendor/orders')));
  const balances = await Promise.all(vendors.map(async (v) => expect('GET /vendor/balance', await call<{ balance: number; reserved: number; available: number }>(agent, 'GET', '/api/v1/vendor/balance', { headers: { 'x-api-key': v.key } }), 200)));
  const ledgers = await Promise.all(vendors.map((v) => allPages<{ kind: string; amount: number; orderId: string | null }>(agent, v, '/api/v1/vendor/ledger')));
  const sim1 = await simState();

  // Lost / duplicated.
  const byStatus = new Map<string, number>();
  let duplicatedInLists = 0;
  let foreign = 0;
  let esimsOfCompleted = 0;
  let esimMismatchVendors = 0;
  const iccids = new Set<string>();
  let duplicateIccids = 0;
  const completedTotals: number[] = vendors.map(() => 0);
  const completedCounts: number[] = vendors.map(() => 0);
  for (const v of vendors) {
    const seen = new Set<string>();
    let vendorEsims = 0;
    for (const o of finalOrders[v.index]!) {
      if (seen.has(o.id)) duplicatedInLists++;
      seen.add(o.id);
      const p = placed.get(o.id);
      if (!p || p.vendor !== v.index) {
        foreign++;
        continue;
      }
      p.status = o.status;
      byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
      if (o.status === 'COMPLETED') {
        completedCounts[v.index]!++;
        completedTotals[v.index]! += o.total.amount;
        vendorEsims += o.esims.length;
        for (const e of o.esims) {
          if (iccids.has(e.iccid)) duplicateIccids++;
          iccids.add(e.iccid);
        }
      }
    }
    esimsOfCompleted += vendorEsims;
    if (vendorEsims !== completedCounts[v.index]) esimMismatchVendors++;
  }
  const listed = finalOrders.map((orders) => new Set(orders.map((o) => o.id)));
  const notListed = ids.filter((id) => !listed[placed.get(id)!.vendor]!.has(id)).length;
  const accepted = placed.size;
  const completed = completedCounts.reduce((a, b) => a + b, 0);
  const lost = accepted - completed;
  const simOrders = sim1.orders - sim0.orders;
  const simEsims = sim1.esims - sim0.esims;
  const duplicated = duplicateAccepts + duplicatedInLists + duplicateIccids + Math.max(0, simOrders - completed) + esimMismatchVendors;

  // Ledger per vendor.
  const ledgerLines: string[] = [];
  let ledgerOk = true;
  for (const v of vendors) {
    const entries = ledgers[v.index]!;
    const charges = entries.filter((e) => e.kind === 'ORDER_CHARGE');
    const charged = -charges.reduce((a, e) => a + e.amount, 0);
    const chargedOrders = new Set(charges.map((e) => e.orderId));
    const bal = balances[v.index]!;
    const ok =
      charged === completedTotals[v.index] &&
      charges.length === completedCounts[v.index] &&
      chargedOrders.size === charges.length &&
      bal.reserved === 0 &&
      (v.billingMode === 'POSTPAID' || (bal.available >= 0 && bal.balance === FUNDS - charged));
    if (!ok) ledgerOk = false;
    ledgerLines.push(
      `  vendor ${v.index} ${v.billingMode.padEnd(8)} completed ${String(completedCounts[v.index]).padStart(6)}  sum of totals ${String(completedTotals[v.index]).padStart(10)}  ` +
        `ORDER_CHARGE ${String(charges.length).padStart(6)} entries, sum ${String(charged).padStart(10)}  balance ${bal.balance} reserved ${bal.reserved} available ${bal.available}  ${ok ? 'ok' : 'MISMATCH'}`,
    );
  }

  // The whole ledger (every vendor of every run in billing_bench): debits = credits, per transaction too.
  let globalLedger = '';
  let globalOk = false;
  try {
    const g = await readOnlySql(async (db) => {
      const sums = await db.query<{ direction: string; total: string; n: string }>(`SELECT direction, sum(amount)::text AS total, count(*)::text AS n FROM billing_bench.ledger_entries GROUP BY direction`);
      const unbalanced = await db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM (SELECT transaction_id FROM billing_bench.ledger_entries GROUP BY transaction_id HAVING sum(CASE direction WHEN 'debit' THEN amount ELSE -amount END) <> 0) t`,
      );
      const negative = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM billing_bench.accounts WHERE kind = 'wallet' AND balance - reserved < 0`);
      return { sums: sums.rows, unbalanced: Number(unbalanced.rows[0]!.n), negativeWallets: Number(negative.rows[0]!.n) };
    });
    const debit = BigInt(g.sums.find((s) => s.direction === 'debit')?.total ?? '0');
    const credit = BigInt(g.sums.find((s) => s.direction === 'credit')?.total ?? '0');
    globalOk = debit === credit && g.unbalanced === 0 && g.negativeWallets === 0;
    globalLedger = `debits ${debit} = credits ${credit}: ${debit === credit ? 'yes' : 'NO'}; unbalanced transactions ${g.unbalanced}; PREPAID wallets below 0 available ${g.negativeWallets}`;
  } catch (err) {
    globalLedger = `not checked: ${(err as Error).message}`;
  }

  // Figures.
  const windowS = SECONDS;
  const acceptedInWindow = [...placed.values()].filter((p) => p.sentAt < end).length;
  const completedInWindow = [...placed.values()].filter((p) => p.completedAt !== undefined && p.completedAt <= end).length;
  const ttc = [...placed.values()].filter((p) => p.completedAt !== undefined).map((p) => p.completedAt! - p.sentAt).sort((a, b) => a - b);
  const ttcObserved = [...placed.values()].filter((p) => p.status === 'COMPLETED' && p.observedAt !== undefined).map((p) => p.observedAt! - p.sentAt).sort((a, b) => a - b);
  acceptLatencies.sort((a, b) => a - b);
  const lastCompletion = Math.max(...[...placed.values()].map((p) => p.completedAt ?? 0));
  const completedPerS = completedInWindow / windowS;
  const p99 = percentile(ttc, 99);
  const dlqAfter = obs.vhost ? deadLetters(obs.vhost) : undefined;
  const dlqDelta = dlqAfter ? Object.entries(dlqAfter).filter(([q, n]) => n !== (dlqBefore?.[q] ?? 0)) : undefined;
  const failuresTotal = [...failures.values()].reduce((a, b) => a + b, 0);

  console.log('');
  console.log(`run                                  ${label}, ${windowS} s window`);
  console.log(`orders sent / accepted               ${seq} / ${accepted}  (${attempts} POSTs, ${retries} retries with the same key; failures ${failuresTotal ? JSON.stringify(Object.fromEntries(failures)) : 'none'})`);
  for (const s of failureSamples) console.log(`  e.g. ${s}`);
  if (unsent > 0) console.log(`NOT SENT (platform behind the rate)   ${unsent} scheduled orders: ${CONCURRENCY} requests were in flight until the window closed`);
  console.log(`orders/s accepted                    ${fmt(acceptedInWindow / windowS)}`);
  console.log(`orders/s completed (in the window)   ${fmt(completedPerS)}   (all ${completed} COMPLETED by ${fmt((lastCompletion - t0) / 1000, 2)} s: ${fmt(completed / ((lastCompletion - t0) / 1000))} orders/s)`);
  console.log(`accept latency p50 / p99             ${fmt(percentile(acceptLatencies, 50))} / ${fmt(percentile(acceptLatencies, 99))} ms${mode === 'rate' ? ' (from the scheduled send)' : ''}`);
  console.log(`time-to-COMPLETED p50 / p99 / max    ${fmt(percentile(ttc, 50))} / ${fmt(p99)} / ${fmt(ttc[ttc.length - 1] ?? NaN)} ms   (send -> COMPLETED in ${historySource})`);
  console.log(`  as seen by polling p50 / p99       ${fmt(percentile(ttcObserved, 50))} / ${fmt(percentile(ttcObserved, 99))} ms   (every ${POLL_MS} ms; ${polls} polls, ${pollRequests} list requests)`);
  console.log(`by final status                      ${JSON.stringify(Object.fromEntries(byStatus))}${notListed ? `; ${notListed} accepted orders missing from their vendor's list` : ''}${foreign ? `; ${foreign} listed orders this run did not accept` : ''}`);
  console.log(`lost (accepted, not COMPLETED in ${DRAIN_S} s drain)  ${lost}`);
  console.log(`funds settled (no vendor reserved)    ${settledAfterS === undefined ? `NOT within ${DRAIN_S} s` : `${fmt(settledAfterS, 2)} s after the last order was seen terminal`}`);
  console.log(
    `duplicated                           ${duplicated}  (same id for two keys ${duplicateAccepts}, twice in a list ${duplicatedInLists}, ICCID twice ${duplicateIccids}, vendors whose eSIMs != completed orders ${esimMismatchVendors})`,
  );
  console.log(`eSIMs                                ${esimsOfCompleted} on ${completed} COMPLETED orders; eSIM Go simulator: ${simOrders} orders, ${simEsims} eSIMs this run (sim orders == completed: ${simOrders === completed ? 'yes' : 'NO'})`);
  console.log('ledger per vendor (GET /vendor/balance, /vendor/ledger):');
  for (const l of ledgerLines) console.log(l);
  console.log(`ledger, whole billing_bench schema   ${globalLedger}  (no vendor-billing endpoint for it: read-only SQL on ledger_entries)`);
  if (pgbench) console.log(`completed orders/s ÷ pgbench -N tps  ${fmt(completedPerS)} / ${fmt(pgbench.tps)} = ${fmt(completedPerS / pgbench.tps, 3)}`);
  console.log(`dead-lettered during the run         ${dlqDelta === undefined ? '(rabbitmqctl unavailable)' : dlqDelta.length === 0 ? 'none' : JSON.stringify(Object.fromEntries(dlqDelta))}`);
  console.log(`queues at mid-run (messages)         ${midDepths === undefined ? '(rabbitmqctl unavailable)' : midDepths.length === 0 ? 'all empty' : midDepths.slice(0, 8).map(([q, n]) => `${q}=${n}`).join(' ')}`);
  if (cpuReport) printCpu(cpuReport, obs.platform);
  printCpuPerOrder(runCpu0, runCpu1, new Set([...runPids0, ...runPids1]), obs.platform, completed);
  await printLag(obs.opsPorts);
  console.log(`load average (1/5/15 min)            ${loadAverage()}  (${os.cpus().length} CPUs); drain took ${fmt((drainEnd - loadEnd) / 1000, 2)} s`);

  const integrity = lost === 0 && duplicated === 0 && ledgerOk && globalOk && simOrders === completed;
  const target = mode === 'closed' ? completedPerS >= TARGET_COMPLETED_PER_S : p99 < TARGET_P99_MS && unsent === 0;
  const targetText = mode === 'closed' ? `${fmt(completedPerS)} orders/s completed (target >= ${TARGET_COMPLETED_PER_S})` : `p99 time-to-COMPLETED ${fmt(p99)} ms (target < ${TARGET_P99_MS} ms)`;
  console.log(`${target ? 'TARGET MET' : 'TARGET NOT MET'}: ${targetText}; integrity (lost 0, duplicated 0, ledger) ${integrity ? 'OK' : 'FAILED'}`);
  return { label, met: target && integrity, completedPerS, p99 };

  async function simState(): Promise<{ orders: number; esims: number }> {
    return expect('GET /__sim/state', await simCall(), 200);
  }
}

function simCall(): Promise<Reply<{ orders: number; esims: number }>> {
  return fetch(`${esimGoControl}/state`).then(async (r) => {
    const text = await r.text();
    return { status: r.status, body: JSON.parse(text) as { orders: number; esims: number }, text };
  });
}

function printCpu(report: Map<number, { comm: string; pct: number }>, platform: RunningPlatform): void {
  const named = new Map<number, string>(platform.children.map(({ name, child }) => [child.pid ?? -1, name]));
  named.set(process.pid, 'bench client');
  const rows: Array<[string, number]> = [];
  const groups = new Map<string, number>();
  for (const [pid, { comm, pct }] of report) {
    const name = named.get(pid);
    if (name) rows.push([name, pct]);
    else {
      const group = comm === 'postgres' ? 'postgres (all backends)' : comm.startsWith('beam') ? 'rabbitmq (beam)' : 'everything else on the box';
      groups.set(group, (groups.get(group) ?? 0) + pct);
    }
  }
  rows.push(...groups);
  const total = [...report.values()].reduce((a, b) => a + b.pct, 0);
  rows.sort((a, b) => b[1] - a[1]);
  console.log(`CPU % by process, middle half of the run (100 = one core; all processes: ${fmt(total, 0)} of ${os.cpus().length * 100}):`);
  console.log(`  ${rows.filter(([, p]) => p >= 0.5).map(([n, p]) => `${n} ${fmt(p, 0)}`).join(', ')}`);
}

/** Backends of the benchmark's own services (their application_name names a `*_bench` schema), not other clients of the server. */
async function benchBackendPids(): Promise<Set<number>> {
  try {
    return await readOnlySql(async (db) => new Set((await db.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name LIKE '%\\_bench%'`)).rows.map((r) => r.pid)));
  } catch {
    return new Set();
  }
}

/**
 * CPU time per COMPLETED order over the whole run (load + drain), by process: unlike the mid-run CPU %, it charges
 * the work of a backlog drained after the load to the orders that caused it, and it separates the benchmark's own
 * Postgres backends from other clients of the same server.
 */
function printCpuPerOrder(
  before: Map<number, { comm: string; ms: number }>,
  after: Map<number, { comm: string; ms: number }>,
  benchBackends: Set<number>,
  platform: RunningPlatform,
  completed: number,
): void {
  if (completed === 0) return;
  const named = new Map<number, string>(platform.children.map(({ name, child }) => [child.pid ?? -1, name]));
  const groups = new Map<string, number>();
  for (const [pid, a] of after) {
    const ms = a.ms - (before.get(pid)?.ms ?? 0);
    if (ms <= 0) continue;
    const name =
      named.get(pid) ??
      (a.comm === 'postgres' ? (benchBackends.has(pid) ? 'postgres (bench backends)' : 'postgres (other)') : a.comm.startsWith('beam') ? 'rabbitmq' : undefined);
    if (name) groups.set(name, (groups.get(name) ?? 0) + ms);
  }
  const rows = [...groups].sort((a, b) => b[1] - a[1]);
  const platformMs = rows.filter(([n]) => n !== 'postgres (other)').reduce((a, [, ms]) => a + ms, 0);
  console.log(`CPU-ms per COMPLETED order, load + drain (${completed} orders; platform total ${fmt(platformMs / completed)}):`);
  console.log(`  ${rows.map(([n, ms]) => `${n} ${fmt(ms / completed)}`).join(', ')}`);
}

async function printLag(targets: Array<{ name: string; port: number }>): Promise<void> {
  const parts: string[] = [];
  for (const t of targets) {
    const samples = await scrapeMetrics(`http://127.0.0.1:${t.port}/metrics`).catch(() => undefined);
    const lag = samples?.find((x) => x.name === 'nodejs_eventloop_lag_p99_seconds')?.value;
    if (lag !== undefined) parts.push(`${t.name} ${(lag * 1000).toFixed(0)}`);
  }
  if (parts.length > 0) console.log(`event-loop lag p99 (ms, /metrics)    ${parts.join(', ')}`);
}

export async function runB2bBench(): Promise<boolean> {
  if (!['closed', 'rate', 'both'].includes(MODE)) throw new Error(`BENCH_MODE must be closed, rate or both, got '${MODE}'`);
  const modes: Array<'closed' | 'rate'> = MODE === 'both' ? ['closed', 'rate'] : [MODE as 'closed' | 'rate'];
  console.log(`load average (1/5/15 min) at start: ${loadAverage()}  (${os.cpus().length} CPUs; os.loadavg())`);

  const { env, vhost } = benchEnv({ STRIPE_SIM_WEBHOOK_URL: '' });
  const processes = benchServices(SERVICES, {
    'esimgo-sim': { ESIMGO_SIM_RATE_LIMIT: '0', ESIMGO_SIM_BALANCE: '1000000000' },
    'stripe-sim': { STRIPE_SIM_WEBHOOK_URL: '' },
    'esim-provisioning': { ESIMGO_RATE_LIMIT_PER_SECOND },
  });
  // Another benchmark on the same ports, vhost and schemas would mix both measurements: refuse instead.
  const busy = (await Promise.all(processes.map(async (p) => ((await reachable(`http://127.0.0.1:${benchOpsPort(p)}`, 80)) ? p.name : undefined)))).filter(Boolean);
  if (busy.length > 0) throw new Error(`another benchmark platform is running (ports of ${busy.join(', ')} +${BENCH_PORT_OFFSET} answer): wait for it to end`);
  // What an earlier run left unfinished (queued commands, unsent outbox rows) would be processed during this one: it
  // costs CPU that is charged to this run's orders, and the eSIM Go simulator's order count then exceeds this run's
  // completed orders (the duplicate check). A clean slate, unless BENCH_KEEP_STATE=1.
  if (process.env.BENCH_KEEP_STATE !== '1') {
    await resetBenchState({ databaseUrl, services: processes, vhost });
    console.log('Bench schemas (*_bench) dropped and the vhost recreated: a clean slate (BENCH_KEEP_STATE=1 keeps them).');
  }
  const crashed: string[] = [];
  let stopping = false;
  const platform = await startPlatform({
    services: processes,
    env,
    stdio: 'inherit',
    opsPort: benchOpsPort,
    nodeArgs: benchNodeArgs,
    onUnexpectedExit: (name, code, signal) => {
      if (stopping) return;
      crashed.push(name);
      console.error(`!! ${name} exited during the benchmark (code ${code}, signal ${signal})`);
    },
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY + 2 * VENDORS + 8 });
  const results: RunResult[] = [];
  let pgbench: { tps: number; line: string } | undefined;
  try {
    const faults = await fetch(`${esimGoControl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rateLimitPerSecond: 0, latencyMs: 0 }) });
    const applied = (await faults.json()) as { faults?: { rateLimitPerSecond?: number; latencyMs?: number } } & { rateLimitPerSecond?: number; latencyMs?: number };
    const f = applied.faults ?? applied;
    if (!faults.ok || f.rateLimitPerSecond !== 0 || f.latencyMs !== 0) throw new Error(`esimgo-sim faults: ${faults.status} ${JSON.stringify(applied)}`);
    console.log(
      `\nRate limits LIFTED (as the issue allows for this benchmark): esimgo-sim latency 0 and per-IP limit off (POST /__sim/faults), ` +
        `esim-provisioning ESIMGO_RATE_LIMIT_PER_SECOND=${ESIMGO_RATE_LIMIT_PER_SECOND} (production: 10), vendors rateLimitPerMinute 100000.`,
    );
    console.log(`${SERVICES.length} processes on their usual ports +${BENCH_PORT_OFFSET}, vhost ${vhost ?? '(default: rabbitmqctl unavailable)'}, schemas *_bench, LOG_LEVEL=warn.`);
    // pgbench on the same Postgres server while the platform idles, for scale.
    console.log('pgbench -i -s 10, then pgbench -N -c 8 -j 2 -T 15 on a scratch database ttelgo_pgbench (dropped after)…');
    try {
      pgbench = pgbenchTps();
      console.log(`pgbench -N: ${pgbench.line}  (load average now ${loadAverage()})`);
    } catch (err) {
      console.log(`pgbench not measured: ${(err as Error).message}`);
    }
    const jwt = await adminToken(agent);
    const obs: Observability = { platform, vhost, opsPorts: processes.map((p) => ({ name: p.name, port: benchOpsPort(p) })) };
    for (const mode of modes) results.push(await runOnce(mode, agent, jwt, obs, pgbench));
  } finally {
    stopping = true;
    agent.destroy();
    await stopInReverse(platform);
  }

  console.log('\n=== summary ===');
  if (pgbench) console.log(`pgbench -N tps ${fmt(pgbench.tps)}`);
  for (const r of results) {
    console.log(
      `${r.label.padEnd(44)} completed ${fmt(r.completedPerS).padStart(6)} orders/s (ratio to pgbench -N ${pgbench ? fmt(r.completedPerS / pgbench.tps, 3) : 'n/a'}), p99 time-to-COMPLETED ${fmt(r.p99)} ms: ${r.met ? 'MET' : 'NOT MET'}`,
    );
  }
  if (crashed.length > 0) console.log(`processes that exited: ${crashed.join(', ')}`);
  console.log(`load average (1/5/15 min) at end: ${loadAverage()}`);
  const met = results.length === modes.length && results.every((r) => r.met) && crashed.length === 0;
  console.log(met ? 'ALL TARGETS MET' : 'TARGETS NOT MET');
  return met;
}
