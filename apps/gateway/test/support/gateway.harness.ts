import http from 'node:http';
import pg from 'pg';
import { ProblemSchema } from '@ttelgo/contracts';
import { TcpProxy, TEST_AMQP_URL, TEST_DATABASE_URL, createTestSchemaName, dropSchema, testLogger, waitFor, type TestVhost } from '@ttelgo/testing';
import { loadGatewayConfig } from '../../src/config';
import { startGateway, type GatewayHandle } from '../../src/service';

export interface TestGateway {
  handle: GatewayHandle;
  baseUrl: string;
  opsUrl: string;
  /** The gateway's own Postgres schema (random per gateway, dropped by close()). */
  schema: string;
  /** One query against that schema (tests read the stored state: audit rows, tokens, records). */
  query<R extends pg.QueryResultRow = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/** The JWT secret every test gateway uses, so tests can sign their own (hostile) tokens with it. */
export const TEST_JWT_SECRET = 'test-jwt-secret-of-the-gateway-tests-0123456789abcdef';
export const TEST_WEBHOOK_SECRET = 'whsec_gateway_tests_secret';
export const TEST_ADMIN = { email: 'admin@ttelgo.test', password: 'admin-password-of-the-tests' };

/**
 * The gateway on ports 0 and its own schema, configured through the same env parsing as production, and ready
 * (Postgres, migrations, broker). argon2 runs with lowered (non-production) parameters and the auth rate limits are
 * high (the anonymous-write and API-key failure limits too), unless a test sets them.
 */
export async function startTestGateway(env: Record<string, string>, prefix = 'gateway', opts: { replicaOf?: TestGateway } = {}): Promise<TestGateway> {
  // A replica shares the first gateway's schema (like two pods on one database) and leaves dropping it to that one.
  const owner = opts.replicaOf === undefined;
  const schema = opts.replicaOf?.schema ?? createTestSchemaName(prefix);
  const config = loadGatewayConfig({ NODE_ENV: 'test',
    PORT: '0',
    OPS_PORT: '0',
    DATABASE_URL: TEST_DATABASE_URL,
    DB_SCHEMA: schema,
    JWT_SECRET: TEST_JWT_SECRET,
    STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
    ADMIN_EMAIL: TEST_ADMIN.email,
    ADMIN_PASSWORD: TEST_ADMIN.password,
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    REFRESH_RATE_LIMIT_PER_MINUTE: '10000',
    ANONYMOUS_WRITE_RATE_LIMIT_PER_MINUTE: '10000',
    API_KEY_FAILURE_RATE_LIMIT_PER_MINUTE: '10000',
    ...env,
  });
  let handle: GatewayHandle;
  try {
    handle = await startGateway(config, { logger: testLogger('gateway') });
  } catch (err) {
    if (owner) await dropSchema(TEST_DATABASE_URL, schema);
    throw err;
  }
  const baseUrl = `http://127.0.0.1:${handle.port}`;
  const opsUrl = `http://127.0.0.1:${handle.opsPort}`;
  const pool = new pg.Pool({ connectionString: TEST_DATABASE_URL, max: 2 });
  await waitFor(async () => (await fetch(`${opsUrl}/health/ready`)).status === 200, { timeoutMs: 15_000, message: 'gateway not ready' });
  return {
    handle,
    baseUrl,
    opsUrl,
    schema,
    query: async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) => {
      const client = await pool.connect();
      try {
        await client.query(`SET search_path TO "${schema}"`);
        return (await client.query<R>(sql, params)).rows;
      } finally {
        client.release();
      }
    },
    close: async () => {
      await handle.close();
      await pool.end();
      if (owner) await dropSchema(TEST_DATABASE_URL, schema);
    },
  };
}

/** Waits until the gateway's readiness answers 200 again (after a broker cut, a restart). */
export async function waitUntilReady(gateway: TestGateway, opts: { timeoutMs?: number; message?: string } = {}): Promise<void> {
  await waitFor(async () => (await fetch(`${gateway.opsUrl}/health/ready`)).status === 200, {
    timeoutMs: opts.timeoutMs ?? 20_000,
    message: opts.message ?? 'gateway did not become ready',
  });
}

/**
 * A TcpProxy in front of the test broker, and the vhost's AMQP URL through it: a gateway started on `amqpUrl` loses
 * RabbitMQ on proxy.cut() (and gets it back on proxy.restore()) while the test's own connections stay up.
 */
export async function startBrokerProxy(vhost: TestVhost): Promise<{ proxy: TcpProxy; amqpUrl: string }> {
  const broker = new URL(TEST_AMQP_URL);
  const proxy = new TcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
  const viaProxy = new URL(vhost.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(await proxy.start());
  return { proxy, amqpUrl: viaProxy.toString() };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body bytes (rawRequest only), for binary answers like the QR PNG. */
  bytes?: Buffer;
}

/**
 * A GET with the path sent exactly as given: fetch and supertest normalise URLs (`/a/../b` becomes `/b`, `%zz` is
 * re-encoded), which would hide precisely the inputs the hostile-input tests want to send.
 */
export function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Any method, body bytes sent exactly as given (for webhooks, hostile JSON, odd headers). */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(opts.headers ?? {}) };
    if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: bytes.toString('utf8'), bytes });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** JSON request helper: `api(port).post('/api/v1/auth/login', body, { authorization })`. */
export function api(port: number) {
  const send = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    rawRequest(port, method, path, {
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  return {
    get: (path: string, headers?: Record<string, string>) => send('GET', path, undefined, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) => send('POST', path, body, headers),
    send,
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export function json<T = unknown>(res: RawResponse): T {
  return JSON.parse(res.body) as T;
}

/** The answer is a problem with this HTTP status and machine code (the body is shown when the status differs). */
export function expectProblem(res: RawResponse, status: number, code: string): void {
  expect({ status: res.status, body: res.body }).toMatchObject({ status });
  expect(ProblemSchema.parse(json(res))).toMatchObject({ status, code });
}

/** A 503 problem with this code that tells the caller when to retry (the provider retries a webhook on it). */
export function expectRetryLater(res: RawResponse, code: string): void {
  expectProblem(res, 503, code);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
}

export const apiKey = (key: string) => ({ 'x-api-key': key });
