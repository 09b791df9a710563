import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AccessTokenSigner, InvalidAccessTokenError } from './access-token.signer';

const SECRET = 'unit-test-secret-of-at-least-32-characters';
const signer = new AccessTokenSigner({ secret: SECRET, issuer: 'ttelgo', audience: 'ttelgo-api', ttlSeconds: 900 });
const user = { id: randomUUID(), role: 'customer' as const };
const session = randomUUID();

describe('AccessTokenSigner', () => {
  it('round-trips its own tokens', () => {
    const claims = signer.verify(signer.sign(user, session));
    expect(claims).toMatchObject({ userId: user.id, role: 'customer', jti: expect.any(String), sessionId: session });
    expect(claims.expiresAt.getTime() - Date.now()).toBeGreaterThan(890_000);
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => new AccessTokenSigner({ secret: 'short', issuer: 'i', audience: 'a', ttlSeconds: 60 })).toThrow(/32 bytes/);
  });

  it('pins HS256: an HS384 token with the same secret is refused', () => {
    const token = jwt.sign({ role: 'customer' }, SECRET, { algorithm: 'HS384', subject: user.id, issuer: 'ttelgo', audience: 'ttelgo-api', expiresIn: 60, jwtid: 'x' });
    expect(() => signer.verify(token)).toThrow(InvalidAccessTokenError);
  });

  it('refuses a token without exp, or with an unknown role', () => {
    const noExp = jwt.sign({ role: 'customer' }, SECRET, { subject: user.id, issuer: 'ttelgo', audience: 'ttelgo-api', jwtid: 'x' });
    expect(() => signer.verify(noExp)).toThrow(/exp is missing/);
    const root = jwt.sign({ role: 'root' }, SECRET, { subject: user.id, issuer: 'ttelgo', audience: 'ttelgo-api', jwtid: 'x', expiresIn: 60 });
    expect(() => signer.verify(root)).toThrow(/role/);
  });

  it('refuses a token without a session id (it could never be revoked)', () => {
    const noSid = jwt.sign({ role: 'customer' }, SECRET, { subject: user.id, issuer: 'ttelgo', audience: 'ttelgo-api', jwtid: 'x', expiresIn: 60 });
    expect(() => signer.verify(noSid)).toThrow(/sid/);
  });
});
