/**
 * The platform's processes as `npm start` runs them: one entry per app in apps/. Ports follow DESIGN.md §7.
 * Adding a service = one entry here (plus its Prisma folder if it owns a schema).
 */
export interface ServiceEntry {
  name: string;
  main: string;
  /** Postgres schema the service owns, when it has one. */
  schema?: string;
  migrationsDir?: string;
  opsPort: number;
  /** Public URL(s) worth printing. */
  urls?: (env: NodeJS.ProcessEnv) => Record<string, string>;
  env?: (env: NodeJS.ProcessEnv) => Record<string, string>;
}

export const services: ServiceEntry[] = [
  {
    name: 'esimgo-sim',
    main: 'apps/esimgo-sim/src/main.ts',
    opsPort: 9112,
    env: () => ({ ESIMGO_SIM_PORT: '12112', ESIMGO_SIM_OPS_PORT: '9112' }),
    urls: () => ({ 'eSIM Go simulator': 'http://localhost:12112/v2.4 (control API: /__sim/state)' }),
  },
  {
    name: 'esim-provisioning',
    main: 'apps/esim-provisioning/src/main.ts',
    schema: 'esims',
    migrationsDir: 'prisma/esim-provisioning/migrations',
    opsPort: 9105,
    env: () => ({ OPS_PORT: '9105' }),
  },
  {
    name: 'gateway',
    main: 'apps/gateway/src/main.ts',
    opsPort: 9101,
    env: () => ({ PORT: '8080', OPS_PORT: '9101' }),
    urls: () => ({
      'Public API': 'http://localhost:8080/api/v1/bundles?country=FR',
      'API docs (Swagger UI)': 'http://localhost:8080/api/docs',
      OpenAPI: 'http://localhost:8080/api/v1/openapi.json',
    }),
  },
];
