/**
 * The audit log (schema `gateway`): append-only here; issue 4 adds the admin read route.
 */
import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient } from './generated/prisma/client';

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
  constructor(private readonly prisma: PrismaClient) {}

  async append(entry: AuditEntry): Promise<void> {
    await this.prisma.auditLog.create({ data: { id: randomUUID(), ...entry, details: entry.details as Prisma.InputJsonValue } });
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
}
