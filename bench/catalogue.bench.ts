/**
 * Catalogue benchmark (foundation issue): GET /api/v1/bundles?country=FR through the gateway (which calls
 * esim-provisioning over RabbitMQ RPC, cached per DESIGN), against a bare Express hello-world, same machine,
 * same run, same autocannon settings. Target: >= 40 % of bare Express req/s, p99 < 20 ms at 50 connections.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { startPlatform } from '../scripts/platform';
import { services } from '../scripts/services';
import { ensureVhost, load, printTable } from './support';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

export async function runCatalogueBench(): Promise<boolean> {
  const vhost = 'ttelgo_bench';
  const amqpBase = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  const amqpUrl = ensureVhost(vhost) ? `${amqpBase.replace(/\/$/, '')}/${vhost}` : amqpBase;
  const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    AMQP_URL: amqpUrl,
    LOG_LEVEL: 'warn',
    ESIMGO_BASE_URL: 'http://127.0.0.1:18112/v2.4',
  };
  // Only what the catalogue path needs.
  const benchServices = services.filter((s) => ['esimgo-sim', 'esim-provisioning', 'gateway'].includes(s.name)).map((s) => ({
    ...s,
    env: () => ({
      ...(s.env?.(env) ?? {}),
      // Each service's own schema, suffixed, so a benchmark never touches a developer's `npm start` data.
      ...(s.schema ? { DB_SCHEMA: `${s.schema}_bench` } : {}),
      ...(s.name === 'esimgo-sim' ? { ESIMGO_SIM_PORT: '18112', ESIMGO_SIM_OPS_PORT: '19112' } : {}),
      ...(s.name === 'gateway' ? { PORT: '18080' } : {}),
    }),
  }));
  const platform = await startPlatform({ services: benchServices, env, stdio: 'inherit', opsPort: (s) => s.opsPort + 10_000 });
  const hello = fork(join(__dirname, 'hello-express.ts'), { env: { ...process.env, PORT: '18090' }, execArgv: ['--import', 'tsx'] });
  await new Promise<void>((resolve) => hello.once('message', () => resolve()));
  try {
    const probe = await fetch('http://127.0.0.1:18080/api/v1/bundles?country=FR');
    const body = (await probe.json()) as { data?: unknown[] };
    if (!probe.ok || !Array.isArray(body.data) || body.data.length === 0) throw new Error(`gateway answered ${probe.status}: ${JSON.stringify(body)}`);
    console.log(`Gateway serves ${body.data.length} FR bundles on the first page. ${CONNECTIONS} connections, ${SECONDS} s per target, one run each.`);

    const bare = await load('bare Express 5 hello-world', 'http://127.0.0.1:18090/hello', { connections: CONNECTIONS, seconds: SECONDS });
    const gateway = await load('gateway GET /api/v1/bundles?country=FR', 'http://127.0.0.1:18080/api/v1/bundles?country=FR', {
      connections: CONNECTIONS,
      seconds: SECONDS,
    });
    printTable([bare, gateway]);
    const ratio = gateway.reqPerSec / bare.reqPerSec;
    const met = ratio >= 0.4 && gateway.p99 < 20 && gateway.non2xx === 0 && gateway.errors === 0;
    console.log(`\nratio gateway / bare Express: ${(ratio * 100).toFixed(1)} %  (target >= 40 %)`);
    console.log(`gateway p99: ${gateway.p99} ms  (target < 20 ms)`);
    console.log(met ? 'TARGET MET' : 'TARGET NOT MET');
    return met;
  } finally {
    hello.kill('SIGTERM');
    await platform.stop();
  }
}
