import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import type { RunningPlatform } from '../scripts/platform';
import { services, type ServiceEntry } from '../scripts/services';

export interface LoadResult {
  label: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

/** autocannon against one URL; a short warm-up first so JIT and caches are hot in both runs. */
export async function load(
  label: string,
  url: string,
  opts: { connections: number; seconds: number; headers?: Record<string, string> },
): Promise<LoadResult> {
  const headers = opts.headers ?? {};
  await autocannon({ url, connections: opts.connections, duration: 2, headers });
  const r = await autocannon({ url, connections: opts.connections, duration: opts.seconds, headers });
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

/** Benchmarks run beside a developer's `npm start`: every port of a service is its usual one + this. */
export const BENCH_PORT_OFFSET = 10_000;

export function benchPort(port: number): number {
  return port + BENCH_PORT_OFFSET;
}

/** Where the benchmark copies of the simulators listen (their usual ports + the offset). */
export const benchUrls = {
  esimGo: `http://127.0.0.1:${benchPort(12112)}/v2.4`,
  stripe: `http://127.0.0.1:${benchPort(12111)}`,
  smtp: `smtp://127.0.0.1:${benchPort(1025)}`,
  gateway: `http://127.0.0.1:${benchPort(8080)}`,
};

/**
 * The environment every benchmark platform shares: Postgres, the dedicated `ttelgo_bench` vhost (when rabbitmqctl
 * can create it), LOG_LEVEL=warn, and the services pointed at the benchmark copies of the simulators.
 */
export function benchEnv(extra: Record<string, string> = {}): { env: NodeJS.ProcessEnv; vhost: string | undefined } {
  const vhost = 'ttelgo_bench';
  const amqpBase = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  const ownVhost = ensureVhost(vhost);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
    AMQP_URL: ownVhost ? `${amqpBase.replace(/\/$/, '')}/${vhost}` : amqpBase,
    LOG_LEVEL: 'warn',
    ESIMGO_BASE_URL: benchUrls.esimGo,
    STRIPE_API_BASE: benchUrls.stripe,
    ...extra,
  };
  return { env, vhost: ownVhost ? vhost : undefined };
}

/** Variables of a service entry that name another process of the platform: replaced by the benchmark's value. */
const CROSS_SERVICE_URLS: Record<string, string> = { SMTP_URL: benchUrls.smtp };

/**
 * The named entries of scripts/services.ts, as benchmark processes: every `*PORT` variable + BENCH_PORT_OFFSET,
 * each service's own schema suffixed `_bench` (so a benchmark never touches `npm start` data), cross-service URLs
 * pointed at the benchmark copies, then `extra[name]` on top. Start them with `startPlatform(..., { opsPort: benchOpsPort })`.
 */
export function benchServices(names: string[], extra: Record<string, Record<string, string>> = {}): ServiceEntry[] {
  const missing = names.filter((n) => !services.some((s) => s.name === n));
  if (missing.length > 0) throw new Error(`unknown services: ${missing.join(', ')}`);
  return services
    .filter((s) => names.includes(s.name))
    .map((s) => ({
      ...s,
      env: (env: NodeJS.ProcessEnv) => {
        const own = { ...(s.env?.(env) ?? {}) };
        for (const [key, value] of Object.entries(own)) {
          if (/(^|_)PORT$/.test(key) && /^\d+$/.test(value)) own[key] = String(benchPort(Number(value)));
          else if (key in CROSS_SERVICE_URLS) own[key] = CROSS_SERVICE_URLS[key]!;
        }
        return { ...own, ...(s.schema ? { DB_SCHEMA: `${s.schema}_bench` } : {}), ...(extra[s.name] ?? {}) };
      },
    }));
}

export function benchOpsPort(service: ServiceEntry): number {
  return benchPort(service.opsPort);
}

/** Messages waiting in the vhost's dead-letter queues (`*.dlq`), by queue; undefined when rabbitmqctl is unavailable. */
export function deadLetters(vhost: string): Record<string, number> | undefined {
  try {
    const out = execFileSync('rabbitmqctl', ['list_queues', '-q', '-p', vhost, 'name', 'messages'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const counts: Record<string, number> = {};
    for (const line of out.split('\n')) {
      const [name, messages] = line.trim().split(/\s+/);
      if (name?.endsWith('.dlq') && /^\d+$/.test(messages ?? '')) counts[name] = Number(messages);
    }
    return counts;
  } catch {
    return undefined;
  }
}

/** p-th percentile (0..100) of an ascending array, nearest rank. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');
}

/**
 * SIGTERM one process at a time, the last started first (the gateway before the services, the simulators last), so
 * no service loses a dependency while it drains; then `stop()` for anything left.
 */
export async function stopInReverse(platform: RunningPlatform, timeoutMs = 15_000): Promise<void> {
  for (const { child } of [...platform.children].reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('exit', () => (clearTimeout(kill), resolve()));
      child.kill('SIGTERM');
    });
  }
  await platform.stop();
}

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** GET a Prometheus /metrics page and parse its samples (enough of the text format for prom-client's output). */
export async function scrapeMetrics(url: string): Promise<MetricSample[]> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  const samples: MetricSample[] = [];
  for (const line of (await res.text()).split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** A positive integer from the environment (`def` when unset or empty); anything else is an error, not a silent default. */
export function envInt(name: string, def: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? def : Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return n;
}

/** Messages waiting in every non-empty queue of the vhost (ready + unacked), biggest first; undefined without rabbitmqctl. */
export function queueDepths(vhost: string): Array<[string, number]> | undefined {
  try {
    const out = execFileSync('rabbitmqctl', ['list_queues', '-q', '-p', vhost, 'name', 'messages'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const depths: Array<[string, number]> = [];
    for (const line of out.split('\n')) {
      const [name, messages] = line.trim().split(/\s+/);
      if (name && /^\d+$/.test(messages ?? '') && Number(messages) > 0) depths.push([name, Number(messages)]);
    }
    return depths.sort((a, b) => b[1] - a[1]);
  } catch {
    return undefined;
  }
}

/**
 * CPU time (user + system, ms) of processes, from /proc (Linux): `ps -o pcpu` is a lifetime average, so a benchmark
 * takes two samples and divides the difference by the wall time between them. Keyed by pid; `comm` is the process name.
 */
export function cpuTimes(): Map<number, { comm: string; ms: number }> {
  const times = new Map<number, { comm: string; ms: number }>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return times;
  }
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      // fields[0] is field 3 (state); utime and stime are fields 14 and 15, in clock ticks (100 Hz on Linux).
      times.set(Number(pid), { comm, ms: (Number(fields[11]) + Number(fields[12])) * 10 });
    } catch {
      // exited between readdir and read
    }
  }
  return times;
}

/** CPU % (100 = one core) of each process between two `cpuTimes()` samples `wallMs` apart; a process born in between counts whole. */
export function cpuPercent(before: Map<number, { comm: string; ms: number }>, after: Map<number, { comm: string; ms: number }>, wallMs: number): Map<number, { comm: string; pct: number }> {
  const pct = new Map<number, { comm: string; pct: number }>();
  for (const [pid, a] of after) pct.set(pid, { comm: a.comm, pct: ((a.ms - (before.get(pid)?.ms ?? 0)) / wallMs) * 100 });
  return pct;
}

/**
 * A clean slate for a benchmark that leaves state behind (orders, pending e-mails, outbox rows): drops the given
 * services' `_bench` schemas (they migrate again at start) and empties the vhost by recreating it. Bench-only data.
 */
export async function resetBenchState(opts: { databaseUrl: string; services: ServiceEntry[]; vhost: string | undefined }): Promise<void> {
  const client = new pg.Client({ connectionString: opts.databaseUrl });
  await client.connect();
  try {
    for (const s of opts.services) {
      if (s.schema) await client.query(`DROP SCHEMA IF EXISTS "${s.schema}_bench" CASCADE`);
    }
  } finally {
    await client.end();
  }
  if (opts.vhost) {
    try {
      execFileSync('rabbitmqctl', ['delete_vhost', opts.vhost], { stdio: 'ignore' });
    } catch {
      // did not exist
    }
    ensureVhost(opts.vhost);
  }
}

/**
 * Diagnostics for a benchmark's service processes, from the environment:
 *   BENCH_CPU_PROFILE=order,gateway  V8 CPU profile of those services (written on exit to BENCH_PROFILE_DIR/<service>,
 *                                    default /tmp/ttelgo-profiles; the biggest file is the main thread; open the .cpuprofile in Chrome DevTools or speedscope)
 *   BENCH_PG_COUNT=1                 every service counts its SQL statements by text, written on exit to
 *                                    BENCH_PG_COUNT_DIR (default /tmp) as pgcount-<schema>.json
 */
export function benchNodeArgs(service: ServiceEntry): string[] {
  const args: string[] = [];
  const profiled = (process.env.BENCH_CPU_PROFILE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (profiled.includes(service.name)) {
    // One directory per service: every thread (tsx runs a loader thread too) writes its own CPU.<date>.<pid>.<tid>.cpuprofile.
    args.push('--cpu-prof', '--cpu-prof-dir', join(process.env.BENCH_PROFILE_DIR ?? '/tmp/ttelgo-profiles', service.name));
  }
  if (process.env.BENCH_PG_COUNT === '1' && service.schema) args.push('--require', join(__dirname, 'pg-count.cjs'));
  return args;
}
