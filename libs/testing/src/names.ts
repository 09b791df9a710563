import { randomBytes } from 'node:crypto';

/** A unique, valid Postgres identifier / vhost name for one test file: tests never share or truncate. */
export function uniqueName(prefix: string): string {
  return `${prefix.replace(/[^a-z0-9_]/g, '_')}_t_${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

export function createTestSchemaName(prefix: string): string {
  return uniqueName(prefix).slice(0, 63);
}
