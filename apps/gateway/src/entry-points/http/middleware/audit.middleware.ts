import { AsyncResource } from 'node:async_hooks';
import type { Request, RequestHandler, Response } from 'express';
import { requestIdOf, routeTemplate } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import type { AuditEntry } from '../../../infrastructure/audit-log.repository';
import { optionalPrincipalOf } from './authenticate.middleware';
import { optionalVendorOf } from './vendor-auth.middleware';

/** What a route tells the audit trail about its request. Never put passwords, tokens or secrets in `details`. */
export interface AuditNote {
  action?: string;
  actor?: { type: string; id: string | null };
  resource?: { type: string; id: string | null };
  details?: Record<string, unknown>;
}

export interface AuditSink {
  append(entry: AuditEntry): Promise<void>;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const notes = new WeakMap<Response, AuditNote>();

/** The mutable audit note of this request (routes fill in action, resource, actor). */
export function auditNote(res: Response): AuditNote {
  let note = notes.get(res);
  if (!note) {
    note = {};
    notes.set(res, note);
  }
  return note;
}

/** Who acted: what the route noted, else the signed-in user, else the API key's vendor, else anonymous. */
export function actorOf(req: Request, res: Response): { type: string; id: string | null } {
  const note = notes.get(res);
  if (note?.actor) return note.actor;
  const principal = optionalPrincipalOf(req);
  if (principal) return { type: 'user', id: principal.userId };
  const vendor = optionalVendorOf(req);
  return vendor ? { type: 'vendor', id: vendor.vendorId } : { type: 'anonymous', id: null };
}

/**
 * What is worth a row: every authenticated action, and authentication events (`auth.*`: sign-in attempts, successful
 * or not). Anonymous writes that authenticated nobody (404s, refused webhooks, 401s on protected routes) and
 * requests a rate limit refused before any check are noise an attacker can produce at will: they are counted
 * (onAnonymous, a metric), not stored.
 */
export function worthAuditing(entry: Pick<AuditEntry, 'actorType' | 'action' | 'statusCode'>): boolean {
  if (entry.actorType !== 'anonymous') return true;
  return entry.action.startsWith('auth.') && entry.statusCode !== 429;
}

function outcomeOf(status: number): AuditEntry['outcome'] {
  if (status >= 500) return 'error';
  if (status >= 400) return 'failure';
  return 'success';
}

function pathOf(req: Request): string {
  const url = req.originalUrl || req.url;
  const q = url.indexOf('?');
  return (q === -1 ? url : url.slice(0, q)).slice(0, 300);
}

/**
 * One audit_log row per state-changing request (POST/PUT/PATCH/DELETE) worth auditing (worthAuditing), successes
 * and failures alike, written after the response so it never delays or fails the request. A failed write is logged
 * (the access log still has the request), not retried: the audit trail is evidence, not a workflow.
 */
export function auditTrail(deps: {
  sink: AuditSink;
  logger: Logger;
  onWritten?: (entry: AuditEntry) => void;
  /** An anonymous write that was not stored (aggregated by the caller, e.g. a counter by route and status). */
  onAnonymous?: (entry: AuditEntry) => void;
}): RequestHandler {
  return (req, res, next) => {
    if (!STATE_CHANGING.has(req.method)) {
      next();
      return;
    }
    let written = false;
    const write = (aborted: boolean): void => {
      if (written) return;
      written = true;
      const note = notes.get(res) ?? {};
      const principal = optionalPrincipalOf(req);
      // An API key acts for its vendor: the actor is the vendor, the key that was used goes with the details.
      const vendor = optionalVendorOf(req);
      const actor = actorOf(req, res);
      const route = routeTemplate(req);
      const entry: AuditEntry = {
        actorType: actor.type,
        actorId: actor.id,
        action: note.action ?? `http.${req.method.toLowerCase()}${route === 'unmatched' ? '' : ` ${route}`}`,
        resourceType: note.resource?.type ?? null,
        resourceId: note.resource?.id ?? null,
        outcome: outcomeOf(res.statusCode),
        statusCode: res.statusCode,
        method: req.method,
        path: pathOf(req),
        requestId: requestIdOf(res) ?? null,
        ip: req.ip ?? null,
        details: {
          ...(note.details ?? {}),
          ...(principal ? { role: principal.role } : {}),
          ...(vendor ? { keyId: vendor.keyId } : {}),
          ...(aborted ? { aborted: true } : {}),
        },
      };
      if (!worthAuditing(entry)) {
        deps.onAnonymous?.(entry);
        return;
      }
      deps.sink.append(entry).then(
        () => deps.onWritten?.(entry),
        (err: unknown) => deps.logger.error({ err, action: entry.action }, 'audit log write failed'),
      );
    };
    // One AsyncResource run in the request's context (see libs/http access-log: cheaper than AsyncResource.bind).
    const scope = new AsyncResource('ttelgo.audit');
    res.once('finish', () => scope.runInAsyncScope(write, null, false));
    res.once('close', () => scope.runInAsyncScope(write, null, !res.writableFinished));
    next();
  };
}
