import express, { type Request, type RequestHandler, type Response } from 'express';
import { auditNote, type AuditNote } from '../middleware/audit.middleware';

/**
 * The shape both provider webhooks share (Stripe, eSIM Go): the audit note's action is set first, its actor (the
 * provider) only once the signature held, so a refused delivery is anonymous noise (counted, not stored). The body is read as raw bytes for every content type (the signature covers the exact bytes, so
 * these handlers must be mounted BEFORE the app's JSON parser), then `accept` verifies and hands the delivery
 * over, and the provider gets `200 { received: true }`, never cached.
 */
export function signedWebhookHandlers(opts: {
  audit: Required<Pick<AuditNote, 'action' | 'actor' | 'resource'>>;
  bodyLimit: string;
  signatureHeader: string;
  accept: (input: { rawBody: Buffer | undefined; signature: string | undefined; correlationId: string }, req: Request, res: Response) => Promise<unknown>;
}): RequestHandler[] {
  const header = opts.signatureHeader.toLowerCase();
  return [
    (_req, res, next) => {
      const note = auditNote(res);
      note.action = opts.audit.action;
      note.resource = opts.audit.resource;
      next();
    },
    express.raw({ type: '*/*', limit: opts.bodyLimit }),
    async (req, res) => {
      const signature = req.headers[header];
      await opts.accept(
        {
          rawBody: Buffer.isBuffer(req.body) ? req.body : undefined,
          signature: typeof signature === 'string' ? signature : undefined,
          correlationId: String(res.locals['correlationId'] ?? res.locals['requestId'] ?? opts.audit.action),
        },
        req,
        res,
      );
      auditNote(res).actor = opts.audit.actor;
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json({ received: true });
    },
  ];
}
