/**
 * Starts the simulator in-process on port 0 for one test file, with the REAL stripe SDK pointed at it, and a
 * local webhook receiver. A plain pino logger keeps these tests light: @ttelgo/testing would load
 * testcontainers, which the simulator does not need.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen, type RunningServer } from '@ttelgo/http';
import pino from 'pino';
import Stripe from 'stripe';
import { createStripeSimulator, type StripeSimulator, type StripeSimulatorOptions } from '../src/sim.app';

export const SECRET_KEY = 'sk_test_ttelgo_sim_123456789';
export const WEBHOOK_SECRET = 'whsec_test_fixture_secret';

export interface RunningSim {
  sim: StripeSimulator;
  server: RunningServer;
  origin: string;
  port: number;
  stripe: Stripe;
  client(key?: string, maxNetworkRetries?: number): Stripe;
  control<T = Record<string, unknown>>(path: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** a raw form POST/GET to /v1, for what the SDK hides (headers, replay flags) */
  raw(method: 'GET' | 'POST', path: string, form?: string, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export async function startSim(opts: Partial<StripeSimulatorOptions> = {}): Promise<RunningSim> {
  const sim = createStripeSimulator({
    logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    webhookSecret: WEBHOOK_SECRET,
    webhookRetryBaseMs: 20,
    ...opts,
  });
  const server = await listen(sim.app, 0, '127.0.0.1', { drainTimeoutMs: 200 });
  const origin = `http://127.0.0.1:${server.port}`;
  const client = (key = SECRET_KEY, maxNetworkRetries = 0) =>
    new Stripe(key, { host: '127.0.0.1', port: server.port, protocol: 'http', apiVersion: Stripe.API_VERSION, maxNetworkRetries, telemetry: false });
  return {
    sim,
    server,
    origin,
    port: server.port,
    stripe: client(),
    client,
    async control<T>(path: string, body?: unknown) {
      const res = await fetch(`${origin}/__sim${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: (await res.json()) as T };
    },
    async raw(method, path, form, headers = {}) {
      const res = await fetch(`${origin}/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${SECRET_KEY}`, 'content-type': 'application/x-www-form-urlencoded', ...headers },
        ...(form !== undefined ? { body: form } : {}),
      });
      return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
    },
    async stop() {
      sim.close();
      await server.close();
    },
  };
}

export interface ReceivedWebhook {
  raw: string;
  signature: string;
  headers: IncomingHttpHeaders;
  event: { id: string; type: string; data: { object: Record<string, unknown> } };
}

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** requests answered with a failure status (not in `received`) */
  failures: number;
  /** answer the next N requests with `status` */
  failNext(n: number, status?: number): void;
  close(): Promise<void>;
}

/** A local webhook endpoint recording raw bodies and Stripe-Signature headers. */
export async function startReceiver(): Promise<Receiver> {
  let failLeft = 0;
  let failStatus = 500;
  const received: ReceivedWebhook[] = [];
  const state = { failures: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failLeft > 0) {
        failLeft -= 1;
        state.failures += 1;
        res.statusCode = failStatus;
        res.end('nope');
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ raw, signature: String(req.headers['stripe-signature'] ?? ''), headers: req.headers, event: JSON.parse(raw) as ReceivedWebhook['event'] });
      res.statusCode = 200;
      res.end('{"received":true}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/stripe`,
    received,
    get failures() {
      return state.failures;
    },
    failNext(n, status = 500) {
      failLeft = n;
      failStatus = status;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}
