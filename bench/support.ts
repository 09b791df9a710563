import { execFileSync } from 'node:child_process';
import autocannon from 'autocannon';

export interface LoadResult {
  label: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** autocannon against one URL; a short warm-up first so JIT and caches are hot in both runs. */
export async function load(label: string, url: string, opts: { connections: number; seconds: number }): Promise<LoadResult> {
  await autocannon({ url, connections: opts.connections, duration: 2 });
  const r = await autocannon({ url, connections: opts.connections, duration: opts.seconds });
  return {
    label,
    reqPerSec: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

export function printTable(rows: LoadResult[]): void {
  console.log('');
  console.log(`${'target'.padEnd(44)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'non-2xx'.padStart(8)} ${'errors'.padStart(7)}`);
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(44)} ${String(r.reqPerSec).padStart(8)} ${String(r.p50).padStart(7)} ${String(r.p99).padStart(7)} ${String(r.non2xx).padStart(8)} ${String(r.errors).padStart(7)}`,
    );
  }
}

/** A dedicated RabbitMQ vhost so a benchmark never mixes with a running `npm start`. */
export function ensureVhost(vhost: string): boolean {
  try {
    execFileSync('rabbitmqctl', ['add_vhost', vhost], { stdio: 'ignore' });
  } catch {
    // exists already, or rabbitmqctl is not available: checked below
  }
  try {
    execFileSync('rabbitmqctl', ['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
