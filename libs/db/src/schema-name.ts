/**
 * Schema names end up inside SQL text (DDL, search_path, LISTEN channels), where bind parameters are not
 * allowed, so they are validated against a conservative identifier pattern instead of being escaped.
 */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new Error(`invalid schema name ${JSON.stringify(schema)}: expected ${SCHEMA_NAME.source}`);
  }
  return schema;
}

/** Double-quoted identifier; only for names that already passed assertSchemaName or come from a fixed list. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."table"` with the schema validated. */
export function qualified(schema: string, table: string): string {
  return `${quoteIdent(assertSchemaName(schema))}.${quoteIdent(table)}`;
}
