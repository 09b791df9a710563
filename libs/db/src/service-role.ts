import type { Logger } from 'pino';
import { createPgClient } from './pg-connections';
import { assertSchemaName, quoteIdent } from './schema-name';

/** Role names go into DDL as identifiers, like schema names: the same conservative pattern. */
const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export interface ServiceRoleOptions {
  /** A connection of the migrating role: it owns the schema's objects and may create roles (CREATEROLE). */
  databaseUrl: string;
  schema: string;
  /** The service's login role; created when missing. */
  role: string;
  /** Set (or reset) as the role's password; omitted, the password is left as it is. */
  password?: string;
  logger: Logger;
}

/** The role and password of a service's DATABASE_URL (`postgresql://ttelgo_order:secret@host/db`). */
export function roleOfDatabaseUrl(databaseUrl: string): { role: string; password?: string } {
  const url = new URL(databaseUrl);
  const role = decodeURIComponent(url.username);
  if (!ROLE_NAME.test(role)) throw new Error(`the user of a service's DATABASE_URL must match ${ROLE_NAME.source}, not ${JSON.stringify(role)}`);
  return url.password ? { role, password: decodeURIComponent(url.password) } : { role };
}

/**
 * Makes `role` a login role that can use exactly one schema: read and write the rows of every table and
 * sequence in `schema`, and nothing else of ours. It gets no CREATE anywhere (migrations run as the migrating
 * role, before the service), no USAGE on any other service's schema, and is neither superuser nor able to
 * create roles or databases.
 *
 * Tables the migrating role creates later are covered without a list of tables: `ALTER DEFAULT PRIVILEGES`
 * grants them as they are created, and the `... ON ALL TABLES IN SCHEMA` grants re-run after every migration
 * catch anything created by another role meanwhile. Idempotent: run it after every migration of the schema.
 */
export async function grantServiceRole(opts: ServiceRoleOptions): Promise<void> {
  const schema = quoteIdent(assertSchemaName(opts.schema));
  if (!ROLE_NAME.test(opts.role)) throw new Error(`invalid role name ${JSON.stringify(opts.role)}: expected ${ROLE_NAME.source}`);
  const role = quoteIdent(opts.role);
  const log = opts.logger.child({ schema: opts.schema, role: opts.role, component: 'service-role' });
  const client = createPgClient({ databaseUrl: opts.databaseUrl, applicationName: `ttelgo:grant:${opts.schema}`, logger: log });
  await client.connect();
  try {
    await client.query('BEGIN');
    // CREATE ROLE has no IF NOT EXISTS; two migrations racing here would fail one with a unique violation,
    // so the check and the create run under a transaction-scoped advisory lock.
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('ttelgo:roles'), hashtext($1))`, [opts.role]);
    const existing = await client.query<{ powers: string[] }>(
      `SELECT array_remove(ARRAY[CASE WHEN rolsuper THEN 'SUPERUSER' END, CASE WHEN rolcreaterole THEN 'CREATEROLE' END,
              CASE WHEN rolcreatedb THEN 'CREATEDB' END, CASE WHEN rolreplication THEN 'REPLICATION' END,
              CASE WHEN rolbypassrls THEN 'BYPASSRLS' END], NULL) AS powers
         FROM pg_roles WHERE rolname = $1`,
      [opts.role],
    );
    // A new role gets Postgres' defaults: NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS.
    if (existing.rowCount === 0) await client.query(`CREATE ROLE ${role} LOGIN`);
    else if (existing.rows[0]!.powers.length > 0) {
      // Only a superuser may take those away; refuse rather than hand a schema to an all-powerful login.
      throw new Error(`role ${opts.role} has ${existing.rows[0]!.powers.join(', ')}: a service role must have none of them (use another role, or ALTER ROLE it first)`);
    } else await client.query(`ALTER ROLE ${role} WITH LOGIN`);
    // PASSWORD takes a literal only; format('%L') quotes it on the server side.
    if (opts.password !== undefined) {
      const { rows } = await client.query<{ sql: string }>(`SELECT format('ALTER ROLE %I WITH PASSWORD %L', $1::text, $2::text) AS sql`, [opts.role, opts.password]);
      await client.query(rows[0]!.sql);
    }
    await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
    await client.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
    await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${role}`);
    await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${role}`);
    await client.query('COMMIT');
    log.info('service role granted its schema');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}
