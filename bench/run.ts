/**
 * `npm run bench -- <name>`: performance benchmarks. Targets are checked here, never by timed unit tests.
 *   catalogue  GET /api/v1/bundles?country=FR through the gateway vs a bare Express hello-world (issue: foundation)
 *   b2b        concurrent vendor orders for 60 s: orders/s accepted/completed, time-to-COMPLETED, lost/duplicated, ledger, vs pgbench -N (issue: B2B)
 *   webhooks   signed payment_intent.succeeded events for real orders at the gateway: events/s, ack p50/p99, time to COMPLETED (issue: B2C)
 */
import { runB2bBench } from './b2b.bench';
import { runCatalogueBench } from './catalogue.bench';
import { runWebhooksBench } from './webhooks.bench';

const benches: Record<string, () => Promise<boolean>> = {
  b2b: runB2bBench,
  catalogue: runCatalogueBench,
  webhooks: runWebhooksBench,
};

async function main(): Promise<void> {
  const name = process.argv[2];
  const bench = name ? benches[name] : undefined;
  if (!bench) {
    console.error(`usage: npm run bench -- <${Object.keys(benches).join('|')}>`);
    process.exit(2);
  }
  const met = await bench();
  process.exit(met ? 0 : 1);
}

main().catch((err) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
