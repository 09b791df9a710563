import express, { type Request, type RequestHandler, type Response } from 'express';
import { auditNote, type AuditNote } from '../middleware/audit.middleware';

/**
 * The shape both provider webhooks share (Stripe, eSIM Go): the audit note is set first (so a refused request is
 * audited too), the body is read as raw bytes for every content type (the signature covers the exact bytes, so
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
      note.actor = opts.audit.actor;
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
      res.setHeader('Cache-Control', 'no-store');
      res.status(200).json({ received: true });
    },
  ];
}
