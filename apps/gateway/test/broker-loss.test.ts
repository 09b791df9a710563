/**
 * The broker goes away under the gateway (a TcpProxy between them is cut): requests that need esim-provisioning
 * answer 503 problem+json with Retry-After at once, readiness turns 503, and both recover when the broker is back.
 */
import { ProblemSchema } from '@ttelgo/contracts';
import { TcpProxy, createTestVhost, waitFor, type TestVhost } from '@ttelgo/testing';
import { EsimDouble } from './support/esim.double';
import { json, rawGet, startBrokerProxy, startTestGateway, type TestGateway } from './support/gateway.harness';

let vhost: TestVhost;
let esim: EsimDouble;
let proxy: TcpProxy;
let gateway: TestGateway;

beforeAll(async () => {
  vhost = await createTestVhost('gateway_broker_loss');
  esim = await new EsimDouble(vhost.url).start();
  let amqpUrl: string;
  ({ proxy, amqpUrl } = await startBrokerProxy(vhost));
  gateway = await startTestGateway({ AMQP_URL: amqpUrl, RPC_TIMEOUT_MS: '1000' });
});

afterAll(async () => {
  await gateway?.close();
  await proxy?.stop();
  await esim?.stop();
  await vhost?.dispose();
});

const ready = async () => (await fetch(`${gateway.opsUrl}/health/ready`)).status;

it('answers 503 SERVICE_UNAVAILABLE while the broker is unreachable, turns not ready, then recovers', async () => {
  expect((await rawGet(gateway.handle.port, '/api/v1/bundles?country=FR')).status).toBe(200);
  expect(await ready()).toBe(200);

  proxy.cut();
  await waitFor(async () => (await ready()) === 503, { timeoutMs: 5000, message: 'readiness did not turn 503' });
  const readyBody = (await (await fetch(`${gateway.opsUrl}/health/ready`)).json()) as { checks: Record<string, string> };
  expect(readyBody.checks).toEqual({ rabbitmq: 'down', postgres: 'up', migrations: 'up' });

  const started = Date.now();
  const res = await rawGet(gateway.handle.port, '/api/v1/bundles?country=DE');
  expect(Date.now() - started).toBeLessThan(500); // fails fast, does not wait for the RPC timeout
  expect(res.status).toBe(503);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  expect(res.headers['x-request-id']).toEqual(expect.any(String));
  expect(ProblemSchema.parse(json(res))).toMatchObject({ status: 503, code: 'SERVICE_UNAVAILABLE' });
  expect(res.body).not.toMatch(/amqp|rabbit|ECONNRE/i);

  // What is already cached is still served: the catalogue stays browsable through a broker blip.
  expect((await rawGet(gateway.handle.port, '/api/v1/bundles?country=FR')).status).toBe(200);

  proxy.restore();
  await waitFor(async () => (await ready()) === 200, { timeoutMs: 20_000, message: 'readiness did not recover' });
  const after = await rawGet(gateway.handle.port, '/api/v1/bundles?country=DE');
  expect(after.status).toBe(200);
  expect((json(after) as { data: unknown[] }).data.length).toBeGreaterThan(0);
});

it('never answers 500 when the broker closes the connection right before the request, and serves again after the reconnect', async () => {
  await waitFor(async () => (await ready()) === 200, { timeoutMs: 20_000 });
  await vhost.closeConnections();
  // Any answer but a success or a 5xx other than 503/504 is wrong; the reconnect may already have happened.
  const res = await rawGet(gateway.handle.port, '/api/v1/bundles?country=US');
  expect([200, 503, 504]).toContain(res.status);
  if (res.status !== 200) expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  await waitFor(async () => (await ready()) === 200, { timeoutMs: 20_000, message: 'readiness did not recover' });
  await waitFor(async () => (await rawGet(gateway.handle.port, '/api/v1/bundles?country=US&limit=3')).status === 200, { timeoutMs: 20_000 });
});

describe('esim-provisioning not running', () => {
  let emptyVhost: TestVhost;
  let lonely: TestGateway;

  beforeAll(async () => {
    emptyVhost = await createTestVhost('gateway_no_esim');
    lonely = await startTestGateway({ AMQP_URL: emptyVhost.url, RPC_TIMEOUT_MS: '2000' });
  });

  afterAll(async () => {
    await lonely?.close();
    await emptyVhost?.dispose();
  });

  it('answers 503 at once when no RPC queue exists (the message is returned as unroutable)', async () => {
    const started = Date.now();
    const res = await rawGet(lonely.handle.port, '/api/v1/bundles/esim_1GB_7D_FR_V2');
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(ProblemSchema.parse(json(res)).code).toBe('SERVICE_UNAVAILABLE');
  });
});
