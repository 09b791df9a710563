import { Router, type RequestHandler, type Response } from 'express';
import {
  LoginRequestSchema,
  LogoutRequestSchema,
  MeResponseSchema,
  RefreshTokenRequestSchema,
  RegisterRequestSchema,
  type LoginRequest,
  type RefreshTokenRequest,
  type RegisterRequest,
} from '@ttelgo/contracts';
import { AppError, parsed, validateRequest } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import { login, type LoginThrottling } from '../../../application/login.use-case';
import { logout } from '../../../application/logout.use-case';
import { toPublic } from '../../../application/public-response';
import { refreshSession } from '../../../application/refresh-session.use-case';
import { register } from '../../../application/register.use-case';
import type { SessionIssuer } from '../../../application/session.issuer';
import type { PasswordHasher } from '../../../infrastructure/password.hasher';
import type { RefreshTokenRepository } from '../../../infrastructure/refresh-token.repository';
import type { UserRepository } from '../../../infrastructure/user.repository';
import { auditNote } from '../middleware/audit.middleware';
import { audited } from '../middleware/audited.middleware';
import { principalOf } from '../middleware/authenticate.middleware';

export interface AuthRoutesDeps {
  users: UserRepository;
  hasher: PasswordHasher;
  sessions: SessionIssuer;
  refreshTokens: RefreshTokenRepository;
  logger: Logger;
  authenticate: RequestHandler;
  /** Per-account failure counting and locks of POST /auth/login. */
  throttling: LoginThrottling;
  /** register + login (credential guessing) */
  credentialsLimit: RequestHandler;
  /** refresh + logout */
  refreshLimit: RequestHandler;
}

/** Token responses are credentials: never stored by a cache (RFC 6749 §5.1). */
function noStore(res: Response): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
}

/** `/auth/*` and `GET /me` (mounted on /api/v1). */
export function authRoutes(deps: AuthRoutesDeps): Router {
  const router = Router();

  router.post('/auth/register', audited('auth.register', 'user'), deps.credentialsLimit, validateRequest({ body: RegisterRequestSchema }), async (req, res) => {
    const { body } = parsed<unknown, unknown, RegisterRequest>(req);
    const note = auditNote(res);
    note.details = { email: body.email };
    const tokens = await register(deps, body);
    note.actor = { type: 'user', id: tokens.user.id };
    note.resource = { type: 'user', id: tokens.user.id };
    noStore(res);
    res.status(201).json(tokens);
  });

  router.post('/auth/login', audited('auth.login', 'user'), deps.credentialsLimit, validateRequest({ body: LoginRequestSchema }), async (req, res) => {
    const { body } = parsed<unknown, unknown, LoginRequest>(req);
    const note = auditNote(res);
    note.details = { email: body.email };
    const { tokens, user } = await login(deps, body);
    note.actor = { type: 'user', id: user.id };
    note.resource = { type: 'user', id: user.id };
    noStore(res);
    res.status(200).json(tokens);
  });

  router.post('/auth/refresh', audited('auth.refresh', 'user'), deps.refreshLimit, validateRequest({ body: RefreshTokenRequestSchema }), async (req, res) => {
    const { body } = parsed<unknown, unknown, RefreshTokenRequest>(req);
    const note = auditNote(res);
    const tokens = await refreshSession(deps, body.refreshToken, (userId) => {
      note.actor = { type: 'user', id: userId };
      note.resource = { type: 'user', id: userId };
    });
    noStore(res);
    res.status(200).json(tokens);
  });

  router.post('/auth/logout', audited('auth.logout', 'user'), deps.refreshLimit, validateRequest({ body: LogoutRequestSchema }), async (req, res) => {
    const { body } = parsed<unknown, unknown, RefreshTokenRequest>(req);
    const revoked = await logout(deps, body.refreshToken);
    if (revoked) {
      const note = auditNote(res);
      note.actor = { type: 'user', id: revoked.userId };
      note.resource = { type: 'user', id: revoked.userId };
    }
    res.status(204).end();
  });

  router.get('/me', deps.authenticate, async (req, res) => {
    const principal = principalOf(req);
    const user = await deps.users.findById(principal.userId);
    if (!user) throw new AppError('INVALID_TOKEN', 401, 'The account no longer exists.');
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(toPublic(MeResponseSchema, { id: user.id, email: user.email, name: user.name, role: user.role, createdAt: user.createdAt.toISOString() }));
  });

  return router;
}
