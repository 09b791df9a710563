/**
 * The simulator's own control API under /__sim (no API key, JSON): inspect state, inject faults, simulate
 * usage, set the balance, reset. Tests in other apps drive the simulator through it (or through `control`
 * when they start it in-process).
 */
import { Router } from 'express';
import { z } from 'zod';
import type { CallbackDispatcher } from './callbacks';
import { assignmentView } from './esims.routes';
import { SimError, parseBody } from './http.util';
import type { CallbackDelivery, Faults, SimState } from './state';
import { toCents, toUsd } from './state';
import { attach, expireAssignment, simulateUsage, type UsageInput } from './usage.simulator';

const rate = z.number().min(0).max(1);
export const FaultsSchema = z
  .object({
    errorRate: rate,
    latencyMs: z.number().int().min(0).max(600_000),
    timeoutRate: rate,
    hangMs: z.number().int().min(0).max(600_000),
    burst429: z.number().int().min(0),
    burst503: z.number().int().min(0),
    retryAfterSeconds: z.number().int().min(0).max(3600),
    outage: z.boolean(),
    rateLimitPerSecond: z.number().int().min(0),
    failOrdersPermanently: z.boolean(),
    paths: z.array(z.string().startsWith('/')),
    applyAfterProcessing: z.boolean(),
    processingDelayMs: z.number().int().min(0).max(3_600_000),
    callbackDuplicates: z.number().int().min(0).max(10),
    pageSizeCap: z.number().int().min(0).max(1000),
    noBundlesLeft: z.boolean(),
    assignmentStateField: z.enum(['bundleState', 'bundleStatus']),
    ordersListKey: z.string().regex(/^[A-Za-z]{1,40}$/),
  })
  .partial()
  .strict();

const UsageSchema = z
  .object({
    iccid: z.string().min(1),
    usedBytes: z.number().min(0).optional(),
    usedPercent: z.number().min(0).max(100).optional(),
    addBytes: z.number().min(0).optional(),
    bundle: z.string().min(1).optional(),
  })
  .strict();

const CompatibilitySchema = z
  .object({
    bundle: z.string().min(1),
    /** absent: every eSIM */
    iccid: z.string().min(1).optional(),
    compatible: z.boolean(),
  })
  .strict();

const ReplaySchema = z
  .object({
    /** deliveries to send again (default: every delivery of `iccid`, else every delivery) */
    ids: z.array(z.string().min(1)).min(1).optional(),
    iccid: z.string().min(1).optional(),
    /** 'reverse' (default): newest first, so the receiver sees old alerts after new ones */
    order: z.enum(['reverse', 'same']).optional(),
  })
  .strict();

const CallbackConfigSchema = z
  .object({
    url: z.string().url().nullable().optional(),
    signingKey: z.string().min(1).nullable().optional(),
    digest: z.enum(['base64', 'hex']).optional(),
  })
  .strict();

export interface SimControl {
  setFaults(faults: Partial<Faults>): Faults;
  resetFaults(): Faults;
  /** orders, eSIMs, inventory, balance, counters and faults back to the start; the catalogue stays */
  reset(): void;
  /** sets (not adds to) the organisation balance, in USD */
  setBalance(amount: number): void;
  simulateUsage(input: UsageInput): Record<string, unknown>;
  /** ends the assignment now, or (started ones) `inMs` from now */
  expire(iccid: string, bundle?: string, inMs?: number): Record<string, unknown>;
  /** the eSIM's first network attach: FirstAttachment callback (once per eSIM) */
  attach(iccid: string): { iccid: string; attached: boolean; firstInstalledDateTime: number | null };
  /** makes a bundle (in)compatible with one eSIM, or with every eSIM when `iccid` is absent */
  setCompatibility(rule: { bundle: string; iccid?: string; compatible: boolean }): void;
  /** sends earlier callbacks again (duplicates, reordered): see ReplaySchema */
  replayCallbacks(q: { ids?: string[]; iccid?: string; order?: 'reverse' | 'same' }): CallbackDelivery[];
  setCallback(cfg: { url?: string | null; signingKey?: string | null; digest?: 'base64' | 'hex' }): void;
  snapshot(): Record<string, unknown>;
  /** resolves when all queued callbacks were delivered or given up */
  callbacksIdle(): Promise<void>;
}

/** The control API shows an assignment with its start and end (eSIM Go's own answers carry neither). */
function controlView(state: SimState, a: Parameters<typeof assignmentView>[1]): Record<string, unknown> {
  return { ...assignmentView(state, a), bundleState: state.stateOf(a), startTime: a.startTime ?? null, endTime: a.endTime ?? null };
}

export function createControl(state: SimState, callbacks: CallbackDispatcher): SimControl {
  return {
    setFaults(faults) {
      Object.assign(state.faults, parseBody(FaultsSchema, faults));
      return { ...state.faults };
    },
    resetFaults() {
      state.resetFaults();
      return { ...state.faults };
    },
    reset() {
      state.reset();
    },
    setBalance(amount) {
      state.balanceCents = toCents(amount);
    },
    simulateUsage(input) {
      const a = simulateUsage(state, callbacks, input);
      return { iccid: input.iccid, bundle: a.bundleName, assignment: controlView(state, a) };
    },
    expire(iccid, bundle, inMs) {
      const a = expireAssignment(state, iccid, bundle, inMs);
      return { iccid, bundle: a.bundleName, assignment: controlView(state, a) };
    },
    attach(iccid) {
      const esim = state.esims.get(iccid);
      if (!esim) throw new SimError(404, 'eSIM not found');
      const attached = attach(state, callbacks, esim);
      return { iccid, attached, firstInstalledDateTime: esim.firstInstalledDateTime };
    },
    setCompatibility(rule) {
      if (!state.bundlesByName.has(rule.bundle)) throw new SimError(400, `Bundle not found: ${rule.bundle}`);
      const same = (r: { bundle: string; iccid?: string }) => r.bundle === rule.bundle && r.iccid === rule.iccid;
      state.incompatible = state.incompatible.filter((r) => !same(r));
      if (!rule.compatible) state.incompatible.push({ bundle: rule.bundle, ...(rule.iccid ? { iccid: rule.iccid } : {}) });
    },
    replayCallbacks(q) {
      // Only originals are replayed (a repeat's body is its original's), each once per call.
      let picked = state.callbacks.filter((c) => !c.repeatOf);
      if (q.ids) picked = picked.filter((c) => q.ids!.includes(c.id));
      if (q.iccid) picked = picked.filter((c) => c.iccid === q.iccid);
      if ((q.order ?? 'reverse') === 'reverse') picked = [...picked].reverse();
      return callbacks.replay(picked);
    },
    setCallback(cfg) {
      if (cfg.url !== undefined) state.callbackUrl = cfg.url ?? undefined;
      if (cfg.signingKey !== undefined) state.callbackSigningKey = cfg.signingKey ?? undefined;
      if (cfg.digest) state.callbackDigest = cfg.digest;
    },
    snapshot() {
      const count = (s: string) => state.callbacks.filter((c) => c.status === s).length;
      return {
        orders: state.orders.size,
        esims: state.esims.size,
        inventory: state.inventory.reduce((n, u) => n + u.remaining, 0),
        balance: toUsd(state.balanceCents),
        currency: 'USD',
        catalogue: state.catalogue.length,
        seed: state.opts.seed,
        totalRequests: state.totalRequests,
        requests: { ...state.requestCounts },
        // The most API requests within any one second, and how many the per-IP limit refused (429), since reset.
        peakRequestsPerSecond: state.rate.peakPerSecond,
        rateLimited: state.rate.rateLimited,
        faults: { ...state.faults },
        callbackUrl: state.callbackUrl ?? null,
        callbacks: { pending: count('pending'), delivered: count('delivered'), failed: count('failed') },
      };
    },
    callbacksIdle() {
      return callbacks.idle();
    },
  };
}

export function controlRoutes(state: SimState, control: SimControl): Router {
  const r = Router();
  r.get('/state', (_req, res) => {
    res.json(control.snapshot());
  });
  /** Every order with the clientReference it was sent with (never in an API answer): who bought what, for drills. */
  r.get('/orders', (_req, res) => {
    res.json({
      orders: [...state.orders.values()].map((o) => ({
        orderReference: o.orderReference,
        clientReference: o.clientReference ?? null,
        createdDate: o.createdDate,
        lines: o.lines.map((l) => ({ type: l.type, item: l.item, quantity: l.quantity, iccids: [...l.iccids] })),
      })),
    });
  });
  r.get('/callbacks', (_req, res) => {
    res.json({ callbacks: state.callbacks });
  });
  r.post('/callback', (req, res) => {
    control.setCallback(parseBody(CallbackConfigSchema, req.body));
    res.json({ callbackUrl: state.callbackUrl ?? null, digest: state.callbackDigest });
  });
  r.post('/faults', (req, res) => {
    res.json({ faults: control.setFaults(req.body as Partial<Faults>) });
  });
  r.post('/faults/reset', (_req, res) => {
    res.json({ faults: control.resetFaults() });
  });
  r.post('/usage', (req, res) => {
    const body = parseBody(UsageSchema, req.body);
    if (body.usedBytes === undefined && body.usedPercent === undefined && body.addBytes === undefined) {
      throw new SimError(400, 'One of usedBytes, usedPercent or addBytes is required');
    }
    res.json(control.simulateUsage(body));
  });
  r.post('/expire', (req, res) => {
    const body = parseBody(
      z.object({ iccid: z.string().min(1), bundle: z.string().min(1).optional(), inMs: z.number().int().min(0).max(366 * 86_400_000).optional() }).strict(),
      req.body,
    );
    res.json(control.expire(body.iccid, body.bundle, body.inMs));
  });
  r.post('/attach', (req, res) => {
    const body = parseBody(z.object({ iccid: z.string().min(1) }).strict(), req.body);
    res.json(control.attach(body.iccid));
  });
  r.post('/compatibility', (req, res) => {
    const body = parseBody(CompatibilitySchema, req.body);
    control.setCompatibility(body);
    res.json({ incompatible: state.incompatible });
  });
  r.post('/callbacks/replay', (req, res) => {
    const body = parseBody(ReplaySchema, req.body ?? {});
    const sent = control.replayCallbacks(body);
    res.json({ replayed: sent.map((d) => ({ id: d.id, repeatOf: d.repeatOf, iccid: d.iccid, alertType: d.alertType })) });
  });
  r.post('/reset', (_req, res) => {
    control.reset();
    res.json(control.snapshot());
  });
  r.post('/balance', (req, res) => {
    const body = parseBody(z.object({ amount: z.number().min(0).max(1e9) }).strict(), req.body);
    control.setBalance(body.amount);
    res.json({ balance: toUsd(state.balanceCents), currency: 'USD' });
  });
  return r;
}
