import { AppError } from '@ttelgo/http';
import { AuditLogListResponseSchema, type AuditLogListResponse, type AuditLogQuery } from '@ttelgo/contracts';
import type { AuditLogRepository } from '../infrastructure/audit-log.repository';
import { toPublic } from './public-response';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const invalidCursor = () => new AppError('INVALID_CURSOR', 400, 'The cursor is not valid.');

function encodeCursor(last: { at: Date; id: string }): string {
  return Buffer.from(`${last.at.toISOString()}|${last.id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [iso, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const at = new Date(iso ?? '');
  if (extra !== undefined || !id || !UUID.test(id) || Number.isNaN(at.getTime()) || at.toISOString() !== iso) throw invalidCursor();
  return { at, id };
}

/** `GET /admin/audit-log`: newest first, filtered by actor id, action and resource (`<type>` or `<type>:<id>`). */
export async function listAuditLog(repo: AuditLogRepository, query: AuditLogQuery): Promise<AuditLogListResponse> {
  let resourceType: string | undefined;
  let resourceId: string | undefined;
  if (query.resource !== undefined) {
    const colon = query.resource.indexOf(':');
    resourceType = colon === -1 ? query.resource : query.resource.slice(0, colon);
    resourceId = colon === -1 ? undefined : query.resource.slice(colon + 1);
  }
  const { rows, last } = await repo.page(
    { actorId: query.actorId, action: query.action, resourceType, resourceId },
    { limit: query.limit, after: query.cursor !== undefined ? decodeCursor(query.cursor) : undefined },
  );
  return toPublic(AuditLogListResponseSchema, {
    data: rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actor: { type: r.actorType, id: r.actorId },
      action: r.action,
      resource: r.resourceType === null ? null : { type: r.resourceType, id: r.resourceId },
      outcome: r.outcome,
      statusCode: r.statusCode,
      method: r.method,
      path: r.path,
      requestId: r.requestId,
      ip: r.ip,
      details: r.details,
    })),
    nextCursor: last ? encodeCursor(last) : null,
  });
}
