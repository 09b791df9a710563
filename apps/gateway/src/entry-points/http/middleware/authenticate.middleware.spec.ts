/**
 * requireRole on its own, on a minimal app with the real signer and the platform's error handler; the account
 * lookup is a plain map (the repository is covered by the component tests).
 */
import { randomUUID } from 'node:crypto';
import express from 'express';
import request from 'supertest';
import { finishHttpApp } from '@ttelgo/http';
import { testLogger } from '@ttelgo/testing';
import { AccessTokenSigner } from '../../../infrastructure/access-token.signer';
import { authenticate, principalOf, requireRole, type PrincipalLookup } from './authenticate.middleware';

const logger = testLogger('authenticate-spec');
const signer = new AccessTokenSigner({ secret: 'spec-secret-of-at-least-32-characters!!', issuer: 'ttelgo', audience: 'ttelgo-api', ttlSeconds: 60 });
const admin = { id: randomUUID() as string, email: 'a@x.test', name: null, role: 'admin' as const, disabledAt: null };
const customer = { id: randomUUID() as string, email: 'c@x.test', name: null, role: 'customer' as const, disabledAt: null };
const accounts = new Map([admin, customer].map((u) => [u.id, u]));
const users: PrincipalLookup = { findWithLiveSession: async (id) => accounts.get(id) };

const app = express();
app.get('/admin-only', authenticate({ signer, users, logger }), requireRole('admin'), (req, res) => {
  res.json({ userId: principalOf(req).userId });
});
finishHttpApp(app, logger);

describe('requireRole', () => {
  it('lets an admin through', async () => {
    const res = await request(app).get('/admin-only').set('Authorization', `Bearer ${signer.sign(admin, randomUUID())}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ userId: admin.id });
  });

  it('answers 403 FORBIDDEN to a customer', async () => {
    const res = await request(app).get('/admin-only').set('Authorization', `Bearer ${signer.sign(customer, randomUUID())}`);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN', status: 403 });
  });

  it('answers 403 to a customer whose token claims admin (the account decides)', async () => {
    const res = await request(app).get('/admin-only').set('Authorization', `Bearer ${signer.sign({ id: customer.id, role: 'admin' }, randomUUID())}`);
    expect(res.status).toBe(403);
  });

  it('answers 401 without a token', async () => {
    const res = await request(app).get('/admin-only');
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'AUTHENTICATION_REQUIRED' });
  });
});
