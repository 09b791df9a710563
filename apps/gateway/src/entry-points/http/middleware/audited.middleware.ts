import type { RequestHandler } from 'express';
import { auditNote } from './audit.middleware';

/** First in a route's chain: names the action (and resource type) even when authentication or validation fails. */
export function audited(action: string, resourceType?: string): RequestHandler {
  return (_req, res, next) => {
    const note = auditNote(res);
    note.action = action;
    if (resourceType) note.resource = { type: resourceType, id: null };
    next();
  };
}
