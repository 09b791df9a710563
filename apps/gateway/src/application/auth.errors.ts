import { AppError } from '@ttelgo/http';

/** One answer for an unknown e-mail, a wrong password and a disabled account: nothing to enumerate. */
export const invalidCredentials = () => new AppError('INVALID_CREDENTIALS', 401, 'The e-mail or password is not correct.');

export const emailTaken = () => new AppError('EMAIL_TAKEN', 409, 'An account with this e-mail already exists.');

/** Unknown, expired or revoked refresh token. */
export const invalidRefreshToken = () => new AppError('INVALID_REFRESH_TOKEN', 401, 'The refresh token is not valid; sign in again.');

export const refreshTokenReused = () =>
  new AppError('REFRESH_TOKEN_REUSED', 401, 'This refresh token was already used; the session has been revoked. Sign in again.');

/** Any problem with the bearer token (RFC 6750 §3.1): the reason is logged, never returned. */
export const invalidAccessToken = (detail = 'The access token is missing, malformed, expired or not valid.') =>
  new AppError('INVALID_TOKEN', 401, detail, { headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } });

export const authenticationRequired = () =>
  new AppError('AUTHENTICATION_REQUIRED', 401, 'This route needs an access token (Authorization: Bearer ...).', {
    headers: { 'WWW-Authenticate': 'Bearer realm="ttelgo"' },
  });

export const forbidden = () => new AppError('FORBIDDEN', 403, 'Your role does not allow this operation.');
