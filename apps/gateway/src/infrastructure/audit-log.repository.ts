/**
 * The audit log (schema `gateway`): append-only; read newest first by `GET /admin/audit-log` (keyset pages on (at, id)).
 */
import { randomUUID } from 'node:crypto';
import { assertSchemaName, quoteIdent, type PgTransactions } from '@ttelgo/db';
import type { PrismaClient } from './generated/prisma/client';

export interface AuditEntry {
  actorType: string;
  actorId: string | null;
  action: string;
  resourceType: string | null;
  resourceId: string | null;
  outcome: 'success' | 'failure' | 'error';
  statusCode: number;
  method: string;
  path: string;
  requestId: string | null;
  ip: string | null;
  details: Record<string, unknown>;
}

export interface AuditRow extends AuditEntry {
  id: string;
  at: Date;
}

export class AuditLogRepository {
  private readonly table: string;

  constructor(
    private readonly prisma: PrismaClient,
    /** Appends (one per state-changing request) are a prepared statement on node-postgres; reads use Prisma. */
    private readonly sql: PgTransactions,
    schema: string,
  ) {
    this.table = `${quoteIdent(assertSchemaName(schema))}."audit_log"`;
  }

  async append(entry: AuditEntry): Promise<void> {
    await this.sql.query(
      `INSERT INTO ${this.table} ("id", "at", "actor_type", "actor_id", "action", "resource_type", "resource_id", "outcome", "status_code", "method", "path", "request_id", "ip", "details")
       VALUES ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb)`,
      [
        randomUUID(),
        new Date(),
        entry.actorType,
        entry.actorId,
        entry.action,
        entry.resourceType,
        entry.resourceId,
        entry.outcome,
        entry.statusCode,
        entry.method,
        entry.path,
        entry.requestId,
        entry.ip,
        JSON.stringify(entry.details),
      ],
    );
  }

  /** Retention: deletes rows older than `olderThan`, in batches (no long lock on a large table); returns the count. */
  async deleteOlderThan(olderThan: Date, batchSize = 5000): Promise<number> {
    let total = 0;
    for (;;) {
      const result = await this.sql.query(
        `DELETE FROM ${this.table} WHERE "id" IN (SELECT "id" FROM ${this.table} WHERE "at" < $1 LIMIT $2)`,
        [olderThan, batchSize],
      );
      const deleted = result.rowCount ?? 0;
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }

  /** Newest first; for tests now and the admin route of the next issue. */
  async list(filter: { actorId?: string; action?: string; requestId?: string } = {}, limit = 100): Promise<AuditRow[]> {
    const rows = await this.prisma.auditLog.findMany({
      where: {
        ...(filter.actorId !== undefined ? { actorId: filter.actorId } : {}),
        ...(filter.action !== undefined ? { action: filter.action } : {}),
        ...(filter.requestId !== undefined ? { requestId: filter.requestId } : {}),
      },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: limit,
    });
    return rows.map((r) => ({ ...r, outcome: r.outcome as AuditEntry['outcome'], details: (r.details ?? {}) as Record<string, unknown> }));
  }

  /**
   * One page, newest first. The cursor is the (at, id) of the last row of the previous page: stable while new rows
   * arrive (they are newer, so they never shift a page the way an offset would).
   */
  async page(
    filter: { actorId?: string | undefined; action?: string | undefined; resourceType?: string | undefined; resourceId?: string | undefined },
    page: { limit: number; after?: { at: Date; id: string } | undefined },
  ): Promise<{ rows: AuditRow[]; last: { at: Date; id: string } | null }> {
    const rows = await this.prisma.auditLog.findMany({
      where: {
        ...(filter.actorId !== undefined ? { actorId: filter.actorId } : {}),
        ...(filter.action !== undefined ? { action: filter.action } : {}),
        ...(filter.resourceType !== undefined ? { resourceType: filter.resourceType } : {}),
        ...(filter.resourceId !== undefined ? { resourceId: filter.resourceId } : {}),
        ...(page.after ? { OR: [{ at: { lt: page.after.at } }, { at: page.after.at, id: { lt: page.after.id } }] } : {}),
      },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: page.limit + 1,
    });
    const more = rows.length > page.limit;
    const pageRows = rows.slice(0, page.limit);
    const lastRow = pageRows.at(-1);
    return {
      rows: pageRows.map((r) => ({ ...r, outcome: r.outcome as AuditEntry['outcome'], details: (r.details ?? {}) as Record<string, unknown> })),
      last: more && lastRow ? { at: lastRow.at, id: lastRow.id } : null,
    };
  }
}
