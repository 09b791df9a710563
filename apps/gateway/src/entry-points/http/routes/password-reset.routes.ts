import { Router, type RequestHandler } from 'express';
import { PasswordResetConfirmSchema, PasswordResetRequestSchema, type PasswordResetConfirm, type PasswordResetRequest } from '@ttelgo/contracts';
import { parsed, validateRequest } from '@ttelgo/http';
import { confirmPasswordReset, requestPasswordReset, type PasswordResetDeps } from '../../../application/password-reset.use-case';
import { auditNote } from '../middleware/audit.middleware';
import { audited } from '../middleware/audited.middleware';

export interface PasswordResetRoutesDeps extends PasswordResetDeps {
  /** Per client IP (IPv6 per /64), for both routes. */
  limit: RequestHandler;
}

/** `POST /auth/password-reset` and `POST /auth/password-reset/confirm` (mounted on /api/v1). */
export function passwordResetRoutes(deps: PasswordResetRoutesDeps): Router {
  const router = Router();

  router.post('/auth/password-reset', audited('auth.password-reset.request', 'user'), deps.limit, validateRequest({ body: PasswordResetRequestSchema }), async (req, res) => {
    const { body } = parsed<unknown, unknown, PasswordResetRequest>(req);
    auditNote(res).details = { email: body.email };
    await requestPasswordReset(deps, body.email);
    res.setHeader('Cache-Control', 'no-store');
    res.status(202).json({ status: 'accepted' });
  });

  router.post('/auth/password-reset/confirm', audited('auth.password-reset.confirm', 'user'), deps.limit, validateRequest({ body: PasswordResetConfirmSchema }), async (req, res) => {
    const { body } = parsed<unknown, unknown, PasswordResetConfirm>(req);
    const { userId } = await confirmPasswordReset(deps, body);
    const note = auditNote(res);
    note.actor = { type: 'user', id: userId };
    note.resource = { type: 'user', id: userId };
    res.status(204).end();
  });

  return router;
}
