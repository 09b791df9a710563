/**
 * `npm run drill`: reliability drills against the platform as `npm start` runs it (compiled bundles, the
 * supervisor), with two replicas of every consumer service and of the gateway, on the drill's OWN PostgreSQL
 * cluster, RabbitMQ node and Redis (./infra), on ports +20000. Under B2B and B2C load each drill injects one fault
 * (./drills) and prints, in Jepsen's words: orders accepted, lost, duplicated, ledger balanced, wallets never
 * negative, dead letters; and the replica checks (eSIM Go peak requests/s within its 10/s budget, periodic jobs
 * once per period, replies reaching their caller, no process crashing on its own).
 *
 *   npm run drill                                 every drill (about 15 minutes on 2 cores)
 *   npm run drill -- --only postgres-restart,kill9-order
 *   npm run drill -- --short                      the reduced set `npm test` runs
 *   npm run drill -- --json out.json --markdown out.md
 *
 * Exit code 0 only when every drill passed. Service logs (JSON) go to /tmp/ttelgo-drill/platform.log. `npm test` runs
 * the short set with DRILL_SLOT=1 (other ports, /tmp/ttelgo-drill-1), so it never waits for a full drill.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { CONSUMER_SERVICES, drillLogFile, REPLICAS, startDrillPlatform, type DrillPlatform } from './drill-platform';
import { drills, FREEZE_MS, SHORT_DRILLS } from './drills';
import { DRILL_INFRA, DrillInfra } from './infra';
import { faultList, markdownTable, printTable } from './report';
import { brokenDrill, runDrill, type DrillResult, type DrillSettings } from './run-drill';

async function main(): Promise<number> {
  const { values: args } = parseArgs({
    options: {
      only: { type: 'string', default: '' },
      short: { type: 'boolean', default: false },
      json: { type: 'string' },
      markdown: { type: 'string' },
    },
    strict: true,
  });
  const wanted = args.short ? SHORT_DRILLS : (args.only ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = wanted.filter((w) => !drills.some((d) => d.name === w));
  if (unknown.length) throw new Error(`unknown drill(s) ${unknown.join(', ')}; known: ${drills.map((d) => d.name).join(', ')}`);
  const selected = wanted.length ? drills.filter((d) => wanted.includes(d.name)) : drills;
  const settings: DrillSettings = args.short
    ? { loadSeconds: 10, b2bPerSecond: 2, b2cPerSecond: 1, faultAfterMs: 3000, drainSeconds: 90, freezeMs: 12_000 }
    : { loadSeconds: 20, b2bPerSecond: 2, b2cPerSecond: 1, faultAfterMs: 4000, drainSeconds: 120, freezeMs: FREEZE_MS };

  const infra = new DrillInfra();
  let dp: DrillPlatform | undefined;
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      await dp?.stop().catch((err: unknown) => console.error(`stopping the platform: ${String(err)}`));
      await infra.stop().catch((err: unknown) => console.error(`stopping the drill's servers: ${String(err)}`));
    })());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stopAll().then(() => process.exit(130)));

  const startedAt = new Date();
  const results: DrillResult[] = [];
  try {
    console.log(`Starting the drill's own PostgreSQL (:${DRILL_INFRA.postgresPort}), RabbitMQ (:${DRILL_INFRA.amqpPort}) and Redis (:${DRILL_INFRA.redisPort}) under ${DRILL_INFRA.dir}…`);
    await infra.start();
    console.log(`Starting the platform (compiled bundles, supervised), ${REPLICAS} replicas of ${[...CONSUMER_SERVICES, 'gateway'].join(', ')}; logs in ${drillLogFile('platform.log')}…`);
    const t = Date.now();
    dp = await startDrillPlatform(infra.urls, { logFile: drillLogFile('platform.log') });
    console.log(`Platform ready in ${((Date.now() - t) / 1000).toFixed(0)} s: ${dp.platform.children.length} processes.`);
    for (const drill of selected) {
      try {
        results.push(await runDrill(drill, { infra, dp }, settings, infra.urls.databaseUrl));
      } catch (err) {
        // The drill itself broke (a check could not be read): a failure, and the next drill still runs.
        console.log(`    => FAILED: ${(err as Error).stack ?? String(err)}`);
        results.push(brokenDrill(drill, err));
      }
    }
  } finally {
    await stopAll();
  }

  printTable(results);
  const passed = results.length === selected.length && results.every((r) => r.passed);
  const machine = `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  console.log(`\n${passed ? 'ALL DRILLS PASSED' : 'SOME DRILLS FAILED'} (${results.length} drills, ${startedAt.toISOString()}, ${machine})`);
  const command = `npm run drill${args.short ? ' -- --short' : wanted.length ? ` -- --only ${wanted.join(',')}` : ''}`;
  if (args.json) writeFileSync(args.json, JSON.stringify({ startedAt: startedAt.toISOString(), machine, command, settings, results }, null, 2));
  if (args.markdown) writeFileSync(args.markdown, `${markdownTable(results)}\n\n${faultList(results)}\n`);
  return passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(2);
  },
);
