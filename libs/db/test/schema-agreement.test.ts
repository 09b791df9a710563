import { createTestSchemaName, dropSchema, testLogger } from '@ttelgo/testing';
import { assertSchemaMatchesPrisma, diffSchemaWithPrisma, runMigrations, SchemaMismatchError } from '../src';
import { FIXTURE_MIGRATIONS_DIR, FIXTURE_SCHEMA_PRISMA } from './fixture/fixture-db';
import { DATABASE_URL, sql } from './helpers';

const logger = testLogger('db-schema-agreement-test');
const schemas: string[] = [];

async function migratedFixture(): Promise<string> {
  const schema = createTestSchemaName('dbagree');
  schemas.push(schema);
  await runMigrations({ databaseUrl: DATABASE_URL, schema, migrationsDir: FIXTURE_MIGRATIONS_DIR, logger });
  return schema;
}

afterAll(async () => {
  for (const schema of schemas) await dropSchema(DATABASE_URL, schema);
});

// What `prisma migrate diff --from-empty` writes for RICH_PRISMA (types, enum, relation, uniques, list).
const RICH_PRISMA = `
enum OrderStatus {
  PENDING
  PAID @map("paid")
  @@map("order_status")
}
model Customer {
  id     String  @id @db.Uuid
  email  String  @unique @db.VarChar(320)
  orders Order[]
  @@map("customer")
}
model Order {
  id          String      @id @db.Uuid
  customerId  String      @map("customer_id") @db.Uuid
  customer    Customer    @relation(fields: [customerId], references: [id])
  status      OrderStatus @default(PENDING)
  total       Decimal     @db.Decimal(12, 2)
  tags        String[]
  placedAt    DateTime    @default(now()) @map("placed_at")
  note        String?
  externalRef String      @map("external_ref")
  quantity    BigInt
  @@unique([customerId, externalRef])
  @@index([placedAt(sort: Desc)])
  @@map("order")
}`;

const RICH_SQL = `
CREATE TYPE "order_status" AS ENUM ('PENDING', 'paid');
CREATE TABLE "customer" ("id" UUID NOT NULL, "email" VARCHAR(320) NOT NULL, CONSTRAINT "customer_pkey" PRIMARY KEY ("id"));
CREATE TABLE "order" (
  "id" UUID NOT NULL, "customer_id" UUID NOT NULL, "status" "order_status" NOT NULL DEFAULT 'PENDING',
  "total" DECIMAL(12,2) NOT NULL, "tags" TEXT[], "placed_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "note" TEXT, "external_ref" TEXT NOT NULL, "quantity" BIGINT NOT NULL,
  CONSTRAINT "order_pkey" PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "customer_email_key" ON "customer"("email");
CREATE UNIQUE INDEX "order_customer_id_external_ref_key" ON "order"("customer_id", "external_ref");
CREATE INDEX "order_placed_at_idx" ON "order"("placed_at" DESC);
ALTER TABLE "order" ADD CONSTRAINT "order_customer_id_fkey" FOREIGN KEY ("customer_id") REFERENCES "customer"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
`;

describe('diffSchemaWithPrisma', () => {
  it('finds no difference between the fixture migrations and the fixture schema.prisma', async () => {
    const schema = await migratedFixture();
    expect(await diffSchemaWithPrisma({ databaseUrl: DATABASE_URL, schema, prismaSchemaPath: FIXTURE_SCHEMA_PRISMA })).toEqual([]);
  });

  it('reports tables, columns, types, nullability and indexes that differ', async () => {
    const schema = await migratedFixture();
    await sql(`SET search_path TO "${schema}";
      CREATE TABLE stray (id int);
      ALTER TABLE effect ADD COLUMN extra text;
      ALTER TABLE effect ALTER COLUMN note DROP NOT NULL;
      ALTER TABLE outbox ALTER COLUMN attempts TYPE bigint;
      ALTER TABLE outbox ALTER COLUMN sent_at TYPE timestamptz(6);
      ALTER TABLE inbox DROP COLUMN received_at;
      DROP INDEX outbox_sent_at_available_at_idx;`);
    const diffs = await diffSchemaWithPrisma({ databaseUrl: DATABASE_URL, schema, prismaSchemaPath: FIXTURE_SCHEMA_PRISMA });
    expect(diffs.map((d) => [d.kind, d.table, d.column]).sort()).toEqual(
      [
        ['extra-table', 'stray', undefined],
        ['extra-column', 'effect', 'extra'],
        ['nullability', 'effect', 'note'],
        ['type', 'outbox', 'attempts'],
        ['type', 'outbox', 'sent_at'],
        ['missing-column', 'inbox', 'received_at'],
        ['index', 'outbox', undefined],
      ].sort(),
    );
    expect(diffs.find((d) => d.column === 'attempts')?.message).toMatch(/bigint, Prisma expects integer/);
  });

  it('reports a model whose table is missing', async () => {
    const schema = await migratedFixture();
    const text = `${await import('node:fs').then((fs) => fs.readFileSync(FIXTURE_SCHEMA_PRISMA, 'utf8'))}
model Refund {
  id String @id @db.Uuid
  @@map("refund")
}`;
    const diffs = await diffSchemaWithPrisma({ databaseUrl: DATABASE_URL, schema, prismaSchema: text });
    expect(diffs).toEqual([{ kind: 'missing-table', table: 'refund', message: 'model Refund: table "refund" does not exist' }]);
  });

  it('understands enums, relations, unique constraints, decimals and lists', async () => {
    const schema = createTestSchemaName('dbagree');
    schemas.push(schema);
    await sql(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}"; ${RICH_SQL}`);
    expect(await diffSchemaWithPrisma({ databaseUrl: DATABASE_URL, schema, prismaSchema: RICH_PRISMA })).toEqual([]);

    await sql(`SET search_path TO "${schema}";
      ALTER TABLE "order" DROP CONSTRAINT order_customer_id_fkey;
      DROP INDEX order_customer_id_external_ref_key;
      ALTER TYPE order_status ADD VALUE 'refunded';
      ALTER TABLE "order" ALTER COLUMN total TYPE numeric(14,2);`);
    const diffs = await diffSchemaWithPrisma({ databaseUrl: DATABASE_URL, schema, prismaSchema: RICH_PRISMA });
    expect(diffs.map((d) => d.kind).sort()).toEqual(['enum-values', 'foreign-key', 'type', 'unique']);
  });
});

describe('assertSchemaMatchesPrisma', () => {
  it('resolves when the migrations and schema.prisma agree', async () => {
    const schema = await migratedFixture();
    await expect(assertSchemaMatchesPrisma({ databaseUrl: DATABASE_URL, schema, prismaSchemaPath: FIXTURE_SCHEMA_PRISMA })).resolves.toBeUndefined();
  });

  it('throws a SchemaMismatchError that lists every difference', async () => {
    const schema = await migratedFixture();
    await sql(`SET search_path TO "${schema}";
      ALTER TABLE effect ADD COLUMN extra text;
      ALTER TABLE outbox ALTER COLUMN attempts TYPE bigint;`);
    const error = await assertSchemaMatchesPrisma({ databaseUrl: DATABASE_URL, schema, prismaSchemaPath: FIXTURE_SCHEMA_PRISMA }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SchemaMismatchError);
    const mismatch = error as SchemaMismatchError;
    expect(mismatch.differences.map((d) => d.kind).sort()).toEqual(['extra-column', 'type']);
    expect(mismatch.message).toContain(`schema ${schema} disagrees with its Prisma schema in 2 place(s):`);
    expect(mismatch.message).toContain('  - column "effect"."extra" has no field in model');
    expect(mismatch.message).toMatch(/ {2}- \w+\.attempts: column type is bigint, Prisma expects integer/);
  });
});
