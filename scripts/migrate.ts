/**
 * Applies every service's SQL migrations to its own schema (`npm run migrate`). Each service also migrates
 * its own schema at start (advisory-locked), so this is for operators and for `npm start`.
 */
import { runMigrations } from '@ttelgo/db';
import { createLogger } from '@ttelgo/observability';
import { services } from './services';

export async function migrateAll(databaseUrl: string): Promise<void> {
  const logger = createLogger({ service: 'migrate', level: process.env.LOG_LEVEL ?? 'warn' });
  for (const service of services) {
    if (!service.schema || !service.migrationsDir) continue;
    const { applied } = await runMigrations({ databaseUrl, schema: service.schema, migrationsDir: service.migrationsDir, logger });
    console.log(`  ${service.name}: schema "${service.schema}" ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
  }
}

if (require.main === module) {
  migrateAll(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres').catch((err) => {
    console.error(`migration failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
