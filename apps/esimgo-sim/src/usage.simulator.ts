/**
 * Simulated data usage on an eSIM: moves an assignment through Queued -> Active -> Depleted and sends the
 * V3 callbacks eSIM Go documents: FirstAttachment once per eSIM (its first network attach, which the first data
 * use implies), then per assignment FirstUse once and Utilisation at 50 %, 80 %, 100 %.
 */
import type { CallbackDispatcher } from './callbacks';
import { SimError } from './http.util';
import type { Assignment, Esim, SimState } from './state';

export interface UsageInput {
  iccid: string;
  /** total bytes used on the assignment so far */
  usedBytes?: number;
  /** total percent used so far (0..100) */
  usedPercent?: number;
  /** bytes to add to what was already used */
  addBytes?: number;
  /** bundle name; default: the active assignment, else the oldest queued one */
  bundle?: string;
}

const UTILISATION_THRESHOLDS = [50, 80, 100];

export function findUsableAssignment(state: SimState, esim: Esim, bundle?: string): Assignment | undefined {
  const candidates = esim.assignments.filter((a) => !bundle || a.bundleName === bundle);
  return (
    candidates.find((a) => state.stateOf(a) === 'Active') ??
    candidates.find((a) => ['Queued', 'Processing'].includes(state.stateOf(a)))
  );
}

export function bundleAlertBody(esim: Esim, a: Assignment, alertType: string): Record<string, unknown> {
  return {
    iccid: esim.iccid,
    alertType,
    bundle: {
      id: a.id,
      reference: a.assignmentReference,
      name: a.bundleName,
      description: a.description,
      initialQuantity: a.initialQuantity,
      remainingQuantity: a.remainingQuantity,
      startTime: a.startTime ?? null,
      endTime: a.endTime ?? null,
      unlimited: a.unlimited,
    },
  };
}

export function simulateUsage(state: SimState, callbacks: CallbackDispatcher, input: UsageInput): Assignment {
  const esim = state.esims.get(input.iccid);
  if (!esim) throw new SimError(404, 'eSIM not found');
  const a = findUsableAssignment(state, esim, input.bundle);
  if (!a) throw new SimError(400, 'No usable bundle on this eSIM');

  const usedBefore = a.initialQuantity - a.remainingQuantity;
  let target: number;
  if (input.usedBytes !== undefined) target = input.usedBytes;
  else if (input.usedPercent !== undefined) target = Math.round((a.initialQuantity * input.usedPercent) / 100);
  else if (input.addBytes !== undefined) target = usedBefore + input.addBytes;
  else throw new SimError(400, 'One of usedBytes, usedPercent or addBytes is required');
  // Usage only grows and never exceeds the bundle.
  const used = Math.min(a.initialQuantity, Math.max(usedBefore, Math.round(target)));
  if (used === usedBefore) return a;

  const now = state.now();
  if (!a.startTime) {
    a.processingUntil = Math.min(a.processingUntil, now);
    a.startTime = new Date(now).toISOString();
    a.endTime = new Date(now + a.durationDays * 86_400_000).toISOString();
  }
  if (esim.firstInstalledDateTime === null) attach(state, callbacks, esim, a.bundleName);
  a.remainingQuantity = a.initialQuantity - used;

  if (usedBefore === 0 && !a.alerted.includes(1)) {
    a.alerted.push(1);
    state.record(esim, 'eSIM First Use', a.bundleName);
    callbacks.send(esim.iccid, 'FirstUse', bundleAlertBody(esim, a, 'FirstUse'));
  }
  const percent = a.initialQuantity > 0 ? (used / a.initialQuantity) * 100 : 100;
  for (const t of UTILISATION_THRESHOLDS) {
    if (percent >= t && !a.alerted.includes(t)) {
      a.alerted.push(t);
      state.record(esim, 'eSIM Utilisation Alert', a.bundleName);
      callbacks.send(esim.iccid, 'Utilisation', bundleAlertBody(esim, a, 'Utilisation'));
    }
  }
  return a;
}

/**
 * The eSIM's first network attach (installed and switched on): FirstAttachment `{ alertType, iccid }`, once per
 * eSIM (eSIM Go's body for this alert has no bundle). Later calls change nothing.
 */
export function attach(state: SimState, callbacks: CallbackDispatcher, esim: Esim, bundleName = ''): boolean {
  if (esim.firstInstalledDateTime !== null) return false;
  esim.firstInstalledDateTime = state.now();
  esim.profileStatus = 'Installed';
  state.record(esim, 'eSIM First Attachment', bundleName);
  callbacks.send(esim.iccid, 'FirstAttachment', { alertType: 'FirstAttachment', iccid: esim.iccid });
  return true;
}

/**
 * Ends an assignment now: Expired when it had started, Lapsed when it was never used. With `inMs` > 0 a started
 * assignment ends that much later instead (its endTime moves; the state follows on read), so "expires within
 * 24 hours" can be shown without waiting for a bundle's days.
 */
export function expireAssignment(state: SimState, iccid: string, bundle?: string, inMs = 0): Assignment {
  const esim = state.esims.get(iccid);
  if (!esim) throw new SimError(404, 'eSIM not found');
  const a = findUsableAssignment(state, esim, bundle) ?? esim.assignments.find((x) => (!bundle || x.bundleName === bundle) && state.stateOf(x) === 'Depleted');
  if (!a) throw new SimError(400, 'No bundle to expire on this eSIM');
  if (inMs > 0) {
    if (!a.startTime) throw new SimError(400, 'The bundle has not started: it can only lapse now (inMs 0)');
    a.endTime = new Date(state.now() + inMs).toISOString();
    return a;
  }
  if (a.startTime) {
    a.endTime = new Date(state.now()).toISOString();
    state.record(esim, 'Bundle Expired', a.bundleName);
  } else {
    a.forcedState = 'Lapsed';
    state.record(esim, 'Bundle Lapsed', a.bundleName);
  }
  return a;
}
