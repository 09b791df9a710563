/**
 * The platform as `npm start` runs it (compiled bundles under the supervisor, crashed processes restarted with
 * backoff), with two replicas of every consumer service and of the gateway, pointed at the drill's own Postgres,
 * RabbitMQ and Redis (./infra). Every port is its usual one + DRILL_PORT_OFFSET (+20000, +21000 with DRILL_SLOT=1), so a drill never meets a
 * developer's `npm start` (+0) or a benchmark (+10000).
 *
 * Two links go through cuttable TCP proxies (libs/testing), for the partition drills: esim-provisioning to
 * RabbitMQ, and order to Postgres. While not cut they are plain pipes.
 */
import { openSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { TcpProxy } from '@ttelgo/testing';
import { migrateAll } from '../migrate';
import { startPlatform, type RunningPlatform } from '../platform';
import { services, type ServiceEntry } from '../services';
import { DRILL_INFRA, DRILL_SLOT, type DrillInfraUrls } from './infra';

export const DRILL_PORT_OFFSET = 20_000 + 1000 * DRILL_SLOT;
export const drillPort = (port: number) => port + DRILL_PORT_OFFSET;

/** The services that consume messages: each runs as two replicas, and each is frozen and killed in turn. */
export const CONSUMER_SERVICES = ['order', 'payment', 'vendor-billing', 'esim-provisioning', 'notification'] as const;
export type ConsumerService = (typeof CONSUMER_SERVICES)[number];
export const REPLICAS = 2;

export const drillUrls = {
  gateways: [`http://127.0.0.1:${drillPort(8080)}`, `http://127.0.0.1:${drillPort(8080) + 100}`],
  esimGo: `http://127.0.0.1:${drillPort(12112)}`,
  stripe: `http://127.0.0.1:${drillPort(12111)}`,
};

/** Short job intervals, so that "each periodic job runs once per period" is checked many times within a drill. */
export const DRILL_JOB_INTERVALS_MS = {
  EXPIRY_SWEEP_INTERVAL_MS: 5000,
  ORDER_RECONCILE_INTERVAL_MS: 10_000,
  STRIPE_EVENT_RETRY_INTERVAL_MS: 5000,
  PROVISION_RECONCILE_INTERVAL_MS: 5000,
};

export interface DrillPlatform {
  platform: RunningPlatform;
  /** Proxies between one service and a dependency, by name (`esim-provisioning~rabbitmq`, `order~postgres`). */
  links: Map<string, TcpProxy>;
  /** Processes that died without the drill killing them: label, exit code or signal. */
  crashes: Array<{ label: string; code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** pids the drill killed itself (kill -9), so their deaths are not counted as crashes. */
  killedOnPurpose: Set<number>;
  /** Processes of one service (every replica), as they are now. */
  processesOf(service: string): Array<{ label: string; pid: number }>;
  stop(): Promise<void>;
}

/** Every `*PORT` variable of a service + the offset, the cross-service URLs pointed at the drill's copies. */
function drillService(s: ServiceEntry, extra: Record<string, string>): ServiceEntry {
  return {
    ...s,
    env: (env) => {
      const own = { ...(s.env?.(env) ?? {}) };
      for (const [key, value] of Object.entries(own)) {
        if (/(^|_)PORT$/.test(key) && /^\d+$/.test(value)) own[key] = String(drillPort(Number(value)));
      }
      if (own.SMTP_URL) own.SMTP_URL = `smtp://127.0.0.1:${drillPort(1025)}`;
      return { ...own, ...extra };
    },
  };
}

export async function startDrillPlatform(urls: DrillInfraUrls, opts: { logFile: string }): Promise<DrillPlatform> {
  const links = new Map<string, TcpProxy>();
  const amqp = new URL(urls.amqpUrl);
  const db = new URL(urls.databaseUrl);
  const mqLink = new TcpProxy({ host: amqp.hostname, port: Number(amqp.port) });
  const pgLink = new TcpProxy({ host: db.hostname, port: Number(db.port) });
  links.set('esim-provisioning~rabbitmq', mqLink);
  links.set('order~postgres', pgLink);
  const viaProxy = (url: URL, port: number) => Object.assign(new URL(url.toString()), { port: String(port) }).toString();
  const mqPort = await mqLink.start();
  const pgPort = await pgLink.start();

  const gateway = drillUrls.gateways[0]!;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: urls.databaseUrl,
    AMQP_URL: urls.amqpUrl,
    REDIS_URL: urls.redisUrl,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    LOG_FORMAT: 'json',
    STRIPE_WEBHOOK_SECRET: 'whsec_ttelgo_drill_secret',
    ESIMGO_CALLBACK_SIGNING_KEY: 'esimgo-sim-key',
    ESIMGO_BASE_URL: `${drillUrls.esimGo}/v2.4`,
    STRIPE_API_BASE: drillUrls.stripe,
    ESIMGO_SIM_CALLBACK_URL: `${gateway}/api/v1/webhooks/esimgo`,
    STRIPE_SIM_WEBHOOK_URL: `${gateway}/api/v1/webhooks/stripe`,
    ESIMGO_SIM_BALANCE: '100000000',
    // Our order id on each purchase, recorded by the simulator only: how the drill counts purchases per order.
    ESIMGO_SEND_CLIENT_REFERENCE: 'true',
    ...Object.fromEntries(Object.entries(DRILL_JOB_INTERVALS_MS).map(([k, v]) => [k, String(v)])),
    // A stuck order is re-driven after 30 s instead of 10 min: reconciliation is part of the product, the drill
    // only has minutes.
    ORDER_STUCK_AFTER_MS: '30000',
    // Every drill client comes from 127.0.0.1, and its retries during an outage end anonymous (the API key could not
    // be checked): the gateway's per-IP and per-user limits are not under test here, and would refuse the drill.
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    ANONYMOUS_WRITE_RATE_LIMIT_PER_MINUTE: '100000',
    API_KEY_FAILURE_RATE_LIMIT_PER_MINUTE: '100000',
    USER_RATE_LIMIT_PER_MINUTE: '100000',
  };
  const perService: Record<string, Record<string, string>> = {
    'esim-provisioning': { AMQP_URL: viaProxy(amqp, mqPort) },
    order: { DATABASE_URL: viaProxy(db, pgPort) },
  };
  const entries = services.map((s) => drillService(s, perService[s.name] ?? {}));
  const replicas = Object.fromEntries([...CONSUMER_SERVICES, 'gateway'].map((name) => [name, REPLICAS]));

  await migrateAll(urls.databaseUrl);
  const log = openSync(opts.logFile, 'a');
  const crashes: DrillPlatform['crashes'] = [];
  const killedOnPurpose = new Set<number>();
  const platform = await startPlatform({
    services: entries,
    env,
    replicas,
    mode: 'dist',
    stdio: log,
    opsPort: (s) => drillPort(s.opsPort),
    // The supervisor as under `npm start`; its loud lines appear in the drill's narrative.
    supervise: { announce: (line) => console.log(`    supervisor: ${line.trim()}`) },
    onUnexpectedExit: (label, code, signal) => {
      const pid = platform?.children.find((c) => c.name === label)?.child.pid;
      if (signal === 'SIGKILL' && pid !== undefined && killedOnPurpose.has(pid)) return;
      crashes.push({ label, code, signal, at: Date.now() });
    },
  });
  // The simulators stand for outside services, which do not share our two cores: ahead of the platform in the CPU
  // queue, they see requests when they are sent, not when a busy core gets round to them (the eSIM Go request rate
  // is measured there).
  for (const sim of platform.children.filter((c) => c.service.endsWith('-sim') && c.child.pid !== undefined)) {
    try {
      os.setPriority(sim.child.pid!, -10);
    } catch {
      // not root: the measurement is noisier, not wrong
    }
  }
  return {
    platform,
    links,
    crashes,
    killedOnPurpose,
    processesOf: (service) => platform.children.filter((c) => c.service === service && c.child.pid !== undefined).map((c) => ({ label: c.name, pid: c.child.pid! })),
    stop: async () => {
      await platform.stop();
      for (const link of links.values()) await link.stop();
    },
  };
}

export const drillLogFile = (name: string) => join(DRILL_INFRA.dir, name);
