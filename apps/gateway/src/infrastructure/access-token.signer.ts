import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { UserRoleSchema, type UserRole } from '@ttelgo/contracts';

export interface AccessTokenOptions {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessClaims {
  userId: string;
  role: UserRole;
  jti: string;
  /** The sign-in (refresh-token family) the token belongs to: revoking it ends the token too. */
  sessionId: string;
  expiresAt: Date;
}

/** Why a token was refused; only logged, the client always gets the same 401. */
export class InvalidAccessTokenError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'InvalidAccessTokenError';
  }
}

const ALGORITHM = 'HS256' as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Access JWTs (RFC 8725): HS256 only, pinned on verify (the header's `alg` is never trusted, so `none` and RS/HS
 * confusion are refused); `iss`, `aud` and `exp` are checked, and `exp` is REQUIRED (jsonwebtoken accepts a token
 * without one unless told otherwise).
 */
export class AccessTokenSigner {
  constructor(private readonly opts: AccessTokenOptions) {
    if (Buffer.byteLength(opts.secret, 'utf8') < 32) throw new Error('the JWT secret must be at least 32 bytes');
  }

  get ttlSeconds(): number {
    return this.opts.ttlSeconds;
  }

  sign(user: { id: string; role: UserRole }, sessionId: string): string {
    return jwt.sign({ role: user.role, sid: sessionId }, this.opts.secret, {
      algorithm: ALGORITHM,
      expiresIn: this.opts.ttlSeconds,
      issuer: this.opts.issuer,
      audience: this.opts.audience,
      subject: user.id,
      jwtid: randomUUID(),
      header: { alg: ALGORITHM, typ: 'JWT' },
    });
  }

  verify(token: string): AccessClaims {
    let payload: string | jwt.JwtPayload;
    try {
      payload = jwt.verify(token, this.opts.secret, {
        algorithms: [ALGORITHM],
        issuer: this.opts.issuer,
        audience: this.opts.audience,
        // A few seconds of skew between replicas; never more.
        clockTolerance: 5,
      });
    } catch (err) {
      throw new InvalidAccessTokenError(err instanceof Error ? `${err.name}: ${err.message}` : 'unverifiable token', { cause: err });
    }
    if (typeof payload === 'string') throw new InvalidAccessTokenError('payload is not a claims object');
    if (typeof payload.exp !== 'number') throw new InvalidAccessTokenError('exp is missing');
    if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) throw new InvalidAccessTokenError('sub is missing or not a user id');
    if (typeof payload.jti !== 'string' || payload.jti.length === 0) throw new InvalidAccessTokenError('jti is missing');
    const role = UserRoleSchema.safeParse(payload['role']);
    if (!role.success) throw new InvalidAccessTokenError('role is missing or unknown');
    const sid = payload['sid'];
    if (typeof sid !== 'string' || !UUID.test(sid)) throw new InvalidAccessTokenError('sid is missing or not a session id');
    return { userId: payload.sub.toLowerCase(), role: role.data, jti: payload.jti, sessionId: sid.toLowerCase(), expiresAt: new Date(payload.exp * 1000) };
  }
}
