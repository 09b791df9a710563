import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { argument, fieldList, parsePrismaSchema, type PrismaEnum, type PrismaField, type PrismaSchema } from './prisma-schema.parser';
import { createPgClient } from './pg-connections';
import { assertSchemaName } from './schema-name';

export type SchemaDifferenceKind =
  | 'missing-table'
  | 'extra-table'
  | 'missing-column'
  | 'extra-column'
  | 'type'
  | 'nullability'
  | 'primary-key'
  | 'unique'
  | 'index'
  | 'foreign-key'
  | 'missing-enum'
  | 'enum-values';

export interface SchemaDifference {
  kind: SchemaDifferenceKind;
  table?: string;
  column?: string;
  message: string;
}

export interface SchemaAgreementOptions {
  databaseUrl: string;
  schema: string;
  /** Path of the service's schema.prisma ... */
  prismaSchemaPath?: string;
  /** ... or its text. */
  prismaSchema?: string;
}

interface DbColumn {
  table: string;
  column: string;
  nullable: boolean;
  type: string; // format_type(), e.g. 'timestamp(3) with time zone'; 'enum:<name>' for enums
}

interface DbKey {
  table: string;
  kind: 'p' | 'u' | 'i'; // primary key, unique index, plain index
  columns: string[];
}

interface DbForeignKey {
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

const SCALAR_DEFAULTS: Record<string, string> = {
  String: 'text',
  Boolean: 'boolean',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

/** Postgres spelling (format_type) of a Prisma native type; `(n)` placeholders are filled from the arguments. */
function nativeType(name: string, args: string[]): string | undefined {
  const mod = args.length > 0 ? `(${args.map((a) => a.trim()).join(',')})` : '';
  switch (name) {
    case 'Text': return 'text';
    case 'VarChar': return `character varying${mod}`;
    case 'Char': return `character${mod || '(1)'}`;
    case 'Uuid': return 'uuid';
    case 'Xml': return 'xml';
    case 'Inet': return 'inet';
    case 'Citext': return 'citext';
    case 'Bit': return `bit${mod || '(1)'}`;
    case 'VarBit': return `bit varying${mod}`;
    case 'Boolean': return 'boolean';
    case 'Integer': return 'integer';
    case 'SmallInt': return 'smallint';
    case 'BigInt': return 'bigint';
    case 'Oid': return 'oid';
    case 'DoublePrecision': return 'double precision';
    case 'Real': return 'real';
    case 'Decimal': return `numeric${mod}`;
    case 'Money': return 'money';
    case 'Timestamp': return `timestamp${mod} without time zone`;
    case 'Timestamptz': return `timestamp${mod} with time zone`;
    case 'Date': return 'date';
    case 'Time': return `time${mod} without time zone`;
    case 'Timetz': return `time${mod} with time zone`;
    case 'Json': return 'json';
    case 'JsonB': return 'jsonb';
    case 'ByteA': return 'bytea';
    default: return undefined;
  }
}

function expectedType(field: PrismaField, enums: Map<string, PrismaEnum>): string | undefined {
  let base: string | undefined;
  const enumDef = enums.get(field.type);
  if (enumDef) base = `enum:${enumDef.dbName}`;
  else if (field.nativeType) base = nativeType(field.nativeType.name, field.nativeType.args);
  else if (field.type === 'Unsupported') base = field.unsupportedType?.toLowerCase();
  else base = SCALAR_DEFAULTS[field.type];
  if (base === undefined) return undefined;
  return field.list ? `${base}[]` : base;
}

function sameType(expected: string, actual: string, field: PrismaField): boolean {
  const norm = (t: string) => t.toLowerCase().replace(/\s+/g, ' ').replace(/\s*,\s*/g, ',').trim();
  if (norm(expected) === norm(actual)) return true;
  // @db.Timestamp / @db.VarChar etc. without arguments: Prisma leaves the precision to Postgres.
  if (field.nativeType && field.nativeType.args.length === 0) return norm(actual).replace(/\(\d+(,\d+)?\)/, '') === norm(expected);
  return false;
}

async function readDatabase(client: pg.ClientBase, schema: string) {
  const tables = await client.query<{ table: string }>(
    `SELECT c.relname::text AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND c.relname NOT IN ('_prisma_migrations', '_job_runs')`,
    [schema],
  );
  const columns = await client.query<DbColumn>(
    `SELECT c.relname::text AS table, a.attname::text AS column, NOT a.attnotnull AS nullable,
            CASE WHEN t.typtype = 'e' THEN 'enum:' || t.typname
                 WHEN et.typtype = 'e' THEN 'enum:' || et.typname || '[]'
                 ELSE format_type(a.atttypid, a.atttypmod) END AS type
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        AND c.relname NOT IN ('_prisma_migrations', '_job_runs')`,
    [schema],
  );
  const keys = await client.query<DbKey>(
    `SELECT c.relname::text AS table,
            CASE WHEN i.indisprimary THEN 'p' WHEN i.indisunique THEN 'u' ELSE 'i' END AS kind,
            array(SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns
       FROM pg_index i
       JOIN pg_class c ON c.oid = i.indrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND i.indpred IS NULL`,
    [schema],
  );
  const foreignKeys = await client.query<DbForeignKey>(
    `SELECT c.relname::text AS table, rc.relname::text AS "refTable",
            array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord) AS "refColumns"
       FROM pg_constraint con
       JOIN pg_class c ON c.oid = con.conrelid
       JOIN pg_class rc ON rc.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND con.contype = 'f'`,
    [schema],
  );
  const enums = await client.query<{ name: string; values: string[] }>(
    `SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 GROUP BY t.typname`,
    [schema],
  );
  return { tables: tables.rows, columns: columns.rows, keys: keys.rows, foreignKeys: foreignKeys.rows, enums: enums.rows };
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

function compare(prisma: PrismaSchema, db: Awaited<ReturnType<typeof readDatabase>>): SchemaDifference[] {
  const diffs: SchemaDifference[] = [];
  const enums = new Map(prisma.enums.map((e) => [e.name, e]));
  const models = new Map(prisma.models.map((m) => [m.name, m]));
  const dbTables = new Set(db.tables.map((t) => t.table));
  const modelTables = new Set(prisma.models.filter((m) => !m.ignored).map((m) => m.table));

  for (const e of prisma.enums) {
    const actual = db.enums.find((x) => x.name === e.dbName);
    if (!actual) diffs.push({ kind: 'missing-enum', message: `enum type "${e.dbName}" does not exist` });
    else if (!same([...actual.values].sort(), [...e.values].sort())) {
      diffs.push({ kind: 'enum-values', message: `enum "${e.dbName}": database has [${actual.values.join(', ')}], Prisma has [${e.values.join(', ')}]` });
    }
  }

  for (const table of dbTables) {
    if (!modelTables.has(table)) diffs.push({ kind: 'extra-table', table, message: `table "${table}" exists but no Prisma model maps to it` });
  }

  for (const model of prisma.models) {
    if (model.ignored) continue;
    const table = model.table;
    if (!dbTables.has(table)) {
      diffs.push({ kind: 'missing-table', table, message: `model ${model.name}: table "${table}" does not exist` });
      continue;
    }
    const scalarFields = model.fields.filter((f) => !models.has(f.type));
    const columnOf = (fieldName: string) => model.fields.find((f) => f.name === fieldName)?.column ?? fieldName;
    const dbColumns = new Map(db.columns.filter((c) => c.table === table).map((c) => [c.column, c]));

    for (const field of scalarFields) {
      const actual = dbColumns.get(field.column);
      if (!actual) {
        diffs.push({ kind: 'missing-column', table, column: field.column, message: `${model.name}.${field.name}: column "${table}"."${field.column}" does not exist` });
        continue;
      }
      const expected = expectedType(field, enums);
      if (expected !== undefined && !sameType(expected, actual.type, field)) {
        diffs.push({ kind: 'type', table, column: field.column, message: `${model.name}.${field.name}: column type is ${actual.type}, Prisma expects ${expected}` });
      }
      // Prisma creates scalar lists without NOT NULL, so their nullability says nothing.
      if (!field.list && actual.nullable !== field.optional) {
        diffs.push({
          kind: 'nullability',
          table,
          column: field.column,
          message: `${model.name}.${field.name}: column is ${actual.nullable ? 'NULL' : 'NOT NULL'}, Prisma field is ${field.optional ? 'optional' : 'required'}`,
        });
      }
    }
    const expectedColumns = new Set(scalarFields.map((f) => f.column));
    for (const column of dbColumns.keys()) {
      if (!expectedColumns.has(column)) diffs.push({ kind: 'extra-column', table, column, message: `column "${table}"."${column}" has no field in model ${model.name}` });
    }

    const keys = db.keys.filter((k) => k.table === table);
    const pk = keys.find((k) => k.kind === 'p');
    const blockId = model.blockAttributes.find((a) => a.name === 'id');
    const expectedPk = blockId
      ? fieldList(argument(blockId.args, 'fields', true)).map(columnOf)
      : model.fields.filter((f) => f.isId).map((f) => f.column);
    if (expectedPk.length > 0 && (!pk || !same(pk.columns, expectedPk))) {
      diffs.push({ kind: 'primary-key', table, message: `table "${table}": primary key is (${pk?.columns.join(', ') ?? 'none'}), Prisma expects (${expectedPk.join(', ')})` });
    }
    const uniques = [
      ...model.fields.filter((f) => f.isUnique).map((f) => [f.column]),
      ...model.blockAttributes.filter((a) => a.name === 'unique').map((a) => fieldList(argument(a.args, 'fields', true)).map(columnOf)),
    ];
    for (const cols of uniques) {
      if (!keys.some((k) => k.kind !== 'i' && same(k.columns, cols))) {
        diffs.push({ kind: 'unique', table, message: `table "${table}": no unique index on (${cols.join(', ')})` });
      }
    }
    for (const attr of model.blockAttributes.filter((a) => a.name === 'index')) {
      const cols = fieldList(argument(attr.args, 'fields', true)).map(columnOf);
      if (!keys.some((k) => same(k.columns, cols))) diffs.push({ kind: 'index', table, message: `table "${table}": no index on (${cols.join(', ')})` });
    }
    for (const field of model.fields) {
      if (!field.relation) continue;
      const target = models.get(field.type);
      if (!target) continue;
      const cols = field.relation.fields.map(columnOf);
      const refCols = field.relation.references.map((r) => target.fields.find((f) => f.name === r)?.column ?? r);
      const found = db.foreignKeys.some((fk) => fk.table === table && fk.refTable === target.table && same(fk.columns, cols) && same(fk.refColumns, refCols));
      if (!found) {
        diffs.push({ kind: 'foreign-key', table, message: `table "${table}": no foreign key (${cols.join(', ')}) -> "${target.table}"(${refCols.join(', ')})` });
      }
    }
  }
  return diffs;
}

/**
 * Compares the live schema (catalog) with a Prisma schema: tables, columns, nullability, column types,
 * primary keys, unique constraints, @@index, foreign keys and enums. It returns every difference; an empty
 * list means the SQL migrations produce what the Prisma models describe. Extra indexes and constraints in the
 * database (partial indexes, CHECKs, triggers) are allowed: SQL migrations may add what Prisma cannot express.
 * Defaults are not compared.
 */
export async function diffSchemaWithPrisma(opts: SchemaAgreementOptions): Promise<SchemaDifference[]> {
  const schema = assertSchemaName(opts.schema);
  const text = opts.prismaSchema ?? (opts.prismaSchemaPath ? readFileSync(opts.prismaSchemaPath, 'utf8') : undefined);
  if (text === undefined) throw new Error('diffSchemaWithPrisma needs prismaSchemaPath or prismaSchema');
  const prisma = parsePrismaSchema(text);
  const client = createPgClient({ databaseUrl: opts.databaseUrl, applicationName: 'ttelgo:schema-agreement' });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) throw new Error(`schema ${schema} does not exist`);
    return compare(prisma, await readDatabase(client, schema));
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Thrown by assertSchemaMatchesPrisma; `differences` holds what diffSchemaWithPrisma found. */
export class SchemaMismatchError extends Error {
  constructor(
    readonly schema: string,
    readonly differences: SchemaDifference[],
  ) {
    super(`schema ${schema} disagrees with its Prisma schema in ${differences.length} place(s):\n${differences.map((d) => `  - ${d.message}`).join('\n')}`);
    this.name = 'SchemaMismatchError';
  }
}

/** diffSchemaWithPrisma that throws a SchemaMismatchError listing every difference, so a test cannot ignore them. */
export async function assertSchemaMatchesPrisma(opts: SchemaAgreementOptions): Promise<void> {
  const differences = await diffSchemaWithPrisma(opts);
  if (differences.length > 0) throw new SchemaMismatchError(opts.schema, differences);
}
