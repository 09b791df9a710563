/**
 * POST /orders (validate | transaction), GET /orders/{orderReference}, GET /orders. Transactions charge the
 * organisation balance; validate runs the same checks without charging. eSIM Go keeps no reference of the
 * client's: a `clientReference` in the body is stored for observation only (GET /__sim/orders, so tests and drills
 * can attribute purchases) and never appears in an API answer, nor filters one.
 */
import { Router } from 'express';
import { z } from 'zod';
import type { CatalogueBundle } from './catalogue.generator';
import { SimError, paginate, paramOf, parseBody, qAll, qBool, qInt, qPageSize, servedPageSize } from './http.util';
import type { Esim, OrderLine, SimState, StoredOrder } from './state';
import { toUsd } from './state';
import type { CallbackDispatcher } from './callbacks';
import { SLOW_PURCHASE_MS, TEST_COMPLETES_AFTER_5S, TEST_PROVISIONING_FAILS, TEST_USAGE_80, USAGE_80_AFTER_MS } from './test-bundles';
import { simulateUsage } from './usage.simulator';

/** eSIM Go's 403 wording for an organisation that cannot buy (v2.4 reference, response table of POST /orders). */
export const NO_BUNDLES_LEFT = 'Unauthorised - the user does not have any available Bundles left';

const LineSchema = z.object({
  type: z.literal('bundle').optional(),
  quantity: z.number().int().min(1).max(10000),
  item: z.string().min(1),
  iccids: z.array(z.string().min(1)).optional(),
  allowReassign: z.boolean().optional(),
});

const OrderBodySchema = z.object({
  type: z.enum(['validate', 'transaction']),
  assign: z.boolean().optional(),
  order: z.array(LineSchema).min(1).optional(),
  // v2.5 Quick Start flat form: { type, quantity, item }
  item: z.string().min(1).optional(),
  quantity: z.number().int().min(1).max(10000).optional(),
  iccids: z.array(z.string().min(1)).optional(),
  allowReassign: z.boolean().optional(),
  clientReference: z.string().min(1).max(200).optional(),
});

type LineInput = z.infer<typeof LineSchema>;

interface PlannedLine {
  input: LineInput;
  bundle: CatalogueBundle;
  /** per quantity unit: the existing eSIM to top up, or undefined for a new eSIM */
  targets: Array<Esim | undefined>;
}

export function orderView(order: StoredOrder, state: SimState, includeIccids = true): Record<string, unknown> {
  const view: Record<string, unknown> = {
    order: order.lines.map((l) => {
      const line: Record<string, unknown> = {
        type: l.type,
        item: l.item,
        quantity: l.quantity,
        subTotal: toUsd(l.pricePerUnitCents * l.quantity),
        pricePerUnit: toUsd(l.pricePerUnitCents),
        AllowReassign: l.allowReassign,
      };
      if (includeIccids) {
        line.esims = l.iccids.map((iccid) => {
          const e = state.esims.get(iccid);
          return { iccid, matchingId: e?.matchingId ?? '', smdpAddress: e?.smdpAddress ?? state.opts.smdpAddress };
        });
        line.iccids = [...l.iccids];
      }
      return line;
    }),
    total: toUsd(order.totalCents),
    currency: 'USD',
    status: 'completed',
    statusMessage: order.statusMessage,
    orderReference: order.orderReference,
    createdDate: order.createdDate,
    assigned: order.assigned,
    sourceIP: order.sourceIP,
  };
  return view;
}

function plan(state: SimState, lines: LineInput[], assign: boolean): PlannedLine[] {
  return lines.map((input) => {
    const bundle = state.bundlesByName.get(input.item);
    if (!bundle) throw new SimError(400, `Bundle not found: ${input.item}`);
    if (input.iccids && input.iccids.length > 0) {
      if (!assign) throw new SimError(400, 'iccids may only be given when assign is true');
      if (input.iccids.length !== input.quantity) throw new SimError(400, 'quantity must equal the number of iccids');
      if (new Set(input.iccids).size !== input.iccids.length) throw new SimError(400, 'Duplicate iccids in order line');
      const targets = input.iccids.map((iccid) => {
        const esim = state.esims.get(iccid);
        if (esim && state.isCompatible(iccid, bundle.name)) return esim;
        // An eSIM we cannot top up (unknown, or the bundle is of another network): with allowReassign the bundle
        // goes onto a new eSIM instead, as eSIM Go documents.
        if (input.allowReassign) return undefined;
        if (esim) throw new SimError(400, `Bundle ${bundle.name} is not compatible with eSIM ${iccid}`);
        throw new SimError(400, `eSIM not found: ${iccid}`);
      });
      return { input, bundle, targets };
    }
    return { input, bundle, targets: Array.from({ length: input.quantity }, () => undefined) };
  });
}

export function ordersRoutes(state: SimState, magic?: { callbacks: CallbackDispatcher; later: Set<NodeJS.Timeout> }): Router {
  const r = Router();

  r.post('/orders', async (req, res) => {
    const body = parseBody(OrderBodySchema, req.body);
    let lines: LineInput[];
    if (body.order) lines = body.order;
    else if (body.item) {
      lines = [{ type: 'bundle', item: body.item, quantity: body.quantity ?? 1, iccids: body.iccids, allowReassign: body.allowReassign }];
    } else throw new SimError(400, 'Invalid request: order is required');
    const assign = body.assign ?? true;
    const planned = plan(state, lines, assign);
    const totalCents = planned.reduce((sum, p) => sum + Math.round(p.bundle.price * 100) * p.input.quantity, 0);
    const createdDate = state.nowIso();

    if (body.type === 'transaction' && state.faults.failOrdersPermanently) throw new SimError(400, 'Bundle unavailable');
    if (body.type === 'transaction' && state.faults.noBundlesLeft) throw new SimError(403, NO_BUNDLES_LEFT);
    // The sandbox's magic bundles (only in a catalogue started with testBundles).
    const items = new Set(planned.map((p) => p.bundle.name));
    if (body.type === 'transaction' && items.has(TEST_PROVISIONING_FAILS)) throw new SimError(400, 'Bundle unavailable');
    if (body.type === 'transaction' && items.has(TEST_COMPLETES_AFTER_5S)) await new Promise((r) => setTimeout(r, SLOW_PURCHASE_MS));
    if (totalCents > state.balanceCents) throw new SimError(400, 'Insufficient balance');

    if (body.type === 'validate') {
      res.json({
        order: planned.map((p) => ({
          type: 'bundle',
          item: p.bundle.name,
          quantity: p.input.quantity,
          subTotal: toUsd(Math.round(p.bundle.price * 100) * p.input.quantity),
          pricePerUnit: p.bundle.price,
          AllowReassign: p.input.allowReassign ?? false,
        })),
        total: toUsd(totalCents),
        valid: true,
        currency: 'USD',
        createdDate,
        assigned: assign,
      });
      return;
    }

    state.balanceCents -= totalCents;
    const orderReference = state.newReference();
    const storedLines: OrderLine[] = [];
    let esimCount = 0;
    for (const p of planned) {
      const priceCents = Math.round(p.bundle.price * 100);
      const iccids: string[] = [];
      if (assign) {
        for (const target of p.targets) {
          const esim = target ?? state.newEsim();
          state.addAssignment(esim, p.bundle, orderReference, priceCents);
          iccids.push(esim.iccid);
          esimCount += 1;
        }
      } else {
        state.inventory.push({
          id: state.newReference(),
          bundleName: p.bundle.name,
          total: p.input.quantity,
          remaining: p.input.quantity,
          expiry: new Date(state.now() + 365 * 86_400_000).toISOString(),
          priceCents,
          orderReference,
        });
      }
      storedLines.push({
        type: 'bundle',
        item: p.bundle.name,
        quantity: p.input.quantity,
        pricePerUnitCents: priceCents,
        allowReassign: p.input.allowReassign ?? false,
        iccids,
      });
    }
    const order: StoredOrder = {
      orderReference,
      createdDate,
      createdAtMs: Date.parse(createdDate),
      totalCents,
      assigned: assign,
      statusMessage: assign
        ? `Order completed: ${esimCount} eSIMs assigned`
        : `Order completed: ${storedLines.reduce((n, l) => n + l.quantity, 0)} bundles added to inventory`,
      sourceIP: req.ip ?? req.socket.remoteAddress ?? '',
      lines: storedLines,
      clientReference: body.clientReference,
    };
    state.orders.set(orderReference, order);
    if (magic) {
      for (const line of storedLines.filter((l) => l.item === TEST_USAGE_80)) {
        for (const iccid of line.iccids) {
          const timer = setTimeout(() => {
            magic.later.delete(timer);
            simulateUsage(state, magic.callbacks, { iccid, usedPercent: 80, bundle: TEST_USAGE_80 });
          }, USAGE_80_AFTER_MS);
          timer.unref();
          magic.later.add(timer);
        }
      }
    }
    res.json(orderView(order, state));
  });

  r.get('/orders/:orderReference', (req, res) => {
    const order = state.orders.get(paramOf(req, 'orderReference'));
    if (!order) throw new SimError(404, 'Order not found');
    res.json(orderView(order, state));
  });

  r.get('/orders', (req, res) => {
    const includeIccids = qBool(req.query.includeIccids);
    const page = qInt(req.query.page, 1, 0, 1_000_000) || 1;
    const limit = servedPageSize(qPageSize(req.query.limit, 'limit', 25), state.faults.pageSizeCap);
    const filters = qAll(req.query.createdAt, false).map(parseDateFilter);
    const list = [...state.orders.values()]
      .filter((o) => filters.every((f) => f(o.createdAtMs)))
      .sort((a, b) => b.createdAtMs - a.createdAtMs);
    res.json({
      [state.faults.ordersListKey]: paginate(list, page, limit).map((o) => orderView(o, state, includeIccids)),
      rows: list.length,
      pageCount: Math.ceil(list.length / limit),
      pageSize: limit,
    });
  });
  return r;
}

/** `createdAt=gte:2024-03-01T00:00:00.000Z` (operators eq, gt, gte, lt, lte; a bare date means eq). */
function parseDateFilter(raw: string): (ms: number) => boolean {
  const m = /^(eq|gt|gte|lt|lte):(.+)$/.exec(raw);
  const op = m ? m[1] : 'eq';
  const when = Date.parse(m ? m[2]! : raw);
  if (Number.isNaN(when)) throw new SimError(400, `Invalid createdAt filter: ${raw}`);
  switch (op) {
    case 'gt':
      return (ms) => ms > when;
    case 'gte':
      return (ms) => ms >= when;
    case 'lt':
      return (ms) => ms < when;
    case 'lte':
      return (ms) => ms <= when;
    default:
      return (ms) => ms === when;
  }
}
