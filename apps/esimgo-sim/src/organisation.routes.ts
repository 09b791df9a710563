/**
 * GET /organisation (flat OrganisationResponse, balance as a number), POST /organisation/balance,
 * GET /organisation/groups, and the inventory endpoints (GET /inventory, POST /inventory/refund).
 */
import { Router } from 'express';
import { z } from 'zod';
import { STANDARD_GROUP } from './catalogue.generator';
import { SimError, parseBody, q1 } from './http.util';
import type { SimState } from './state';
import { toCents, toUsd } from './state';

const mask = (key: string): string => (key.length <= 6 ? '******' : `${key.slice(0, 3)}${'*'.repeat(key.length - 6)}${key.slice(-3)}`);

export function organisationRoutes(state: SimState): Router {
  const r = Router();

  r.get('/organisation', (req, res) => {
    res.json({
      name: 'TtelGo Simulated Organisation',
      apiKey: mask(req.get('x-api-key') ?? ''),
      taxLiable: false,
      addr1: '1 Simulator Street',
      addr2: '',
      city: 'London',
      country: 'GB',
      postcode: 'EC1A 1AA',
      callbackUrl: state.callbackUrl ?? '',
      notes: 'esimgo-sim: local eSIM Go v2.4 simulator',
      groups: [STANDARD_GROUP],
      currency: 'USD',
      balance: toUsd(state.balanceCents),
      testCredit: 0,
      testCreditExpiry: null,
      businessType: 'Reseller',
      website: 'https://ttelgo.local',
      productDescription: 'eSIM data bundles for travellers',
      users: [
        { firstName: 'Sim', lastName: 'Operator', role: 'Admin', emailAddress: 'ops@ttelgo.local', phoneNumber: '', timeZone: 'UTC' },
      ],
    });
  });

  r.post('/organisation/balance', (req, res) => {
    const raw = q1(req.query.amount) ?? (req.body as { amount?: unknown } | undefined)?.amount;
    const amount = Number(raw);
    if (!Number.isFinite(amount) || amount <= 0) throw new SimError(400, 'amount must be a positive number');
    state.balanceCents += toCents(amount);
    res.json({ amount: toUsd(toCents(amount)), balance: toUsd(state.balanceCents), ref: state.newReference() });
  });

  r.get('/organisation/groups', (_req, res) => {
    res.json({ groups: [{ name: STANDARD_GROUP }] });
  });

  r.get('/inventory', (_req, res) => {
    const byName = new Map<string, Array<{ id: string; total: number; remaining: number; expiry: string }>>();
    for (const u of state.inventory) {
      if (u.remaining <= 0) continue;
      const list = byName.get(u.bundleName) ?? [];
      list.push({ id: u.id, total: u.total, remaining: u.remaining, expiry: u.expiry });
      byName.set(u.bundleName, list);
    }
    res.json({
      bundles: [...byName.entries()].map(([name, available]) => {
        const b = state.bundlesByName.get(name)!;
        return {
          name,
          desc: b.description,
          useDms: false,
          available,
          countries: b.countries.map((c) => c.iso),
          data: b.dataAmount,
          duration: b.duration,
          durationUnit: 'day',
          autostart: b.autostart,
          unlimited: b.unlimited,
          speed: b.speed,
          allowances: ['DATA'],
        };
      }),
    });
  });

  r.post('/inventory/refund', (req, res) => {
    const body = parseBody(z.object({ usageId: z.string().min(1), quantity: z.number().int().min(1) }), req.body);
    const usage = state.inventory.find((u) => u.id === body.usageId);
    if (!usage) throw new SimError(400, 'Inventory usage not found');
    if (body.quantity > usage.remaining) throw new SimError(400, 'Refund quantity exceeds remaining inventory');
    usage.remaining -= body.quantity;
    state.balanceCents += usage.priceCents * body.quantity;
    res.json({ status: 'success', refunded: toUsd(usage.priceCents * body.quantity), balance: toUsd(state.balanceCents) });
  });

  return r;
}
