/**
 * The faults, one drill each. A drill's `inject` starts a few seconds into the load and resolves once the fault
 * is over (the server is back, the process runs again, the link is restored): the drill then lets every order
 * reach its end and checks the money.
 */
import { CONSUMER_SERVICES, type DrillPlatform } from './drill-platform';
import type { DrillInfra } from './infra';
import { esimGoControl, stripeControl } from './observe';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface DrillContext {
  infra: DrillInfra;
  dp: DrillPlatform;
  /** A line in the drill's own narrative (printed indented). */
  note(line: string): void;
  /** How long a freeze lasts (20 s; shorter in `npm test`'s reduced set). */
  freezeMs: number;
}

export interface Drill {
  name: string;
  /** What it does, for the table. */
  fault: string;
  inject(ctx: DrillContext): Promise<void>;
}

export const FREEZE_MS = 20_000;
const PARTITION_MS = 30_000;

function freeze(ctx: DrillContext, services: string[]): Array<{ label: string; pid: number }> {
  const frozen = services.flatMap((s) => ctx.dp.processesOf(s));
  for (const p of frozen) process.kill(p.pid, 'SIGSTOP');
  ctx.note(`SIGSTOP ${frozen.map((p) => `${p.label} (${p.pid})`).join(', ')}`);
  return frozen;
}

function thaw(ctx: DrillContext, frozen: Array<{ label: string; pid: number }>): void {
  for (const p of frozen) {
    try {
      process.kill(p.pid, 'SIGCONT');
    } catch {
      // it died while frozen: the supervisor restarts it, and the drill counts the crash
    }
  }
  ctx.note(`SIGCONT ${frozen.map((p) => p.label).join(', ')}`);
}

/** kill -9 of every replica of a service; resolves when the supervisor has each of them ready again. */
async function killAndWaitForRestart(ctx: DrillContext, service: string): Promise<void> {
  const victims = ctx.dp.processesOf(service);
  const back = victims.map(
    (v) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${v.label} was not ready again within 90 s of kill -9`)), 90_000);
        const onReady = (e: { label: string }) => {
          if (e.label !== v.label) return;
          clearTimeout(timer);
          ctx.dp.platform.supervisor.off('ready-again', onReady);
          resolve();
        };
        ctx.dp.platform.supervisor.on('ready-again', onReady);
      }),
  );
  for (const v of victims) {
    ctx.dp.killedOnPurpose.add(v.pid);
    process.kill(v.pid, 'SIGKILL');
  }
  ctx.note(`kill -9 ${victims.map((v) => `${v.label} (${v.pid})`).join(', ')}`);
  const started = Date.now();
  await Promise.all(back);
  ctx.note(`the supervisor had every replica ready again after ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function partition(ctx: DrillContext, link: string): Promise<void> {
  const proxy = ctx.dp.links.get(link);
  if (!proxy) throw new Error(`no link ${link}`);
  proxy.cut();
  ctx.note(`link ${link} cut for ${PARTITION_MS / 1000} s`);
  await sleep(PARTITION_MS);
  proxy.restore();
  ctx.note(`link ${link} restored`);
}

export const drills: Drill[] = [
  { name: 'baseline', fault: 'none', inject: async () => undefined },
  {
    name: 'rabbitmq-restart',
    fault: 'RabbitMQ node stopped and started again',
    inject: async (ctx) => {
      const t = Date.now();
      await ctx.infra.restartRabbit();
      ctx.note(`RabbitMQ back after ${((Date.now() - t) / 1000).toFixed(1)} s`);
    },
  },
  {
    name: 'postgres-restart',
    fault: 'pg_ctl restart -m fast',
    inject: async (ctx) => {
      await ctx.infra.restartPostgres();
      ctx.note('Postgres restarted');
    },
  },
  ...CONSUMER_SERVICES.map(
    (service): Drill => ({
      name: `freeze-${service}`,
      fault: `SIGSTOP every ${service} replica, SIGCONT after the freeze`,
      inject: async (ctx) => {
        const frozen = freeze(ctx, [service]);
        await sleep(ctx.freezeMs);
        thaw(ctx, frozen);
      },
    }),
  ),
  {
    name: 'freeze+postgres-restart',
    fault: 'SIGSTOP order and esim-provisioning (every replica), Postgres restarted 3 s later, SIGCONT after the freeze',
    inject: async (ctx) => {
      const frozen = freeze(ctx, ['order', 'esim-provisioning']);
      await sleep(3000);
      await ctx.infra.restartPostgres();
      ctx.note('Postgres restarted while they were frozen');
      await sleep(ctx.freezeMs - 3000);
      thaw(ctx, frozen);
    },
  },
  ...CONSUMER_SERVICES.map(
    (service): Drill => ({
      name: `kill9-${service}`,
      fault: `kill -9 every ${service} replica; the supervisor restarts them`,
      inject: (ctx) => killAndWaitForRestart(ctx, service),
    }),
  ),
  {
    name: 'partition-esim-provisioning~rabbitmq',
    fault: `esim-provisioning cut from RabbitMQ for ${PARTITION_MS / 1000} s (TCP proxy)`,
    inject: (ctx) => partition(ctx, 'esim-provisioning~rabbitmq'),
  },
  {
    name: 'partition-order~postgres',
    fault: `order cut from Postgres for ${PARTITION_MS / 1000} s (TCP proxy)`,
    inject: (ctx) => partition(ctx, 'order~postgres'),
  },
  {
    name: 'esimgo-faults',
    fault: 'eSIM Go: 20 % 500s, 20 % timeouts after the order was committed, 503 while assignments process; then 429 and 503 bursts',
    inject: async (ctx) => {
      await esimGoControl('faults', { errorRate: 0.2, timeoutRate: 0.2, hangMs: 8000, processingDelayMs: 2000, applyAfterProcessing: true });
      ctx.note('errors, timeouts after processing and Processing 503s on');
      await sleep(10_000);
      await esimGoControl('faults', { errorRate: 0, timeoutRate: 0, processingDelayMs: 0, applyAfterProcessing: false, burst429: 25, burst503: 25, retryAfterSeconds: 1 });
      ctx.note('errors off; 25 x 429 then 25 x 503');
      await sleep(8000);
      await esimGoControl('faults/reset');
      ctx.note('faults reset');
    },
  },
  {
    name: 'stripe-webhooks',
    fault: 'Stripe sends every webhook 3 times, batches reordered newest first',
    inject: async (ctx) => {
      await stripeControl('delivery-faults', { duplicate: 2, reorder: true, reorderWindowMs: 1000 });
      ctx.note('duplicates and reordering on');
      await sleep(15_000);
      await stripeControl('delivery-faults/reset');
      ctx.note('delivery faults reset');
    },
  },
];

/** `npm test`'s reduced set: the crash the drills were made for, and a supervised kill -9. */
export const SHORT_DRILLS = ['freeze+postgres-restart', 'kill9-esim-provisioning'];
