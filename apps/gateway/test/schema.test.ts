/**
 * The hand-written migration and the Prisma schema agree (tables, columns, types, nullability, keys, indexes), and
 * the SQL-only guards (CHECKs, the outbox notify trigger) are in place.
 */
import { resolve } from 'node:path';
import pg from 'pg';
import { assertSchemaMatchesPrisma, runMigrations } from '@ttelgo/db';
import { TEST_DATABASE_URL, createTestSchemaName, dropSchema, testLogger } from '@ttelgo/testing';
import { DEFAULT_MIGRATIONS_DIR } from '../src/service';

const schema = createTestSchemaName('gateway_schema');
let client: pg.Client;

beforeAll(async () => {
  await runMigrations({ databaseUrl: TEST_DATABASE_URL, schema, migrationsDir: DEFAULT_MIGRATIONS_DIR, logger: testLogger('gateway-schema') });
  client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query(`SET search_path TO "${schema}"`);
});

afterAll(async () => {
  await client?.end();
  await dropSchema(TEST_DATABASE_URL, schema);
});

it('matches prisma/gateway/schema.prisma', async () => {
  await assertSchemaMatchesPrisma({
    databaseUrl: TEST_DATABASE_URL,
    schema,
    prismaSchemaPath: resolve(__dirname, '../../../prisma/gateway/schema.prisma'),
  });
});

it('guards roles, normalised e-mails and idempotency statuses in SQL', async () => {
  const insertUser = (email: string, role: string) =>
    client.query("INSERT INTO users (id, email, password_hash, role) VALUES (gen_random_uuid(), $1, 'x', $2)", [email, role]);
  await expect(insertUser('root@example.com', 'root')).rejects.toThrow(/users_role_check/);
  await expect(insertUser('Mixed@Example.com', 'customer')).rejects.toThrow(/users_email_normalised_check/);
  await insertUser('ok@example.com', 'customer');
  await expect(
    client.query("INSERT INTO idempotency_records (id, principal, key, method, path, request_hash, status, expires_at) VALUES (gen_random_uuid(), 'p', 'k', 'POST', '/', 'h', 'COMPLETED', now())"),
  ).rejects.toThrow(/idempotency_records_completed_check/);
});

it('notifies the outbox channel on insert', async () => {
  const { rows } = await client.query<{ tgname: string }>(
    "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = 'outbox' AND NOT t.tgisinternal",
    [schema],
  );
  expect(rows.map((r) => r.tgname)).toEqual(['outbox_notify']);
});
