import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  LoginRequestSchema,
  LogoutRequestSchema,
  MeResponseSchema,
  PasswordResetConfirmSchema,
  PasswordResetRequestSchema,
  RefreshTokenRequestSchema,
  RegisterRequestSchema,
  TokenResponseSchema,
} from '@ttelgo/contracts';
import { bearerSecurity, commonRequestHeaders, commonResponseHeaders, problemResponses, rateLimitResponseHeaders } from './common.openapi';

const TokenResponseDoc = TokenResponseSchema.meta({
  id: 'TokenResponse',
  description: 'A signed-in session: a 15-minute access JWT (Bearer) and a single-use opaque refresh token.',
});
const MeDoc = MeResponseSchema.meta({ id: 'Me', description: 'The signed-in user.' });
const RegisterDoc = RegisterRequestSchema.meta({ id: 'RegisterRequest', description: 'E-mail (case-insensitive), password (10-200 characters), optional name.' });
const LoginDoc = LoginRequestSchema.meta({ id: 'LoginRequest' });
const RefreshDoc = RefreshTokenRequestSchema.meta({ id: 'RefreshTokenRequest' });

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const rateLimited = [400, 413, 429, 500];

/** `/auth/*` and `/me`. */
export function registerAuthOpenApi(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'post',
    path: '/api/v1/auth/register',
    operationId: 'register',
    tags: ['Auth'],
    summary: 'Create a customer account',
    description: 'Creates a customer and signs them in. Rate-limited per client IP (with login). A taken e-mail is 409 `EMAIL_TAKEN`.',
    request: { headers: commonRequestHeaders, body: { required: true, ...json(RegisterDoc) } },
    responses: {
      201: { description: 'Signed in.', headers: rateLimitResponseHeaders, ...json(TokenResponseDoc) },
      ...problemResponses([...rateLimited, 409]),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/api/v1/auth/login',
    operationId: 'login',
    tags: ['Auth'],
    summary: 'Sign in',
    description: 'A wrong password, an unknown e-mail and a disabled account all answer 401 `INVALID_CREDENTIALS`. Rate-limited per client IP.',
    request: { headers: commonRequestHeaders, body: { required: true, ...json(LoginDoc) } },
    responses: {
      200: { description: 'Signed in.', headers: rateLimitResponseHeaders, ...json(TokenResponseDoc) },
      ...problemResponses([...rateLimited, 401]),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/api/v1/auth/refresh',
    operationId: 'refreshSession',
    tags: ['Auth'],
    summary: 'Rotate the refresh token',
    description:
      'Spends the refresh token and returns a new pair. Presenting a refresh token that was already used revokes the whole ' +
      'session (every token of its family) and answers 401 `REFRESH_TOKEN_REUSED`; unknown, expired or revoked tokens are 401 `INVALID_REFRESH_TOKEN`.',
    request: { headers: commonRequestHeaders, body: { required: true, ...json(RefreshDoc) } },
    responses: {
      200: { description: 'A new session pair.', headers: rateLimitResponseHeaders, ...json(TokenResponseDoc) },
      ...problemResponses([...rateLimited, 401]),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/api/v1/auth/logout',
    operationId: 'logout',
    tags: ['Auth'],
    summary: 'Sign out',
    description: 'Revokes the session (the refresh-token family) of the given refresh token. Always 204, also for an unknown token.',
    request: { headers: commonRequestHeaders, body: { required: true, ...json(LogoutRequestSchema) } },
    responses: {
      204: { description: 'Signed out.', headers: rateLimitResponseHeaders },
      ...problemResponses(rateLimited),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/api/v1/auth/password-reset',
    operationId: 'requestPasswordReset',
    tags: ['Auth'],
    summary: 'Ask for a password reset link',
    description:
      'Always 202, whether the e-mail has an account or not. For an account, a single-use link valid 30 minutes is mailed ' +
      '(the token is stored hashed). Rate-limited per client IP and, silently, per account.',
    request: { headers: commonRequestHeaders, body: { required: true, ...json(PasswordResetRequestSchema.meta({ id: 'PasswordResetRequest' })) } },
    responses: {
      202: { description: 'Accepted.', headers: rateLimitResponseHeaders, ...json(z.object({ status: z.literal('accepted') })) },
      ...problemResponses(rateLimited),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/api/v1/auth/password-reset/confirm',
    operationId: 'confirmPasswordReset',
    tags: ['Auth'],
    summary: 'Set a new password with the mailed token',
    description:
      'Sets the password, ends every session of the account (refresh tokens and their access tokens) and mails the owner. ' +
      'A used, expired or unknown token is 400 `RESET_TOKEN_INVALID`.',
    request: { headers: commonRequestHeaders, body: { required: true, ...json(PasswordResetConfirmSchema.meta({ id: 'PasswordResetConfirm' })) } },
    responses: {
      204: { description: 'Password set; signed out everywhere.', headers: rateLimitResponseHeaders },
      ...problemResponses(rateLimited),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/me',
    operationId: 'getMe',
    tags: ['Auth'],
    summary: 'The signed-in user',
    security: bearerSecurity,
    request: { headers: commonRequestHeaders },
    responses: {
      200: { description: 'The user.', headers: commonResponseHeaders, ...json(MeDoc) },
      ...problemResponses([401, 429, 500]),
    },
  });
}
