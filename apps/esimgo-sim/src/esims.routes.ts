/**
 * eSIM endpoints: install details (/esims/assignments as JSON, CSV or ZIP of QR PNGs), details, list,
 * bundles on an eSIM with their states, revoke/refund, apply from inventory, history.
 */
import { Router, type Response } from 'express';
import JSZip from 'jszip';
import { z } from 'zod';
import { qrPng } from './qr.png';
import { SimError, paginate, paramOf, parseBody, q1, qAll, qBool, qInt } from './http.util';
import type { Assignment, Esim, OrderLine, SimState } from './state';
import { toUsd } from './state';

export const lpaString = (e: Pick<Esim, 'smdpAddress' | 'matchingId'>): string => `LPA:1$${e.smdpAddress}$${e.matchingId}`;
export const appleInstallUrl = (e: Pick<Esim, 'smdpAddress' | 'matchingId'>): string =>
  `https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=${lpaString(e)}`;

const TERMINAL = ['Expired', 'Revoked', 'Lapsed'];

/**
 * An assignment as GET /esims/{iccid}/bundles documents it: no startTime or endTime (only callbacks carry those),
 * the state under `bundleState`, or `bundleStatus` as some versions name it (the assignmentStateField fault).
 */
export function assignmentView(state: SimState, a: Assignment): Record<string, unknown> {
  return {
    id: a.id,
    callTypeGroup: 'data',
    initialQuantity: a.initialQuantity,
    remainingQuantity: a.remainingQuantity,
    assignmentDateTime: a.assignmentDateTime,
    assignmentReference: a.assignmentReference,
    [state.faults.assignmentStateField]: state.stateOf(a),
    unlimited: a.unlimited,
  };
}

function esimOr404(state: SimState, iccid: string): Esim {
  const e = state.esims.get(iccid);
  if (!e) throw new SimError(404, 'eSIM not found');
  return e;
}

const csvCell = (s: string): string => `"${s.replace(/"/g, '""')}"`;

interface InstallRow {
  esim: Esim;
  bundle: string;
  reference: string;
}

function installCsv(rows: InstallRow[]): string {
  const lines = [['ICCID', 'Matching ID', 'RSP URL', 'Bundle', 'Reference'].map(csvCell).join(',')];
  for (const r of rows) lines.push([r.esim.iccid, r.esim.matchingId, r.esim.smdpAddress, r.bundle, r.reference].map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}

function wants(accept: string | undefined, type: string): boolean {
  return (accept ?? '').toLowerCase().includes(type);
}

const ApplySchema = z.object({
  iccid: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  bundle: z.string().min(1).optional(),
  repeat: z.number().int().min(1).max(100).optional(),
  allowReassign: z.boolean().optional(),
  startTime: z.string().optional(),
  bundles: z
    .array(
      z.union([
        z.string().min(1),
        z.object({ name: z.string().min(1), repeat: z.number().int().min(1).max(100).optional(), allowReassign: z.boolean().optional() }),
      ]),
    )
    .optional(),
});

export function esimsRoutes(state: SimState): Router {
  const r = Router();

  r.get('/esims/assignments', async (req, res) => {
    const refs = qAll(req.query.reference);
    if (refs.length === 0) throw new SimError(400, 'reference is required');
    const rows: InstallRow[] = [];
    const assignments: Assignment[] = [];
    for (const ref of refs) {
      const order = state.orders.get(ref);
      if (!order) throw new SimError(400, `Reference not found: ${ref}`);
      for (const line of order.lines) {
        for (const iccid of line.iccids) {
          const esim = state.esims.get(iccid);
          if (!esim) continue;
          rows.push({ esim, bundle: line.item, reference: ref });
          const a = esim.assignments.find((x) => x.assignmentReference === ref && x.bundleName === line.item);
          if (a) assignments.push(a);
        }
      }
    }
    if (state.faults.applyAfterProcessing) {
      const waitMs = Math.max(0, ...assignments.filter((a) => state.stateOf(a) === 'Processing').map((a) => a.processingUntil - state.now()));
      if (waitMs > 0) {
        throw new SimError(503, 'Processing - Please come back later or use the Retry-After (seconds) header', {
          'Retry-After': String(Math.max(1, Math.ceil(waitMs / 1000))),
        });
      }
    }
    const accept = req.get('accept');
    if (wants(accept, 'application/zip')) {
      const zip = new JSZip();
      for (const row of rows) zip.file(`${row.esim.iccid}.png`, qrPng(lpaString(row.esim)));
      zip.file('esims.csv', installCsv(rows));
      const buf = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
      res.type('application/zip').setHeader('Content-Disposition', 'attachment; filename="esims.zip"');
      res.send(buf);
      return;
    }
    if (wants(accept, 'application/json')) {
      const fields = qAll(req.query.additionalFields);
      const withApple = fields.includes('appleInstallUrl') || fields.includes('installUrl');
      res.json(
        rows.map(({ esim }) => ({
          iccid: esim.iccid,
          matchingId: esim.matchingId,
          smdpAddress: esim.smdpAddress,
          profileStatus: 'Released',
          pin: esim.pin,
          puk: esim.puk,
          firstInstalledDateTime: esim.firstInstalledDateTime,
          ...(withApple ? { appleInstallUrl: appleInstallUrl(esim) } : {}),
        })),
      );
      return;
    }
    res.type('text/csv').send(installCsv(rows));
  });

  r.post('/esims/apply', (req, res) => {
    const body = parseBody(ApplySchema, req.body);
    const wanted: Array<{ name: string; repeat: number; allowReassign: boolean }> = [];
    const single = body.name ?? body.bundle;
    if (single) wanted.push({ name: single, repeat: body.repeat ?? 1, allowReassign: body.allowReassign ?? false });
    for (const b of body.bundles ?? []) {
      if (typeof b === 'string') wanted.push({ name: b, repeat: 1, allowReassign: body.allowReassign ?? false });
      else wanted.push({ name: b.name, repeat: b.repeat ?? 1, allowReassign: b.allowReassign ?? body.allowReassign ?? false });
    }
    if (wanted.length === 0) throw new SimError(400, 'Invalid request: name or bundles is required');
    if (body.iccid && wanted.some((w) => w.repeat > 1)) throw new SimError(400, 'repeat is not allowed with iccid');
    let target: Esim | undefined;
    if (body.iccid) {
      target = state.esims.get(body.iccid);
      if (!target && !wanted.every((w) => w.allowReassign)) throw new SimError(400, `eSIM not found: ${body.iccid}`);
    }
    // Check the whole request before taking anything from inventory.
    const need = new Map<string, number>();
    for (const w of wanted) {
      if (!state.bundlesByName.has(w.name)) throw new SimError(400, `Bundle not found: ${w.name}`);
      if (target && !w.allowReassign && !state.isCompatible(target.iccid, w.name)) {
        throw new SimError(400, `Bundle ${w.name} is not compatible with eSIM ${target.iccid}`);
      }
      need.set(w.name, (need.get(w.name) ?? 0) + w.repeat);
    }
    for (const [name, n] of need) {
      const available = state.inventory.filter((u) => u.bundleName === name).reduce((s, u) => s + u.remaining, 0);
      if (available < n) throw new SimError(400, `Insufficient inventory for bundle: ${name}`);
    }
    const applyReference = state.newReference();
    const out: Array<{ iccid: string; status: string; bundle: string }> = [];
    const lines = new Map<string, OrderLine>();
    for (const w of wanted) {
      const bundle = state.bundlesByName.get(w.name)!;
      for (let i = 0; i < w.repeat; i++) {
        const usage = state.inventory
          .filter((u) => u.bundleName === w.name && u.remaining > 0)
          .sort((a, b) => a.expiry.localeCompare(b.expiry))[0]!;
        usage.remaining -= 1;
        const esim = target && state.isCompatible(target.iccid, w.name) ? target : state.newEsim();
        state.addAssignment(esim, bundle, applyReference, usage.priceCents);
        out.push({ iccid: esim.iccid, status: 'Successfully Assigned', bundle: w.name });
        const line = lines.get(w.name) ?? {
          type: 'bundleAssignment',
          item: w.name,
          quantity: 0,
          pricePerUnitCents: 0,
          allowReassign: w.allowReassign,
          iccids: [],
        };
        line.quantity += 1;
        if (!line.iccids.includes(esim.iccid)) line.iccids.push(esim.iccid);
        lines.set(w.name, line);
      }
    }
    const createdDate = state.nowIso();
    // Apply operations show up as orders of item type bundleAssignment (v2.2 changelog).
    state.orders.set(applyReference, {
      orderReference: applyReference,
      createdDate,
      createdAtMs: Date.parse(createdDate),
      totalCents: 0,
      assigned: true,
      statusMessage: `Bundles applied: ${out.length}`,
      sourceIP: req.ip ?? '',
      lines: [...lines.values()],
    });
    res.json({ esims: out, applyReference });
  });

  r.get('/esims', (req, res) => {
    const page = qInt(req.query.page, 1, 0, 1_000_000) || 1;
    const perPage = qInt(req.query.perPage, 10, 1, 100);
    const filterBy = q1(req.query.filterBy);
    const filter = q1(req.query.filter);
    let list = [...state.esims.values()];
    if (filterBy && filter !== undefined) {
      if (filterBy !== 'iccid' && filterBy !== 'customerRef') throw new SimError(400, `Unsupported filterBy: ${filterBy}`);
      const value = filter.replace(/^eq:/, '');
      list = list.filter((e) => e[filterBy] === value);
    }
    const orderBy = q1(req.query.orderBy);
    const desc = q1(req.query.direction)?.toLowerCase() === 'desc';
    if (orderBy === 'iccid') list.sort((a, b) => a.iccid.localeCompare(b.iccid));
    if (desc) list.reverse();
    res.json({
      esims: paginate(list, page, perPage).map((e) => ({
        iccid: e.iccid,
        customerRef: e.customerRef,
        lastAction: e.lastAction,
        actionDate: e.actionDate,
        physical: false,
        assignedDate: e.assignedDate,
      })),
      pageCount: Math.ceil(list.length / perPage),
      rows: list.length,
      pageSize: perPage,
    });
  });

  r.put('/esims', (req, res) => {
    const body = parseBody(z.object({ iccid: z.string().min(1), customerRef: z.string().max(200) }), req.body);
    const esim = esimOr404(state, body.iccid);
    esim.customerRef = body.customerRef;
    state.record(esim, 'eSIM Updated', '');
    res.json({ status: 'success' });
  });

  r.get('/esims/:iccid', (req, res) => {
    const e = esimOr404(state, paramOf(req, 'iccid'));
    const fields = qAll(req.query.additionalFields);
    res.json({
      iccid: e.iccid,
      pin: e.pin,
      puk: e.puk,
      matchingId: e.matchingId,
      smdpAddress: e.smdpAddress,
      profileStatus: e.profileStatus,
      firstInstalledDateTime: e.firstInstalledDateTime,
      customerRef: e.customerRef,
      state: 'Active',
      ...(fields.includes('appleInstallUrl') ? { appleInstallUrl: appleInstallUrl(e) } : {}),
    });
  });

  r.get('/esims/:iccid/bundles', (req, res) => {
    const e = esimOr404(state, paramOf(req, 'iccid'));
    const includeUsed = qBool(req.query.includeUsed);
    const limit = qInt(req.query.limit, 15, 1, 200);
    const groups = new Map<string, { name: string; description: string; assignments: Record<string, unknown>[] }>();
    for (const a of e.assignments) {
      if (!includeUsed && TERMINAL.includes(state.stateOf(a))) continue;
      const g = groups.get(a.bundleName) ?? { name: a.bundleName, description: a.description, assignments: [] };
      g.assignments.push(assignmentView(state, a));
      groups.set(a.bundleName, g);
    }
    res.json({ bundles: [...groups.values()].slice(0, limit) });
  });

  r.get('/esims/:iccid/bundles/:name', (req, res) => {
    const e = esimOr404(state, paramOf(req, 'iccid'));
    const name = paramOf(req, 'name');
    const list = e.assignments.filter((a) => a.bundleName === name);
    if (list.length === 0) throw new SimError(404, 'Bundle not found on this eSIM');
    res.json({
      name,
      description: list[0]!.description,
      assignments: [...list].reverse().map((a) => assignmentView(state, a)),
    });
  });

  const revoke = (res: Response, e: Esim, candidates: Assignment[], type: string, refundToBalance: boolean): void => {
    if (type !== 'validate' && type !== 'transaction') throw new SimError(400, `Invalid type: ${type}`);
    const unused = candidates.find((a) => ['Processing', 'Queued'].includes(state.stateOf(a)));
    const target = unused ?? candidates.find((a) => !TERMINAL.includes(state.stateOf(a)));
    if (!target) throw new SimError(400, 'No bundle to revoke');
    const refundable = target === unused;
    if (type === 'validate') {
      res.json({
        status: 'validated',
        assignmentId: target.id,
        bundleState: state.stateOf(target),
        refundable,
        refundAmount: refundable ? toUsd(target.priceCents) : 0,
        currency: 'USD',
      });
      return;
    }
    target.revoked = true;
    state.record(e, 'Bundle Revoked', target.bundleName);
    let refundedTo: 'balance' | 'inventory' | null = null;
    if (refundable) {
      if (refundToBalance) {
        state.balanceCents += target.priceCents;
        refundedTo = 'balance';
        state.record(e, 'Bundle Refunded To Balance', target.bundleName);
      } else {
        state.inventory.push({
          id: state.newReference(),
          bundleName: target.bundleName,
          total: 1,
          remaining: 1,
          expiry: new Date(state.now() + 365 * 86_400_000).toISOString(),
          priceCents: target.priceCents,
          orderReference: target.assignmentReference,
        });
        refundedTo = 'inventory';
        state.record(e, 'Bundle Refunded to Inventory', target.bundleName);
      }
    }
    res.json({
      status: 'success',
      assignmentId: target.id,
      refunded: refundable,
      refundedTo,
      refundAmount: refundable ? toUsd(target.priceCents) : 0,
    });
  };

  r.delete('/esims/:iccid/bundles/:name', (req, res) => {
    const e = esimOr404(state, paramOf(req, 'iccid'));
    const name = paramOf(req, 'name');
    const list = e.assignments.filter((a) => a.bundleName === name);
    if (list.length === 0) throw new SimError(404, 'Bundle not found on this eSIM');
    revoke(res, e, list, q1(req.query.type) ?? 'transaction', qBool(req.query.refundToBalance));
  });

  r.delete('/esims/:iccid/bundles/:name/assignments/:assignmentId', (req, res) => {
    const e = esimOr404(state, paramOf(req, 'iccid'));
    const a = e.assignments.find((x) => x.bundleName === paramOf(req, 'name') && x.id === paramOf(req, 'assignmentId'));
    if (!a) throw new SimError(404, 'Assignment not found');
    revoke(res, e, [a], q1(req.query.type) ?? 'transaction', qBool(req.query.refundToBalance));
  });

  r.get('/esims/:iccid/compatible/:bundle', (req, res) => {
    esimOr404(state, paramOf(req, 'iccid'));
    const iccid = paramOf(req, 'iccid');
    const bundle = paramOf(req, 'bundle');
    res.json({ compatible: state.bundlesByName.has(bundle) && state.isCompatible(iccid, bundle) });
  });

  r.get('/esims/:iccid/history', (req, res) => {
    const e = esimOr404(state, paramOf(req, 'iccid'));
    res.json({ iccid: e.iccid, history: [...e.history].reverse() });
  });

  r.get('/esims/:iccid/refresh', (req, res) => {
    const e = esimOr404(state, paramOf(req, 'iccid'));
    state.record(e, 'eSIM Refreshed', '');
    res.json({ status: 'success' });
  });

  r.post('/esims/:iccid/sms', (req, res) => {
    esimOr404(state, paramOf(req, 'iccid'));
    parseBody(z.object({ message: z.string().min(1).max(160), from: z.string().max(11).optional() }), req.body);
    res.json({ status: 'sent' });
  });

  return r;
}
