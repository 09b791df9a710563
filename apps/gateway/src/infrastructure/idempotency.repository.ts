/**
 * Idempotency records (schema `gateway`): one row per (principal, key). The unique index is the lock: of two
 * concurrent requests with one key exactly one inserts the IN_PROGRESS row and runs; the other finds it.
 */
import { randomUUID } from 'node:crypto';
import { assertSchemaName, quoteIdent, type PgTransactions } from '@ttelgo/db';
import type { PrismaClient } from './generated/prisma/client';

export interface IdempotencyClaim {
  principal: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
  ttlMs: number;
  /** An IN_PROGRESS record older than this was abandoned (its process died): a retry may take it over. */
  staleAfterMs: number;
}

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type ClaimOutcome =
  | { kind: 'claimed'; id: string }
  | { kind: 'mismatch' }
  | { kind: 'in-progress' }
  | { kind: 'completed'; response: StoredResponse };

/**
 * The two statements every request with a key runs (the claiming INSERT and the completing UPDATE) are prepared
 * statements on node-postgres (PgTransactions of @ttelgo/db); the rare paths (conflicts, take-overs, clean-up) use Prisma.
 */
export class IdempotencyRepository {
  private readonly table: string;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: PgTransactions,
    schema: string,
  ) {
    this.table = `${quoteIdent(assertSchemaName(schema))}."idempotency_records"`;
  }

  async claim(req: IdempotencyClaim): Promise<ClaimOutcome> {
    // Two rounds at most: the second after deleting an expired record or losing a takeover race.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const id = randomUUID();
      const now = Date.now();
      const { rowCount } = await this.sql.query(
        `INSERT INTO ${this.table} ("id", "principal", "key", "method", "path", "request_hash", "created_at", "locked_at", "expires_at")
         VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT DO NOTHING`,
        [id, req.principal, req.key, req.method, req.path, req.requestHash, new Date(now), new Date(now + req.ttlMs)],
      );
      if (rowCount === 1) return { kind: 'claimed', id };

      const existing = await this.prisma.idempotencyRecord.findUnique({ where: { principal_key: { principal: req.principal, key: req.key } } });
      if (!existing) continue; // deleted in between (released after a 5xx, or cleaned up): try to insert again
      if (existing.expiresAt.getTime() <= now) {
        await this.prisma.idempotencyRecord.deleteMany({ where: { id: existing.id, expiresAt: { lte: new Date(now) } } });
        continue;
      }
      if (existing.requestHash !== req.requestHash || existing.method !== req.method || existing.path !== req.path) return { kind: 'mismatch' };
      if (existing.status === 'COMPLETED' && existing.responseStatus !== null) {
        return {
          kind: 'completed',
          response: { status: existing.responseStatus, headers: asHeaders(existing.responseHeaders), body: existing.responseBody },
        };
      }
      if (existing.lockedAt.getTime() > now - req.staleAfterMs) return { kind: 'in-progress' };
      // Compare-and-set on lockedAt: of several retries racing for an abandoned record, one wins.
      const taken = await this.prisma.idempotencyRecord.updateMany({
        where: { id: existing.id, status: 'IN_PROGRESS', lockedAt: existing.lockedAt },
        data: { lockedAt: new Date(now) },
      });
      if (taken.count === 1) return { kind: 'claimed', id: existing.id };
      return { kind: 'in-progress' };
    }
    return { kind: 'in-progress' };
  }

  async complete(id: string, response: StoredResponse): Promise<void> {
    // JSON text for the jsonb columns, always (a string body is a JSON string, not JSON text); no body is SQL NULL.
    await this.sql.query(
      `UPDATE ${this.table} SET "status" = 'COMPLETED', "response_status" = $2, "response_headers" = $3::jsonb, "response_body" = $4::jsonb
        WHERE "id" = $1::uuid AND "status" = 'IN_PROGRESS'`,
      [id, response.status, JSON.stringify(response.headers), response.body === null || response.body === undefined ? null : JSON.stringify(response.body)],
    );
  }

  /** Forgets an unfinished request (a 5xx, an aborted connection) so the client's retry runs it again. */
  async release(id: string): Promise<void> {
    await this.prisma.idempotencyRecord.deleteMany({ where: { id, status: 'IN_PROGRESS' } });
  }

  /** Deletes expired records in batches; returns how many. */
  async deleteExpired(batchSize = 5000): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await this.prisma.idempotencyRecord.findMany({ where: { expiresAt: { lt: new Date() } }, select: { id: true }, take: batchSize });
      if (batch.length === 0) return total;
      const { count } = await this.prisma.idempotencyRecord.deleteMany({ where: { id: { in: batch.map((r) => r.id) }, expiresAt: { lt: new Date() } } });
      total += count;
      if (batch.length < batchSize) return total;
    }
  }
}

function asHeaders(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k] = v;
  }
  return out;
}
