/**
 * `npm start`: the whole platform on this machine. Checks Postgres and RabbitMQ, migrates every schema, starts
 * every service and both simulators as child processes (their pino JSON logs go to stdout), waits until each
 * is ready, and prints the URLs. Ctrl-C stops everything gracefully (SIGTERM to each child).
 *
 *   npm start                                          one replica of each, crashed processes restarted with backoff
 *   npm start -- --replicas order=2,esim-provisioning=2   replicas; replica k on the usual ports + 100 x (k - 1)
 *   npm start -- --fail-fast                            the first crash stops the platform (development)
 *   npm run dev                                        (= --dev) the sources under tsx watch instead of the bundles
 *
 * The children run their compiled bundles (dist/apps/<app>/main.js, built by `npm start`'s `nx run-many -t build`
 * first); `--dev` runs their sources under `tsx watch`, which restarts a process when one of its files changes.
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { migrateAll } from './migrate';
import { reachable, REPLICA_PORT_STEP, replicaLabel, startPlatform, type RunningPlatform } from './platform';
import { seedDemo } from './seed-demo';
import { compiledMain, parseReplicas, services } from './services';

const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  AMQP_URL: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  // Readable lines for people (pino-pretty); LOG_FORMAT=json npm start keeps pino's JSON, for tools.
  LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
  // The gateway verifies what stripe-sim signs: both get the same secret (a given one is honoured).
  STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET ?? 'whsec_ttelgo_dev_secret',
  // Likewise the gateway verifies the usage callbacks esimgo-sim signs. eSIM Go signs with the API key unless a
  // signing key is set in its portal, so the API key is the default (the simulator's own key in development).
  ESIMGO_CALLBACK_SIGNING_KEY: process.env.ESIMGO_CALLBACK_SIGNING_KEY ?? process.env.ESIMGO_API_KEY ?? 'esimgo-sim-key',
};

async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: { 'fail-fast': { type: 'boolean', default: false }, replicas: { type: 'string', default: '' }, dev: { type: 'boolean', default: false } },
    strict: true,
  });
  const replicas = parseReplicas(args.replicas ?? '', services);
  const mode = args.dev ? 'watch' : 'dist';
  const unbuilt = mode === 'dist' ? services.filter((s) => !existsSync(compiledMain(s))).map((s) => s.name) : [];
  if (unbuilt.length > 0) {
    console.error(`No compiled bundle for ${unbuilt.join(', ')}: run \`npm start\` (it builds first), \`npm run build\`, or \`npm run dev\`.`);
    process.exit(1);
  }

  const [dbUp, mqUp] = await Promise.all([reachable(env.DATABASE_URL!, 5432), reachable(env.AMQP_URL!, 5672)]);
  if (!dbUp || !mqUp) {
    console.error(`PostgreSQL ${dbUp ? 'up' : 'DOWN'} (${env.DATABASE_URL}), RabbitMQ ${mqUp ? 'up' : 'DOWN'} (${env.AMQP_URL}).`);
    console.error('Start them first (README.md, "Services"), or set DATABASE_URL / AMQP_URL.');
    process.exit(1);
  }
  if (!env.REDIS_URL && (await reachable('redis://127.0.0.1:6379', 6379))) env.REDIS_URL = 'redis://127.0.0.1:6379';
  // A guarantee kept across replicas through Redis (eSIM Go's request budget, the gateway's rate limits) would be
  // silently multiplied by the replica count without it: refuse, as the services themselves do.
  const needRedis = services.filter((s) => s.needsRedisForReplicas && (replicas[s.name] ?? 1) > 1);
  if (needRedis.length > 0 && !env.REDIS_URL) {
    for (const s of needRedis) console.error(`${s.name} x${replicas[s.name]} needs Redis: ${s.needsRedisForReplicas}`);
    console.error('Start Redis (README.md, "Services") or set REDIS_URL, or run one replica of these services.');
    process.exit(1);
  }

  console.log('Migrating…');
  await migrateAll(env.DATABASE_URL!);

  let platform: RunningPlatform | undefined = undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await platform?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  platform = await startPlatform({
    services,
    env,
    replicas,
    mode,
    // Like an orchestrator: a crashed process is started again with backoff; only a crash loop stops everything.
    supervise: { failFast: args['fail-fast'] },
    onGiveUp: () => void stopAll(1),
  });

  const lines: string[] = [];
  for (const service of services) {
    for (const [label, url] of Object.entries(service.urls?.(env) ?? {})) lines.push(`  ${label.padEnd(26)} ${url}`);
  }
  for (const service of services) {
    if (service.readyPath) continue;
    const count = replicas[service.name] ?? 1;
    for (let replica = 1; replica <= count; replica++) {
      const port = service.opsPort + REPLICA_PORT_STEP * (replica - 1);
      lines.push(`  ${`${replicaLabel(service.name, replica, count)} ops`.padEnd(26)} http://localhost:${port}/health/ready  /metrics`);
    }
  }

  // The gateway seeds the admin from ADMIN_EMAIL / ADMIN_PASSWORD, with development defaults outside production.
  const admin = { email: env.ADMIN_EMAIL ?? 'admin@ttelgo.local', password: env.ADMIN_PASSWORD ?? 'ttelgo-admin-dev-password' };
  const demo = await seedDemo('http://127.0.0.1:8080', admin).catch((err: unknown) => ({ ...admin, problem: String(err) }) as never);
  lines.push('');
  lines.push(`  ${'Admin login'.padEnd(26)} ${admin.email} / ${admin.password}   (development defaults; set ADMIN_EMAIL / ADMIN_PASSWORD)`);
  if (demo.apiKey) lines.push(`  ${'Demo reseller API key'.padEnd(26)} ${demo.apiKey}   (X-API-Key; vendor ${demo.vendorId}, PREPAID, USD 100.00 credit)`);
  else lines.push(`  ${'Demo reseller'.padEnd(26)} not seeded: ${demo.problem}`);
  const supervision = args['fail-fast']
    ? 'Fail-fast: the first crash of any process stops the platform.'
    : 'A crashed process is restarted with backoff; 5 crashes of one process within 60 s stop the platform (--fail-fast: the first does).';
  console.log(`\nTtelGo is running.\n${lines.join('\n')}\n\n${supervision}\nCtrl-C stops everything.\n`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
