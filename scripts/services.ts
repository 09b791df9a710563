/**
 * The platform's processes as `npm start` runs them, in start order: the simulators first, then the services,
 * the gateway last. Ports: docs/architecture.md#ports. Adding a service = one entry here (plus its Prisma folder).
 */
export interface ServiceEntry {
  name: string;
  main: string;
  /** Postgres schema the service owns, when it has one; the service migrates it at start. */
  schema?: string;
  migrationsDir?: string;
  /** Port that answers `readyPath` (default /health/ready) once the process is ready. */
  opsPort: number;
  readyPath?: string;
  /** Public URL(s) worth printing. */
  urls?: (env: NodeJS.ProcessEnv) => Record<string, string>;
  env?: (env: NodeJS.ProcessEnv) => Record<string, string>;
  /** Why more than one replica of this service needs Redis (a limit that would be multiplied otherwise). */
  needsRedisForReplicas?: string;
}

/**
 * `order=2,esim-provisioning=2` as replicas per service name. Only our services (those with a schema) scale out:
 * the simulators and the mail catcher keep their state in memory, so a second copy would be another world.
 */
export function parseReplicas(spec: string, entries: ServiceEntry[]): Record<string, number> {
  const replicas: Record<string, number> = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z][a-z0-9-]*)=(\d+)$/.exec(part);
    if (!m) throw new Error(`--replicas: expected name=count, got '${part}'`);
    const [, name, countText] = m as unknown as [string, string, string];
    const entry = entries.find((e) => e.name === name);
    if (!entry) throw new Error(`--replicas: unknown service '${name}' (${entries.filter((e) => e.schema).map((e) => e.name).join(', ')})`);
    if (!entry.schema) throw new Error(`--replicas: ${name} keeps its state in memory and runs as one copy only`);
    const count = Number(countText);
    if (count < 1 || count > 9) throw new Error(`--replicas: ${name}=${count}, expected 1..9`);
    replicas[name] = count;
  }
  return replicas;
}

/**
 * How a platform process starts, as the arguments of `node`: `dist` runs the compiled bundle that `nx build <app>`
 * writes to `dist/apps/<app>/main.js` (`npm start`, the image), `tsx` runs the TypeScript sources through tsx's
 * loader (the benchmarks, unchanged sources without a build), `watch` runs them under `tsx watch`, which restarts the
 * process when a source file changes (`npm run dev`).
 */
export type RunMode = 'dist' | 'tsx' | 'watch';

/**
 * V8 flags of a compiled service, here and in the image (deploy/docker/entrypoint.sh; a test keeps both equal).
 * `--optimize-for-size` trades a little peak speed for memory: a smaller young generation and heap growth, so an
 * idle service holds about 25 MB less resident memory (README.md, "Memory").
 */
export const NODE_FLAGS = ['--optimize-for-size'];

export function entryArgs(service: ServiceEntry, mode: RunMode): string[] {
  if (mode === 'dist') return [...NODE_FLAGS, compiledMain(service)];
  if (mode === 'watch') return [require.resolve('tsx/cli'), 'watch', '--clear-screen=false', service.main];
  return ['--import', 'tsx', service.main];
}

/** `apps/<app>/src/main.ts` -> `dist/apps/<app>/main.js` (the build target's outputPath in nx.json). */
export function compiledMain(service: ServiceEntry): string {
  return `dist/${service.main.replace(/\/src\/main\.ts$/, '')}/main.js`;
}

export const services: ServiceEntry[] = [
  {
    name: 'esimgo-sim',
    main: 'apps/esimgo-sim/src/main.ts',
    opsPort: 9112,
    // Usage callbacks go to the gateway's ingress, signed with the key the gateway verifies them with.
    env: (env) => ({
      ESIMGO_SIM_PORT: '12112',
      ESIMGO_SIM_OPS_PORT: '9112',
      ESIMGO_SIM_CALLBACK_URL: env.ESIMGO_SIM_CALLBACK_URL ?? 'http://127.0.0.1:8080/api/v1/webhooks/esimgo',
      ...(env.ESIMGO_CALLBACK_SIGNING_KEY ? { ESIMGO_SIM_CALLBACK_SIGNING_KEY: env.ESIMGO_CALLBACK_SIGNING_KEY } : {}),
    }),
    urls: () => ({ 'eSIM Go simulator': 'http://localhost:12112/v2.4  (control: /__sim/state)' }),
  },
  {
    name: 'stripe-sim',
    main: 'apps/stripe-sim/src/main.ts',
    opsPort: 9111,
    env: (env) => ({
      STRIPE_SIM_PORT: '12111',
      STRIPE_SIM_OPS_PORT: '9111',
      STRIPE_SIM_WEBHOOK_URL: env.STRIPE_SIM_WEBHOOK_URL ?? 'http://127.0.0.1:8080/api/v1/webhooks/stripe',
    }),
    urls: () => ({ 'Stripe simulator': 'http://localhost:12111/v1  (control: /__sim/state)' }),
  },
  {
    name: 'smtp-catcher',
    main: 'apps/smtp-catcher/src/main.ts',
    opsPort: 1080,
    readyPath: '/api/messages',
    env: () => ({ SMTP_CATCHER_SMTP_PORT: '1025', SMTP_CATCHER_WEB_PORT: '1080' }),
    urls: () => ({ 'Mail (SMTP catcher)': 'http://localhost:1080' }),
  },
  {
    name: 'esim-provisioning',
    main: 'apps/esim-provisioning/src/main.ts',
    schema: 'esims',
    migrationsDir: 'prisma/esim-provisioning/migrations',
    opsPort: 9105,
    env: () => ({ OPS_PORT: '9105' }),
    needsRedisForReplicas: "eSIM Go allows 10 requests/s per account; the replicas share that budget through Redis, or each would spend all of it",
  },
  {
    name: 'payment',
    main: 'apps/payment/src/main.ts',
    schema: 'payments',
    migrationsDir: 'prisma/payment/migrations',
    opsPort: 9103,
    env: () => ({ OPS_PORT: '9103' }),
  },
  {
    name: 'vendor-billing',
    main: 'apps/vendor-billing/src/main.ts',
    schema: 'billing',
    migrationsDir: 'prisma/vendor-billing/migrations',
    opsPort: 9104,
    env: () => ({ OPS_PORT: '9104' }),
  },
  {
    name: 'order',
    main: 'apps/order/src/main.ts',
    schema: 'orders',
    migrationsDir: 'prisma/order/migrations',
    opsPort: 9102,
    env: () => ({ OPS_PORT: '9102' }),
  },
  {
    name: 'notification',
    main: 'apps/notification/src/main.ts',
    schema: 'notifications',
    migrationsDir: 'prisma/notification/migrations',
    opsPort: 9106,
    env: () => ({ OPS_PORT: '9106', SMTP_URL: 'smtp://127.0.0.1:1025' }),
  },
  {
    name: 'gateway',
    main: 'apps/gateway/src/main.ts',
    schema: 'gateway',
    migrationsDir: 'prisma/gateway/migrations',
    opsPort: 9101,
    env: () => ({ PORT: '8080', OPS_PORT: '9101' }),
    needsRedisForReplicas: 'the per-vendor and per-user rate limits are counted in Redis, or each replica would allow the whole limit',
    urls: () => ({
      'Public API': 'http://localhost:8080/api/v1/bundles?country=FR',
      'API docs (Swagger UI)': 'http://localhost:8080/api/docs',
      OpenAPI: 'http://localhost:8080/api/v1/openapi.json',
    }),
  },
];
