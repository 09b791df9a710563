/**
 * `npm run fuzz`: the schema-driven fuzzer (this folder) against a running platform, by default the one
 * `npm start` runs (hold its lock: `flock /tmp/ttelgo-platform.lock ...`). FUZZ_REQUESTS (10000), FUZZ_SEED,
 * FUZZ_CONCURRENCY (8), FUZZ_BASE_URL (http://127.0.0.1:8080), FUZZ_METRICS_URL (the gateway's ops port, for its
 * resident memory before and after), ADMIN_EMAIL / ADMIN_PASSWORD (npm start's development admin by default).
 * Exits 1 on any failure: a 5xx, a 4xx that is not problem+json with a code, another actor's data in an answer, or
 * the gateway's memory growing by more than FUZZ_MAX_RSS_GROWTH_MB (64).
 */
import { prepareActors } from './fuzz.actors';
import { formatSummary, runFuzz } from './fuzz.runner';

const env = process.env;
const baseUrl = env.FUZZ_BASE_URL ?? 'http://127.0.0.1:8080';
const metricsUrl = env.FUZZ_METRICS_URL ?? 'http://127.0.0.1:9101/metrics';

async function rssMb(): Promise<number | undefined> {
  try {
    const text = await (await fetch(metricsUrl)).text();
    const line = text.split('\n').find((l) => l.startsWith('process_resident_memory_bytes'));
    return line ? Math.round(Number(line.split(' ')[1]) / 1048576) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const admin = { email: env.ADMIN_EMAIL ?? 'admin@ttelgo.local', password: env.ADMIN_PASSWORD ?? 'ttelgo-admin-dev-password' };
  const { actors, knownIds } = await prepareActors(baseUrl, admin);
  const before = await rssMb();
  const summary = await runFuzz({
    baseUrl,
    requests: Number(env.FUZZ_REQUESTS ?? 10_000),
    seed: Number(env.FUZZ_SEED ?? Date.now() % 1_000_000),
    concurrency: Number(env.FUZZ_CONCURRENCY ?? 8),
    actors,
    knownIds,
    onProgress: (done) => process.stderr.write(`  ${done} requests\n`),
  });
  const after = await rssMb();
  const growth = before !== undefined && after !== undefined ? after - before : undefined;
  const maxGrowth = Number(env.FUZZ_MAX_RSS_GROWTH_MB ?? 64);
  const memory = growth === undefined ? '  gateway RSS: not measured (no metrics)' : `  gateway RSS: ${before} MB -> ${after} MB (${growth >= 0 ? '+' : ''}${growth} MB, limit +${maxGrowth} MB)`;
  process.stdout.write(`${formatSummary(summary, [memory])}\n`);
  if (summary.failures.length > 0 || (growth !== undefined && growth > maxGrowth)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`fuzz failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
