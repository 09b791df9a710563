/**
 * `npm run migrate`, and `migrate` in the image (the Kubernetes migration Job, compose's `migrate` service):
 * applies every service's SQL migrations to its own schema as the migrating role (DATABASE_URL: it owns the
 * schemas and may create roles), then, for each service whose own connection URL is given as
 * `<SERVICE>_DATABASE_URL` (ORDER_DATABASE_URL, ESIM_PROVISIONING_DATABASE_URL, ...), makes that URL's user a
 * login role with that password that may read and write its own schema and nothing else (grantServiceRole).
 * Without those variables (`npm start`) every service keeps the one connection it is given.
 * Each service also checks its own schema at start and migrates it when its role may (advisory-locked).
 */
import { grantServiceRole, roleOfDatabaseUrl, runMigrations } from '@ttelgo/db';
import { createLogger } from '@ttelgo/observability';
import { services } from './services';

/** The variable naming a service's own connection: `esim-provisioning` -> `ESIM_PROVISIONING_DATABASE_URL`. */
export function serviceDatabaseUrlVariable(service: string): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_DATABASE_URL`;
}

export async function migrateAll(databaseUrl: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const logger = createLogger({ service: 'migrate', level: process.env.LOG_LEVEL ?? 'warn' });
  for (const service of services) {
    if (!service.schema || !service.migrationsDir) continue;
    const { applied } = await runMigrations({ databaseUrl, schema: service.schema, migrationsDir: service.migrationsDir, logger });
    const own = env[serviceDatabaseUrlVariable(service.name)];
    let granted = '';
    if (own) {
      const { role, password } = roleOfDatabaseUrl(own);
      await grantServiceRole({ databaseUrl, schema: service.schema, role, ...(password !== undefined ? { password } : {}), logger });
      granted = `; role "${role}" may use it (and no other schema)`;
    }
    console.log(`  ${service.name}: schema "${service.schema}" ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}${granted}`);
  }
}

if (require.main === module) {
  migrateAll(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres', process.env).catch((err) => {
    console.error(`migration failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
