/**
 * The fuzzer's cast, set up through the public API: the admin (signs in), two travellers (register; the first places
 * an order), and a vendor (created by the admin, with an API key, placing an order of its own). Each actor's
 * markers (e-mail, user id, order ids) must never reach another non-admin actor.
 */
import { randomUUID } from 'node:crypto';
import type { FuzzActor } from './fuzz.runner';

async function call<T>(baseUrl: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

function expectStatus(what: string, res: { status: number; body: unknown }, ...ok: number[]): void {
  if (!ok.includes(res.status)) throw new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

export async function prepareActors(baseUrl: string, admin: { email: string; password: string }): Promise<{ actors: FuzzActor[]; knownIds: string[] }> {
  type Tokens = { accessToken: string; user: { id: string; email: string } };
  const adminLogin = await call<Tokens>(baseUrl, 'POST', '/api/v1/auth/login', admin);
  expectStatus('admin login', adminLogin, 200);
  const adminHeaders = { authorization: `Bearer ${adminLogin.body.accessToken}` };

  const traveller = async (name: string) => {
    const email = `fuzz-${name}-${randomUUID()}@example.com`;
    const res = await call<Tokens>(baseUrl, 'POST', '/api/v1/auth/register', { email, password: `fuzz-password-${randomUUID()}` });
    expectStatus(`register ${name}`, res, 201);
    return { email, id: res.body.user.id, headers: { authorization: `Bearer ${res.body.accessToken}` } };
  };
  const a = await traveller('a');
  const b = await traveller('b');

  const bundles = await call<{ data: Array<{ name: string }> }>(baseUrl, 'GET', '/api/v1/bundles?limit=1');
  expectStatus('catalogue', bundles, 200);
  const bundleName = bundles.body.data[0]?.name ?? 'none';
  const orderA = await call<{ id: string }>(baseUrl, 'POST', '/api/v1/orders', { bundleName, quantity: 1 }, { ...a.headers, 'idempotency-key': randomUUID() });
  expectStatus('traveller order', orderA, 201);

  const vendor = await call<{ id: string }>(baseUrl, 'POST', '/api/v1/admin/vendors', { name: 'Fuzz Reseller', email: `fuzz-vendor-${randomUUID()}@example.com`, billingMode: 'PREPAID', currency: 'USD' }, adminHeaders);
  expectStatus('create vendor', vendor, 201);
  const key = await call<{ key: string }>(baseUrl, 'POST', `/api/v1/admin/vendors/${vendor.body.id}/api-keys`, { name: 'fuzz' }, adminHeaders);
  expectStatus('api key', key, 201);
  const vendorHeaders = { 'x-api-key': key.body.key };
  const orderV = await call<{ id: string }>(baseUrl, 'POST', '/api/v1/vendor/orders', { bundleName, quantity: 1 }, { ...vendorHeaders, 'idempotency-key': randomUUID() });
  expectStatus('vendor order', orderV, 201, 202);

  const actors: FuzzActor[] = [
    { name: 'anonymous', headers: {}, markers: [] },
    { name: 'traveller-a', headers: a.headers, markers: [a.email, a.id, orderA.body.id] },
    { name: 'traveller-b', headers: b.headers, markers: [b.email, b.id] },
    { name: 'vendor', headers: vendorHeaders, markers: [vendor.body.id, orderV.body.id] },
    { name: 'admin', headers: adminHeaders, markers: [], admin: true },
  ];
  return { actors, knownIds: [orderA.body.id, orderV.body.id, a.id, b.id, vendor.body.id] };
}
