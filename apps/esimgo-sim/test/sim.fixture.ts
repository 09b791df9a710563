/**
 * Starts the simulator in-process on port 0 for one test file. A plain pino logger keeps these tests light:
 * @ttelgo/testing would load testcontainers, which the simulator does not need.
 */
import { listen, type RunningServer } from '@ttelgo/http';
import pino from 'pino';
import { createEsimGoSimulator, type EsimGoSimulator, type EsimGoSimulatorOptions } from '../src/sim.app';

export const API_KEY = 'test-key-1';

export interface RunningSim {
  sim: EsimGoSimulator;
  server: RunningServer;
  /** API base, e.g. http://127.0.0.1:1234/v2.4 */
  api: string;
  /** origin, for /__sim and /health */
  origin: string;
  call(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  control(path: string, body?: unknown): Promise<Response>;
  stop(): Promise<void>;
}

export async function startSim(opts: Partial<EsimGoSimulatorOptions> = {}): Promise<RunningSim> {
  const sim = createEsimGoSimulator({ apiKeys: [API_KEY], rateLimitPerSecond: 0, logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }), ...opts });
  const server = await listen(sim.app, 0, '127.0.0.1', { drainTimeoutMs: 500 });
  const origin = `http://127.0.0.1:${server.port}`;
  const api = `${origin}/v2.4`;
  return {
    sim,
    server,
    api,
    origin,
    call(path, init = {}) {
      const { json, headers, ...rest } = init;
      return fetch(`${api}${path}`, {
        ...rest,
        headers: { 'X-API-Key': API_KEY, ...(json !== undefined ? { 'content-type': 'application/json' } : {}), ...(headers as Record<string, string>) },
        ...(json !== undefined ? { body: JSON.stringify(json), method: rest.method ?? 'POST' } : {}),
      });
    },
    control(path, body) {
      return fetch(`${origin}/__sim${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    },
    async stop() {
      sim.close();
      await server.close();
    },
  };
}

export interface OrderResponse {
  order: Array<{
    esims: Array<{ iccid: string; matchingId: string; smdpAddress: string }>;
    type: string;
    item: string;
    iccids: string[];
    quantity: number;
    subTotal: number;
    pricePerUnit: number;
    AllowReassign: boolean;
  }>;
  total: number;
  currency: string;
  status: string;
  statusMessage: string;
  orderReference: string;
  createdDate: string;
  assigned: boolean;
}

export async function buy(s: RunningSim, item: string, quantity = 1, extra: Record<string, unknown> = {}): Promise<OrderResponse> {
  const res = await s.call('/orders', {
    json: { type: 'transaction', assign: true, order: [{ type: 'bundle', item, quantity, allowReassign: false }], ...extra },
  });
  if (res.status !== 200) throw new Error(`order failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as OrderResponse;
}
