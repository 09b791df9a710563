/**
 * Webhook benchmark (B2C issue, "Performance (benchmark)"): signed `payment_intent.succeeded` events for existing
 * orders, sent at the gateway's Stripe ingress by BENCH_CONCURRENCY concurrent senders. Measures accepted events/s,
 * p50/p99 ack latency, and the time from the first send until every order is COMPLETED.
 *
 * The whole B2C platform runs as real processes (benchmark ports, vhost and schemas). The orders are real: placed
 * through the public API, paid at stripe-sim, whose events are then read back (GET /v1/events) and sent by this
 * benchmark instead of by stripe-sim (which has no webhook URL here). eSIM Go's simulated rate limit is lifted and
 * esim-provisioning's own limit raised, as the issue allows for B2B: at 10 req/s the provider alone would set the
 * completion time (500 orders ≥ 50 s) and nothing else would be measured.
 */
import { createHmac, randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { reachable, startPlatform } from '../scripts/platform';
import { BENCH_PORT_OFFSET, benchEnv, benchNodeArgs, benchOpsPort, benchPort, benchServices, benchUrls, deadLetters, loadAverage, percentile, resetBenchState, scrapeMetrics, stopInReverse } from './support';

function envInt(name: string, def: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? def : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

const ORDERS = envInt('BENCH_ORDERS', 500);
const CONCURRENCY = envInt('BENCH_CONCURRENCY', 50);
const TIMEOUT_S = envInt('BENCH_TIMEOUT_S', 120);
/** Orders are spread over this many customers (register is rate-limited to 10 per minute and IP). */
const CUSTOMERS = Math.min(envInt('BENCH_CUSTOMERS', 5), 10);
/** Concurrency of the setup phases (placing orders, confirming payments): context, not the measurement. */
const SETUP_CONCURRENCY = envInt('BENCH_SETUP_CONCURRENCY', 10);
const POLL_INTERVAL_MS = 250;

const WEBHOOK_SECRET = 'whsec_ttelgo_bench_secret';
const STRIPE_KEY = 'sk_test_bench';
const ESIMGO_RATE_LIMIT_PER_SECOND = '1000';
const SERVICES = ['esimgo-sim', 'stripe-sim', 'smtp-catcher', 'esim-provisioning', 'payment', 'order', 'notification', 'gateway'];

interface PlacedOrder {
  id: string;
  status: string;
  payment: { paymentIntentId: string };
}
interface Customer {
  email: string;
  token: string;
}
interface StripeEvent {
  id: string;
  type: string;
  data: { object: { id: string } };
}

const api = benchUrls.gateway;
const stripe = benchUrls.stripe;
const esimGoControl = `${new URL(benchUrls.esimGo).origin}/__sim`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function json<T>(url: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: kept as text for the error message
  }
  return { status: res.status, body: body as T };
}

function postJson<T>(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  return json<T>(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Runs `task(i)` for i in [0, count) with `concurrency` workers. */
async function pool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}

function stripeSignature(payload: string): string {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac('sha256', WEBHOOK_SECRET).update(`${t}.${payload}`).digest('hex')}`;
}

async function frBundle(): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await json<{ data?: Array<{ name: string }> }>(`${api}/api/v1/bundles?country=FR&limit=1`).catch(() => undefined);
    const name = res?.status === 200 ? res.body.data?.[0]?.name : undefined;
    if (name) return name;
    if (Date.now() > deadline) throw new Error(`no FR bundle in the catalogue after 60 s: ${JSON.stringify(res)}`);
    await sleep(500);
  }
}

async function register(): Promise<Customer> {
  const email = `bench-${randomUUID()}@example.com`;
  const res = await postJson<{ accessToken: string }>(`${api}/api/v1/auth/register`, { email, password: 'correct horse battery staple', name: 'Bench Traveller' });
  if (res.status !== 201) throw new Error(`register answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { email, token: res.body.accessToken };
}

/** POST /api/v1/orders with an Idempotency-Key; a 409/5xx is retried with the same key, as a client should. */
async function placeOrder(customer: Customer, bundleName: string, stats: { retries: number; statuses: Map<number, number>; networkErrors: string[] }): Promise<PlacedOrder> {
  const key = randomUUID();
  for (let attempt = 1; ; attempt++) {
    // A network error is status 0: retried like a 5xx (the key makes that safe).
    const res = await postJson<PlacedOrder>(`${api}/api/v1/orders`, { bundleName, quantity: 1 }, { authorization: `Bearer ${customer.token}`, 'idempotency-key': key }).catch(
      (err: unknown) => ({ status: 0, body: `${String(err)} (${String((err as { cause?: unknown }).cause)})` as unknown as PlacedOrder }),
    );
    if (res.status === 201 && res.body.status === 'AWAITING_PAYMENT') return res.body;
    stats.statuses.set(res.status, (stats.statuses.get(res.status) ?? 0) + 1);
    if (res.status === 0 && stats.networkErrors.length < 3) stats.networkErrors.push(String(res.body));
    if ((res.status === 0 || res.status === 409 || res.status >= 500) && attempt < 6) {
      stats.retries++;
      await sleep(500 * attempt);
      continue;
    }
    throw new Error(`POST /api/v1/orders answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
}

async function confirmPayment(paymentIntentId: string): Promise<void> {
  const res = await json<{ status?: string }>(`${stripe}/v1/payment_intents/${paymentIntentId}/confirm`, {
    method: 'POST',
    headers: { authorization: `Bearer ${STRIPE_KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'payment_method=pm_card_visa',
  });
  if (res.status !== 200 || res.body.status !== 'succeeded') throw new Error(`confirm ${paymentIntentId} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

/** Every payment_intent.succeeded event stripe-sim holds (newest first, paginated with starting_after). */
async function succeededEvents(): Promise<StripeEvent[]> {
  const events: StripeEvent[] = [];
  let startingAfter: string | undefined;
  for (;;) {
    const qs = new URLSearchParams({ type: 'payment_intent.succeeded', limit: '100', ...(startingAfter ? { starting_after: startingAfter } : {}) });
    const res = await json<{ data: StripeEvent[]; has_more: boolean }>(`${stripe}/v1/events?${qs}`, { headers: { authorization: `Bearer ${STRIPE_KEY}` } });
    if (res.status !== 200) throw new Error(`GET /v1/events answered ${res.status}: ${JSON.stringify(res.body)}`);
    events.push(...res.body.data);
    if (!res.body.has_more || res.body.data.length === 0) return events;
    startingAfter = res.body.data[res.body.data.length - 1]!.id;
  }
}

interface SendResult {
  status: number;
  ms: number;
  body: string;
}

/** One POST over a keep-alive agent; the latency is until the whole answer is read. status 0 = network error. */
function sendWebhook(agent: http.Agent, payload: string): Promise<SendResult> {
  const url = new URL('/api/v1/webhooks/stripe', api);
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'stripe-signature': stripeSignature(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => resolve({ status: 0, ms: performance.now() - started, body: err.message }));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout after 30 s')));
    req.on('error', (err) => resolve({ status: 0, ms: performance.now() - started, body: err.message }));
    req.end(payload);
  });
}

/** One pass over every customer's order list (limit 100, following nextCursor): status by order id. */
async function orderStatuses(customers: Customer[]): Promise<Map<string, string>> {
  const statuses = new Map<string, string>();
  await Promise.all(
    customers.map(async (c) => {
      let cursor: string | null = null;
      do {
        const res: { status: number; body: { data: Array<{ id: string; status: string }>; nextCursor: string | null } } = await json(
          `${api}/api/v1/orders?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
          { headers: { authorization: `Bearer ${c.token}` } },
        );
        if (res.status !== 200) return; // counted as "not seen" in this pass; the next pass asks again
        for (const o of res.body.data) statuses.set(o.id, o.status);
        cursor = res.body.nextCursor;
      } while (cursor);
    }),
  );
  return statuses;
}

/**
 * What the services say about the run (their own /metrics): messages consumed by outcome, the gateway's own view
 * of the webhook route, event-loop lag. Where a slow spot or a retry storm shows.
 */
async function printServiceMetrics(targets: Array<{ name: string; opsPort: number }>): Promise<void> {
  console.log('\nservice metrics (from each /metrics):');
  for (const t of targets) {
    const samples = await scrapeMetrics(`http://127.0.0.1:${t.opsPort}/metrics`).catch(() => undefined);
    if (!samples) continue;
    const parts: string[] = [];
    const consumed = new Map<string, number>();
    for (const s of samples.filter((x) => x.name === 'ttelgo_messages_consumed_total')) {
      const key = `${s.labels.type}:${s.labels.outcome}`;
      consumed.set(key, (consumed.get(key) ?? 0) + s.value);
    }
    if (consumed.size > 0) parts.push(`consumed ${[...consumed].map(([k, v]) => `${k}=${v}`).join(' ')}`);
    const route = (suffix: string) =>
      samples.filter((x) => x.name === `ttelgo_http_request_duration_seconds_${suffix}` && x.labels.route?.includes('webhooks/stripe')).reduce((a, x) => a + x.value, 0);
    if (route('count') > 0) parts.push(`webhook route server-side mean ${((route('sum') / route('count')) * 1000).toFixed(0)} ms over ${route('count')}`);
    const external = samples.filter((x) => x.name === 'ttelgo_external_call_duration_seconds_count');
    for (const e of external) {
      const sum = samples.find((x) => x.name === 'ttelgo_external_call_duration_seconds_sum' && JSON.stringify(x.labels) === JSON.stringify(e.labels))?.value ?? 0;
      parts.push(`${e.labels.provider} ${e.labels.operation} ${e.labels.outcome} ${e.value}× mean ${((sum / e.value) * 1000).toFixed(0)} ms`);
    }
    const lag = samples.find((x) => x.name === 'nodejs_eventloop_lag_p99_seconds')?.value;
    if (lag !== undefined) parts.push(`event-loop lag p99 ${(lag * 1000).toFixed(0)} ms`);
    console.log(`  ${t.name.padEnd(18)} ${parts.join('; ')}`);
  }
}

export async function runWebhooksBench(): Promise<boolean> {
  console.log(`load average (1/5/15 min) at start: ${loadAverage()}`);
  const { env, vhost } = benchEnv({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, STRIPE_SIM_WEBHOOK_URL: '' });
  const processes = benchServices(SERVICES, {
    'esimgo-sim': { ESIMGO_SIM_RATE_LIMIT: '0' },
    'stripe-sim': { STRIPE_SIM_WEBHOOK_URL: '' },
    'esim-provisioning': { ESIMGO_RATE_LIMIT_PER_SECOND },
    // 100 orders and their polling per customer in a few seconds: far above a traveller's per-user budget.
    gateway: { USER_RATE_LIMIT_PER_MINUTE: '100000' },
  });
  // Another benchmark on the same ports, vhost and schemas: the reset below would wreck it, and our processes could not listen.
  const busy = (await Promise.all(processes.map(async (p) => ((await reachable(`http://127.0.0.1:${benchOpsPort(p)}`, 0)) ? p.name : undefined)))).filter(Boolean);
  if (busy.length > 0) throw new Error(`another benchmark is running (bench ports of ${busy.join(', ')} answer); run this one after it`);
  // Leftovers of an earlier run (unsent e-mails, unpaid orders, queued messages) would compete with this one.
  if (process.env.BENCH_KEEP_STATE !== '1') {
    await resetBenchState({ databaseUrl: env.DATABASE_URL!, services: processes, vhost });
    console.log('Bench schemas (*_bench) dropped and the vhost recreated: a clean slate (BENCH_KEEP_STATE=1 keeps them).');
  }
  const dlqBefore = vhost ? deadLetters(vhost) : undefined;
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
  try {
    // The rate limits, lifted (the env above did it; the control API confirms it) and no webhook endpoint at stripe-sim.
    const faults = await postJson<{ faults?: { rateLimitPerSecond?: number } }>(`${esimGoControl}/faults`, { rateLimitPerSecond: 0 });
    const hooks = await postJson<{ urls: string[] }>(`${stripe}/__sim/webhooks`, { url: null });
    if (faults.status !== 200 || faults.body.faults?.rateLimitPerSecond !== 0) throw new Error(`esimgo-sim faults: ${faults.status} ${JSON.stringify(faults.body)}`);
    if (hooks.status !== 200 || hooks.body.urls.length !== 0) throw new Error(`stripe-sim webhooks: ${hooks.status} ${JSON.stringify(hooks.body)}`);
    console.log(
      `\nRate limits LIFTED for this benchmark (as the issue allows for B2B): esimgo-sim per-IP limit off (ESIMGO_SIM_RATE_LIMIT=0), ` +
        `esim-provisioning ESIMGO_RATE_LIMIT_PER_SECOND=${ESIMGO_RATE_LIMIT_PER_SECOND} (production: 10), gateway USER_RATE_LIMIT_PER_MINUTE=100000 (default 300). stripe-sim has no webhook URL: the benchmark sends the events.`,
    );
    console.log(`${SERVICES.length} processes on their usual ports +${BENCH_PORT_OFFSET}, vhost ${vhost ?? '(default: rabbitmqctl unavailable)'}, schemas *_bench, LOG_LEVEL=warn.`);

    // Setup: customers, orders through the public API, payments confirmed at stripe-sim.
    const bundleName = await frBundle();
    const customers: Customer[] = [];
    for (let i = 0; i < CUSTOMERS; i++) customers.push(await register());
    const placeStats = { retries: 0, statuses: new Map<number, number>(), networkErrors: [] as string[] };
    const orders: Array<{ order: PlacedOrder; customer: Customer }> = new Array(ORDERS);
    const placeStarted = performance.now();
    await pool(ORDERS, SETUP_CONCURRENCY, async (i) => {
      const customer = customers[i % customers.length]!;
      orders[i] = { order: await placeOrder(customer, bundleName, placeStats), customer };
    });
    const placeMs = performance.now() - placeStarted;
    console.log(
      `\nPlaced ${ORDERS} orders (${bundleName}, quantity 1, ${customers.length} customers, ${SETUP_CONCURRENCY} concurrent) in ${fmt(placeMs / 1000, 2)} s: ` +
        `${fmt(ORDERS / (placeMs / 1000))} orders/s placed` +
        (placeStats.retries > 0 ? `; ${placeStats.retries} retries with the same Idempotency-Key after ${JSON.stringify(Object.fromEntries(placeStats.statuses))} (0 = network error)` : ''),
    );
    for (const e of placeStats.networkErrors) console.log(`  e.g. ${e}`);

    const confirmStarted = performance.now();
    await pool(ORDERS, SETUP_CONCURRENCY, (i) => confirmPayment(orders[i]!.order.payment.paymentIntentId));
    console.log(`Confirmed ${ORDERS} PaymentIntents at stripe-sim (pm_card_visa) in ${fmt((performance.now() - confirmStarted) / 1000, 2)} s.`);

    const byIntent = new Map(orders.map((o) => [o.order.payment.paymentIntentId, o.order.id]));
    const events = (await succeededEvents()).filter((e) => byIntent.has(e.data.object.id));
    const covered = new Set(events.map((e) => e.data.object.id));
    if (events.length !== ORDERS || covered.size !== ORDERS) throw new Error(`expected ${ORDERS} payment_intent.succeeded events, one per order; got ${events.length} for ${covered.size} orders`);
    // Pretty-printed like Stripe's deliveries; signed at send time with a fresh timestamp.
    const payloads = events.map((e) => JSON.stringify(e, null, 2));
    console.log(`Fetched ${events.length} payment_intent.succeeded events from stripe-sim.`);

    // Measurement: send every event, poll the orders until all are COMPLETED.
    console.log(`\nSending ${payloads.length} signed events at POST /api/v1/webhooks/stripe with ${CONCURRENCY} concurrent senders…  (load average now ${loadAverage()})`);
    const orderIds = new Set(orders.map((o) => o.order.id));
    const completedAt = new Map<string, number>();
    const lastStatuses = new Map<string, string>();
    let polls = 0;
    const firstSend = performance.now();
    const deadline = firstSend + TIMEOUT_S * 1000;
    const polling = (async () => {
      while (completedAt.size < orderIds.size && performance.now() < deadline) {
        await sleep(POLL_INTERVAL_MS);
        // Only the customers with an order not yet COMPLETED are asked again.
        const waiting = customers.filter((c) => orders.some((o) => o.customer === c && !completedAt.has(o.order.id)));
        const statuses = await orderStatuses(waiting).catch(() => new Map<string, string>());
        polls++;
        const now = performance.now() - firstSend;
        for (const [id, status] of statuses) {
          if (!orderIds.has(id)) continue;
          lastStatuses.set(id, status);
          if (status === 'COMPLETED' && !completedAt.has(id)) completedAt.set(id, now);
        }
        const settled = [...orderIds].every((id) => ['COMPLETED', 'REJECTED', 'FAILED', 'CANCELLED', 'REFUNDED'].includes(lastStatuses.get(id) ?? ''));
        if (settled) break;
      }
    })();

    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const latencies: number[] = [];
    const non2xx = new Map<number, number>();
    const samples: string[] = [];
    let retries = 0;
    let gaveUp = 0;
    let acceptedAt = 0;
    await pool(payloads.length, CONCURRENCY, async (i) => {
      // A refused delivery is retried the way Stripe would (1 s, 2 s, 4 s…), within the timeout.
      for (let attempt = 1; ; attempt++) {
        const r = await sendWebhook(agent, payloads[i]!);
        latencies.push(r.ms);
        if (r.status >= 200 && r.status < 300) {
          acceptedAt = performance.now();
          return;
        }
        non2xx.set(r.status, (non2xx.get(r.status) ?? 0) + 1);
        if (samples.length < 3) samples.push(`${r.status} ${r.body.slice(0, 200)}`);
        if (attempt >= 5 || performance.now() + 1000 * 2 ** (attempt - 1) > deadline) {
          gaveUp++;
          return;
        }
        retries++;
        await sleep(1000 * 2 ** (attempt - 1));
      }
    });
    agent.destroy();
    const sendMs = (acceptedAt || performance.now()) - firstSend;
    const accepted = payloads.length - gaveUp;
    await polling;
    const lastCompletion = completedAt.size > 0 ? Math.max(...completedAt.values()) : NaN;

    latencies.sort((a, b) => a - b);
    const completionTimes = [...completedAt.values()].sort((a, b) => a - b);
    const byStatus = new Map<string, number>();
    for (const id of orderIds) {
      const s = lastStatuses.get(id) ?? '(not seen)';
      byStatus.set(s, (byStatus.get(s) ?? 0) + 1);
    }
    const lost = orderIds.size - completedAt.size;
    const esimGo = await json<{ orders: number; totalRequests: number; requests: Record<string, number> }>(`${esimGoControl}/state`).catch(() => undefined);
    const emails = new Set(customers.map((c) => c.email));
    const mails = await json<Array<{ to?: string[]; subject?: string }>>(`http://127.0.0.1:${benchPort(1080)}/api/messages`).catch(() => undefined);
    const dlqAfter = vhost ? deadLetters(vhost) : undefined;
    const dlqDelta = dlqAfter
      ? Object.entries(dlqAfter)
          .map(([q, n]) => [q, n - (dlqBefore?.[q] ?? 0)] as const)
          .filter(([, n]) => n !== 0)
      : undefined;

    const non2xxTotal = [...non2xx.values()].reduce((a, b) => a + b, 0);
    console.log('');
    console.log(`webhook events sent                ${payloads.length} (${CONCURRENCY} concurrent senders, ${latencies.length} requests)`);
    console.log(`accepted events/s                  ${fmt(accepted / (sendMs / 1000))}  (${accepted} accepted in ${fmt(sendMs / 1000, 2)} s)`);
    console.log(`ack latency p50 / p99 / max        ${fmt(percentile(latencies, 50))} / ${fmt(percentile(latencies, 99))} / ${fmt(latencies[latencies.length - 1] ?? NaN)} ms`);
    console.log(`non-2xx answers                    ${non2xxTotal}${non2xxTotal > 0 ? ` ${JSON.stringify(Object.fromEntries(non2xx))} (0 = network error), ${retries} retried, ${gaveUp} given up` : ''}`);
    for (const s of samples) console.log(`  e.g. ${s}`);
    console.log(
      `all orders COMPLETED after         ${lost === 0 ? `${fmt(lastCompletion / 1000, 2)} s from the first send` : `NOT within ${TIMEOUT_S} s`}  (polled every ${POLL_INTERVAL_MS} ms, ${polls} polls)`,
    );
    if (completionTimes.length > 0) {
      console.log(
        `order COMPLETED, from first send   p50 ${fmt(percentile(completionTimes, 50) / 1000, 2)} s, p99 ${fmt(percentile(completionTimes, 99) / 1000, 2)} s; ` +
          `${fmt(completionTimes.length / (lastCompletion / 1000))} orders/s completed`,
      );
    }
    console.log(`orders COMPLETED / total           ${completedAt.size} / ${orderIds.size}   by last seen status: ${JSON.stringify(Object.fromEntries(byStatus))}`);
    console.log(`lost (not COMPLETED in ${TIMEOUT_S} s)       ${lost}`);
    if (esimGo?.status === 200) {
      console.log(`eSIM Go purchases                  ${esimGo.body.requests['POST /orders'] ?? 0} POST /orders for ${esimGo.body.orders} orders held (${esimGo.body.totalRequests} requests in all)`);
    }
    if (mails?.status === 200 && Array.isArray(mails.body)) console.log(
        `order e-mails caught by then      ${mails.body.filter((m) => m.to?.some((to) => [...emails].some((e) => to.includes(e)))).length} / ${orderIds.size}  (not part of the measurement)`,
      );
    console.log(`dead-lettered during the run       ${dlqDelta === undefined ? '(rabbitmqctl unavailable)' : dlqDelta.length === 0 ? 'none' : JSON.stringify(Object.fromEntries(dlqDelta))}`);
    await printServiceMetrics(processes.map((p) => ({ name: p.name, opsPort: benchOpsPort(p) })));
    if (crashed.length > 0) console.log(`processes that exited              ${crashed.join(', ')}`);
    console.log(`load average (1/5/15 min) at end   ${loadAverage()}  (${os.cpus().length} CPUs)`);
    const met = lost === 0 && crashed.length === 0;
    console.log(met ? '\nALL ORDERS COMPLETED' : '\nNOT ALL ORDERS COMPLETED');
    return met;
  } finally {
    stopping = true;
    await stopInReverse(platform);
  }
}
