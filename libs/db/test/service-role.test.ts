/**
 * One Postgres role per service, allowed to use only its own schema: the real migrations of order and
 * vendor-billing are applied by the migrating role (as `migrate` does), each schema is granted to its service's
 * role, and then the order service's role is used as the service would use it.
 */
import pg from 'pg';
import { createTestSchemaName, dropSchema, testLogger, uniqueName } from '@ttelgo/testing';
import { findMigrationsDir, grantServiceRole, pendingMigrations, roleOfDatabaseUrl, runMigrations } from '../src';
import { DATABASE_URL, sql } from './helpers';

const logger = testLogger('db-service-role-test');
const orders = createTestSchemaName('orders');
const billing = createTestSchemaName('billing');
const orderRole = uniqueName('ttelgo_order').slice(0, 63);
const billingRole = uniqueName('ttelgo_billing').slice(0, 63);
const orderMigrations = findMigrationsDir(__dirname, 'order');
const billingMigrations = findMigrationsDir(__dirname, 'vendor-billing');

/** DATABASE_URL with another user and password: what the order Deployment's own Secret key holds. */
function urlAs(role: string, password: string): string {
  const url = new URL(DATABASE_URL);
  url.username = role;
  url.password = password;
  return url.toString();
}

let asOrder: pg.Client;

async function failure(query: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await query;
  } catch (err) {
    return { code: (err as { code?: string }).code, message: (err as Error).message };
  }
  throw new Error('the query succeeded');
}

beforeAll(async () => {
  await runMigrations({ databaseUrl: DATABASE_URL, schema: orders, migrationsDir: orderMigrations, logger });
  await runMigrations({ databaseUrl: DATABASE_URL, schema: billing, migrationsDir: billingMigrations, logger });
  const orderUrl = urlAs(orderRole, 'order-secret');
  const { role, password } = roleOfDatabaseUrl(orderUrl);
  await grantServiceRole({ databaseUrl: DATABASE_URL, schema: orders, role, password: password as string, logger });
  await grantServiceRole({ databaseUrl: DATABASE_URL, schema: billing, role: billingRole, password: 'billing-secret', logger });
  asOrder = new pg.Client({ connectionString: orderUrl });
  await asOrder.connect();
});

afterAll(async () => {
  await asOrder?.end();
  await dropSchema(DATABASE_URL, orders);
  await dropSchema(DATABASE_URL, billing);
  for (const role of [orderRole, billingRole, `${orderRole}_x`]) {
    await sql(`DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN EXECUTE 'DROP OWNED BY "${role}"'; EXECUTE 'DROP ROLE "${role}"'; END IF; END $$`);
  }
});

test("the order service's role reads and writes its own schema", async () => {
  const { rows } = await asOrder.query(`SELECT current_user AS who, count(*)::int AS n FROM "${orders}".orders`);
  expect(rows[0]).toEqual({ who: orderRole, n: 0 });
  const id = '0b5cbb7c-3f4e-4a8f-9a53-9d4c41f7f5a1';
  await asOrder.query(`INSERT INTO "${orders}".inbox (message_id, handler) VALUES ($1, 'test')`, [id]);
  await asOrder.query(`DELETE FROM "${orders}".inbox WHERE message_id = $1`, [id]);
  // A sequence-backed insert (order_status_history.id is bigserial) needs the sequence grant too.
  await asOrder.query(`INSERT INTO "${orders}".orders (id, owner_type, owner_id, request_key, bundle_name, quantity, unit_amount, total_amount, currency, status)
                       VALUES ($1, 'customer', 'c1', 'k1', 'esim_1GB_7D_FR_V2', 1, 100, 100, 'USD', 'AWAITING_PAYMENT')`, [id]);
  await asOrder.query(`INSERT INTO "${orders}".order_status_history (order_id, to_status, reason) VALUES ($1, 'AWAITING_PAYMENT', 'test')`, [id]);
});

test("the order service's role cannot read billing, nor anything of the billing role's schema", async () => {
  const ledger = await failure(asOrder.query(`SELECT * FROM "${billing}".accounts LIMIT 1`));
  expect(ledger).toEqual({ code: '42501', message: `permission denied for schema ${billing}` });
  const outbox = await failure(asOrder.query(`SELECT * FROM "${billing}".outbox LIMIT 1`));
  expect(outbox.code).toBe('42501');
  // Billing's role is granted billing only, and the grant did not open billing to anyone else.
  const privileges = await sql<{ grantee: string }>(`SELECT DISTINCT grantee FROM information_schema.role_table_grants WHERE table_schema = $1 AND grantee NOT IN ('postgres', current_user)`, [billing]);
  expect(privileges.map((p) => p.grantee)).toEqual([billingRole]);
});

test('the role changes no schema: no CREATE in its own, none in public, no role powers', async () => {
  expect((await failure(asOrder.query(`CREATE TABLE "${orders}".sneaky (id int)`))).code).toBe('42501');
  expect((await failure(asOrder.query(`DROP TABLE "${orders}".orders`))).code).toBe('42501');
  expect((await failure(asOrder.query('CREATE TABLE public.sneaky (id int)'))).code).toBe('42501');
  const [attrs] = await sql<Record<string, boolean>>(`SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1`, [orderRole]);
  expect(attrs).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false, rolcanlogin: true });
});

test('a table a later migration adds is covered by the schema-wide default privileges, not a list of tables', async () => {
  await sql(`CREATE TABLE "${orders}".added_later (id bigserial PRIMARY KEY, note text)`);
  await asOrder.query(`INSERT INTO "${orders}".added_later (note) VALUES ('new feature')`);
  const { rows } = await asOrder.query(`SELECT note FROM "${orders}".added_later`);
  expect(rows).toEqual([{ note: 'new feature' }]);
});

test('the service starts under its role once migrate has run: nothing pending, no DDL attempted', async () => {
  const orderUrl = urlAs(orderRole, 'order-secret');
  expect(await pendingMigrations({ databaseUrl: orderUrl, schema: orders, migrationsDir: orderMigrations })).toEqual([]);
  expect(await runMigrations({ databaseUrl: orderUrl, schema: orders, migrationsDir: orderMigrations, logger })).toEqual({ applied: [] });
  // With a migration still pending, the role cannot apply it and says what to do instead.
  const fresh = createTestSchemaName('orders_fresh');
  await sql(`CREATE SCHEMA "${fresh}"`);
  try {
    await grantServiceRole({ databaseUrl: DATABASE_URL, schema: fresh, role: orderRole, logger });
    await expect(runMigrations({ databaseUrl: orderUrl, schema: fresh, migrationsDir: orderMigrations, logger })).rejects.toThrow(/may not apply them .*run `migrate`/);
  } finally {
    await dropSchema(DATABASE_URL, fresh);
  }
});

test('granting is idempotent and refuses a role with powers a service must not have', async () => {
  await grantServiceRole({ databaseUrl: DATABASE_URL, schema: orders, role: orderRole, password: 'order-secret', logger });
  await sql(`CREATE ROLE "${orderRole}_x" LOGIN CREATEDB`);
  await expect(grantServiceRole({ databaseUrl: DATABASE_URL, schema: orders, role: `${orderRole}_x`, logger })).rejects.toThrow(/has CREATEDB/);
  expect(() => roleOfDatabaseUrl('postgresql://Robert%27);DROP@host/db')).toThrow(/must match/);
});
