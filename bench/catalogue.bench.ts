/**
 * Catalogue benchmark: GET /api/v1/bundles?country=FR through the gateway (which calls esim-provisioning over
 * RabbitMQ RPC and caches the answer), against a bare Express hello-world, same machine,
 * same run, same autocannon settings. Target: >= 40 % of bare Express req/s, p99 < 20 ms at 50 connections.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { join } from 'node:path';
import { startPlatform } from '../scripts/platform';
import { benchEnv, benchNodeArgs, benchOpsPort, benchServices, benchUrls, load, printTable } from './support';

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

export async function runCatalogueBench(): Promise<boolean> {
  const { env } = benchEnv();
  // Only what the catalogue path needs.
  const benchProcesses = benchServices(['esimgo-sim', 'esim-provisioning', 'gateway']);
  const platform = await startPlatform({ services: benchProcesses, env, stdio: 'inherit', opsPort: benchOpsPort, nodeArgs: benchNodeArgs });
  const hello = fork(join(__dirname, 'hello-express.ts'), { env: { ...process.env, PORT: '18090' }, execArgv: ['--import', 'tsx'] });
  await new Promise<void>((resolve) => hello.once('message', () => resolve()));
  try {
    const probe = await fetch(`${benchUrls.gateway}/api/v1/bundles?country=FR`);
    const body = (await probe.json()) as { data?: unknown[] };
    if (!probe.ok || !Array.isArray(body.data) || body.data.length === 0) throw new Error(`gateway answered ${probe.status}: ${JSON.stringify(body)}`);
    console.log(`Gateway serves ${body.data.length} FR bundles on the first page. ${CONNECTIONS} connections, ${SECONDS} s per target, one run each.`);

    const bare = await load('bare Express 5 hello-world', 'http://127.0.0.1:18090/hello', { connections: CONNECTIONS, seconds: SECONDS });
    const url = 'http://127.0.0.1:18080/api/v1/bundles?country=FR';
    // A first page of FR bundles lists every country of the regional and global ones (tens of KB). Browsers and
    // mobile HTTP stacks always send Accept-Encoding: gzip, so that is the run the target is checked on; the
    // identity run is printed beside it.
    const gateway = await load('gateway GET /api/v1/bundles?country=FR (gzip)', url, {
      connections: CONNECTIONS,
      seconds: SECONDS,
      headers: { 'accept-encoding': 'gzip' },
    });
    const identity = await load('gateway, same, without gzip', url, { connections: CONNECTIONS, seconds: SECONDS, headers: { 'accept-encoding': 'identity' } });
    printTable([bare, gateway, identity]);
    const ratio = gateway.reqPerSec / bare.reqPerSec;
    const met = ratio >= 0.4 && gateway.p99 < 20 && gateway.non2xx === 0 && gateway.errors === 0;
    console.log(`\nratio gateway (gzip) / bare Express: ${(ratio * 100).toFixed(1)} %  (target >= 40 %)`);
    console.log(`ratio gateway (identity) / bare Express: ${((identity.reqPerSec / bare.reqPerSec) * 100).toFixed(1)} %`);
    console.log(`gateway p99: ${gateway.p99} ms  (target < 20 ms)`);
    console.log(`load average during the run: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (2 cores; compare ratios, not absolute figures)`);
    console.log(met ? 'TARGET MET' : 'TARGET NOT MET');
    return met;
  } finally {
    hello.kill('SIGTERM');
    await platform.stop();
  }
}
