/**
 * esim.provision.v1 (new eSIMs) and esim.apply-bundle.v1 (a top-up: one bundle onto an eSIM we hold, an order line
 * naming its ICCID): buy at eSIM Go exactly once per order, and tell the order service.
 *
 * eSIM Go has no idempotency key, so the order is recorded first and every step is decided from that record:
 *
 *  1. Record the provider order REQUESTED (one short transaction) unless it exists. A COMPLETED or FAILED one
 *     only re-emits its outcome event from stored data (a lost event heals; the order service ignores repeats).
 *  2. Take the order's lease, so no two workers (consumer retries, other replicas, the reconcile job) work on
 *     it at once.
 *  3. Outside any transaction: if an earlier attempt may have reached eSIM Go (UNKNOWN, or attempts > 0), look
 *     the order up there and adopt it when found. Only when nothing is found: count the attempt (committed
 *     BEFORE sending), then POST /orders once. Never retried blindly.
 *  4. Fetch the install data of the eSIM Go order, then in ONE transaction: COMPLETED + eSIMs and their bundle
 *     (a top-up: the bundle on its eSIM, whose install data is unchanged) + outbox event.
 *
 * A top-up is only ever applied to an eSIM of the order's owner (checked again here, whatever the order service
 * checked), and during reconciliation only an eSIM Go order that applied that bundle to that eSIM is adopted; a
 * purchase of new eSIMs never adopts an eSIM Go order whose eSIM we already hold (a top-up's).
 *
 * Outcomes: a lost answer -> UNKNOWN and a retryable error (the retry reconciles first); a transient provider
 * error -> stays REQUESTED, retryable; a refusal (400, or a 403 about the account) -> FAILED +
 * esim.provisioning-failed.v1; a 403 about our credentials -> the attempt is not counted (it was answered: nothing
 * bought), provisioning pauses (alert), the order waits.
 *
 * The deadline: an order without eSIMs `deadlineMs` after it was recorded is never bought any more. Looked up at
 * eSIM Go (when an attempt may have reached it): found -> completed as usual; not found -> FAILED with
 * PROVISIONING_DEADLINE_EXCEEDED (the order service refunds or releases). Unfinished orders are looked at again no
 * later than their deadline.
 */
import { randomUUID } from 'node:crypto';
import { EsimProvisionedV1, EsimProvisioningFailedV1 } from '@ttelgo/contracts';
import { enqueue } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import { toInstall, type EsimInstall } from '../domain/esim-install';
import { nextCheckDelayMs, nextStep, sameRequest, type ProviderOrder, type ProvisionRequest } from '../domain/provider-order';
import { ReferenceTakenError, type ProvisioningRepository, type StoredInstall } from '../infrastructure/provisioning.repository';
import { ProvisioningPause } from './provisioning-pause';
import {
  ProviderAuthorisationError,
  ProviderTemporaryError,
  PurchaseOutcomeUnknownError,
  PurchaseRejectedError,
  type FoundProviderOrder,
  type ProvisioningProvider,
} from './provisioning-provider.port';

export type ProvisionOutcome =
  | 'provisioned'
  | 'adopted'
  | 'failed'
  /** Already finished earlier; its outcome event was enqueued again when asked to. */
  | 'already-completed'
  | 'already-failed';

/** Not finished yet, nothing lost: try again later (the consumer's retry queue, else the reconcile job). */
export class ProvisioningDeferredError extends Error {
  override readonly name = 'ProvisioningDeferredError';
}

/** A command for an order we know with another owner, bundle or quantity: a bug upstream, never retried. */
export class ConflictingProvisionCommandError extends Error {
  override readonly name = 'ConflictingProvisionCommandError';
}

export interface ProvisionOptions {
  /** Re-emit the outcome event of an order that is already finished (commands: yes; the reconcile job: no). */
  republishFinished: boolean;
  correlationId?: string | null;
}

export interface ProvisionEsimsDeps {
  repository: ProvisioningRepository;
  provider: ProvisioningProvider;
  logger: Logger;
  producer: string;
  /**
   * How long one worker may hold an order. Must exceed the longest attempt (reconcile GETs with retries, one
   * POST with its timeout, the install-data GETs); it is renewed right before the POST.
   */
  leaseMs: number;
  /** Orders at eSIM Go created this long before our first attempt still count as ours (clock skew). */
  reconcileSkewMs?: number;
  /** After this long without eSIMs an order is settled against eSIM Go and never bought (default 30 minutes). */
  deadlineMs?: number;
  /** Paused while eSIM Go refuses our credentials (default: a pause of one minute, no alert). */
  pause?: ProvisioningPause;
  now?: () => Date;
}

const DEFAULT_DEADLINE_MS = 30 * 60_000;

export class ProvisionEsimsUseCase {
  private readonly now: () => Date;
  private readonly skewMs: number;
  private readonly deadlineMs: number;
  private readonly pause: ProvisioningPause;

  constructor(private readonly deps: ProvisionEsimsDeps) {
    this.now = deps.now ?? (() => new Date());
    this.skewMs = deps.reconcileSkewMs ?? 5 * 60_000;
    this.deadlineMs = deps.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.pause = deps.pause ?? new ProvisioningPause({ pauseMs: 60_000, now: () => this.now().getTime() });
  }

  async execute(request: ProvisionRequest, opts: ProvisionOptions): Promise<ProvisionOutcome> {
    const { repository, logger } = this.deps;
    const log = logger.child({ orderId: request.orderId });
    const recorded = await repository.insertIfAbsent(request, {
      correlationId: opts.correlationId ?? null,
      nextCheckAt: new Date(this.now().getTime() + nextCheckDelayMs(1)),
    });
    if (!sameRequest(recorded, request)) {
      throw new ConflictingProvisionCommandError(
        `order ${request.orderId} was recorded as ${recorded.quantity} x ${recorded.bundleName} for ${recorded.owner.type}:${recorded.owner.id}; ` +
          `refusing ${request.quantity} x ${request.bundleName} for ${request.owner.type}:${request.owner.id}`,
      );
    }
    const finished = await this.finishedOutcome(recorded, opts);
    if (finished) return finished;

    const token = randomUUID();
    const order = await repository.acquireLease(request.orderId, token, this.deps.leaseMs);
    if (!order) throw new ProvisioningDeferredError(`order ${request.orderId} is being provisioned by another worker`);
    try {
      // Another worker may have finished it between our first read and the lease.
      const done = await this.finishedOutcome(order, opts);
      if (done) return done;
      return await this.provision(order, token, log);
    } finally {
      await repository.releaseLease(request.orderId, token).catch((err: unknown) => {
        log.warn({ err }, 'could not release the provisioning lease; it expires on its own');
      });
    }
  }

  private async provision(order: ProviderOrder, token: string, log: Logger): Promise<ProvisionOutcome> {
    const { repository, provider } = this.deps;
    if (order.kind === 'TOPUP') {
      const owner = order.iccid ? await repository.ownerOfEsim(order.iccid) : undefined;
      if (!owner || owner.type !== order.owner.type || owner.id !== order.owner.id) {
        // Never reached through the order service (it checks first); a bug or a forged command: buy nothing.
        log.error({ iccid: order.iccid }, 'top-up for an eSIM that is not the order owner\'s: refused');
        return this.fail(order, token, new PurchaseRejectedError('ESIM_NOT_FOUND', `eSIM ${order.iccid ?? '?'} is not one of the owner's eSIMs`), log);
      }
    }
    const step = nextStep(order);
    let reference: string | undefined;
    let adopted = false;
    let attempts = order.attempts;
    const pastDeadline = this.now().getTime() >= this.deadlineAt(order);

    // Nothing was ever sent that could have bought: past the deadline there is nothing to ask eSIM Go.
    if (step.kind === 'buy' && pastDeadline) return this.fail(order, token, deadlineExceeded(), log);
    const paused = step.kind === 'fetch-install-data' ? null : this.pause.active();
    if (paused !== null) {
      await this.defer(order, token, order.state === 'UNKNOWN' ? 'UNKNOWN' : 'REQUESTED', order.attempts);
      throw new ProvisioningDeferredError(`order ${order.orderId}: provisioning is paused (${paused})`);
    }

    if (step.kind === 'fetch-install-data') {
      reference = step.providerReference;
    } else if (step.kind === 'reconcile') {
      reference = await this.reconcile(order, token, log);
      adopted = reference !== undefined;
    }

    if (reference === undefined) {
      // Looked up (or never sent) and not at eSIM Go: past the deadline the order fails instead of being bought late.
      if (pastDeadline) return this.fail(order, token, deadlineExceeded(), log);
      if (!(await repository.beginAttempt(order.orderId, token, this.deps.leaseMs))) {
        throw new ProvisioningDeferredError(`order ${order.orderId}: lease lost before buying; nothing was sent`);
      }
      attempts += 1;
      try {
        reference = (await provider.purchase(order)).reference;
      } catch (err) {
        if (err instanceof PurchaseRejectedError) return this.fail(order, token, err, log);
        if (err instanceof ProviderAuthorisationError) {
          // Answered, so nothing was bought: the attempt does not count (no reconciliation needed before the next).
          if (await repository.revertAttempt(order.orderId, token)) attempts -= 1;
          this.pauseFor(err, log);
          await this.defer(order, token, 'REQUESTED', attempts);
          throw new ProvisioningDeferredError(`order ${order.orderId}: ${err.message}`, { cause: err });
        }
        if (err instanceof PurchaseOutcomeUnknownError) {
          log.warn({ err, attempts }, 'eSIM Go purchase outcome unknown; the order will be reconciled before any retry');
          await this.defer(order, token, 'UNKNOWN', attempts);
          throw new ProvisioningDeferredError(`order ${order.orderId}: purchase outcome unknown, reconciling later`, { cause: err });
        }
        await this.defer(order, token, 'REQUESTED', attempts);
        if (err instanceof ProviderTemporaryError) {
          throw new ProvisioningDeferredError(`order ${order.orderId}: eSIM Go unavailable (${err.message})`, { cause: err });
        }
        throw err;
      }
      log.info({ providerReference: reference, attempts }, 'bought at eSIM Go');
      await this.keepReference(order, token, reference, attempts);
    }

    let installData;
    try {
      installData = await provider.installData(reference);
    } catch (err) {
      await this.defer(order, token, 'REQUESTED', attempts);
      if (err instanceof ProviderTemporaryError) {
        throw new ProvisioningDeferredError(`order ${order.orderId}: install data of ${reference} not available yet (${err.message})`, { cause: err });
      }
      throw err;
    }
    if (installData.length !== order.quantity) {
      // eSIM Go assigns asynchronously (up to minutes): fewer eSIMs than bought means "not yet", never "done".
      await this.defer(order, token, 'REQUESTED', attempts);
      throw new ProvisioningDeferredError(`order ${order.orderId}: eSIM Go shows ${installData.length} of ${order.quantity} eSIMs of ${reference} so far`);
    }
    if (order.kind === 'TOPUP' && installData[0]?.iccid !== order.iccid) {
      // allowReassign is false, so eSIM Go must have applied it to our eSIM; anything else needs a human.
      await this.defer(order, token, 'REQUESTED', attempts);
      log.error({ providerReference: reference, iccids: installData.map((d) => d.iccid) }, 'eSIM Go order of a top-up shows another eSIM than the one topped up');
      throw new ProvisioningDeferredError(`order ${order.orderId}: eSIM Go order ${reference} is not on eSIM ${order.iccid ?? '?'}`);
    }

    const provisionedAt = this.now();
    const terms = await repository.bundleTerms(order.bundleName);
    const installs = installData.map((d) => toInstall(d, provisionedAt, terms.durationDays));
    const providerOrderReference = reference;
    // A top-up hands back the eSIM's install data as we hold it (no new QR code); its expiry now reaches at least
    // as far as the new bundle's.
    const announced = order.kind === 'TOPUP' ? extendedBy(await repository.installsOf(installs.map((e) => e.iccid)), installs) : installs.map(installOf);
    const completed = await repository.transaction(async (tx) => {
      if (!(await repository.markCompleted(tx, { ...order, providerReference: providerOrderReference }, token, installs, terms))) return false;
      await enqueue(tx, EsimProvisionedV1, { orderId: order.orderId, providerOrderReference, esims: announced }, this.eventMeta(order));
      return true;
    });
    if (!completed) throw new ProvisioningDeferredError(`order ${order.orderId}: lease lost before completing; another worker finishes it`);
    log.info({ providerReference: reference, esims: installs.length, adopted }, 'eSIMs provisioned');
    return adopted ? 'adopted' : 'provisioned';
  }

  /**
   * Looks for the eSIM Go order an earlier attempt may have placed. An exact match (our order id, where eSIM
   * Go keeps it) wins; otherwise the oldest order of the same item and quantity created since our first
   * attempt that none of our orders holds yet. Found => adopted (recorded), never bought again.
   */
  private async reconcile(order: ProviderOrder, token: string, log: Logger): Promise<string | undefined> {
    const { provider, repository } = this.deps;
    let found: FoundProviderOrder[];
    try {
      found = await provider.findOrders({
        orderId: order.orderId,
        bundleName: order.bundleName,
        quantity: order.quantity,
        notBefore: new Date(order.requestedAt.getTime() - this.skewMs),
      });
    } catch (err) {
      if (err instanceof ProviderAuthorisationError) this.pauseFor(err, log);
      await this.defer(order, token, order.state === 'UNKNOWN' ? 'UNKNOWN' : 'REQUESTED', order.attempts);
      if (err instanceof ProviderTemporaryError) {
        throw new ProvisioningDeferredError(`order ${order.orderId}: cannot reconcile with eSIM Go yet (${err.message})`, { cause: err });
      }
      throw err;
    }
    const exact = found.find((f) => f.exact);
    let candidate = exact;
    if (!candidate) {
      const taken = await repository.takenReferences(found.map((f) => f.reference));
      // A top-up adopts only an order that applied the bundle to its eSIM; new eSIMs never adopt an order whose
      // eSIM we already hold (that is someone's top-up of the same bundle).
      const ours = await repository.knownIccids(found.flatMap((f) => f.iccids));
      const fits = (f: FoundProviderOrder): boolean =>
        order.kind === 'TOPUP' ? f.iccids.length === 1 && f.iccids[0] === order.iccid : !f.iccids.some((iccid) => ours.has(iccid));
      const free = found
        .filter((f) => !taken.has(f.reference) && fits(f))
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
      candidate = free[0];
      if (free.length > 1) log.warn({ candidates: free.map((f) => f.reference) }, 'several eSIM Go orders match by time window, item and quantity; adopting the oldest');
    }
    if (!candidate) {
      log.info({ attempts: order.attempts }, 'reconciliation: no eSIM Go order for this order; it will be bought');
      return undefined;
    }
    log.info({ providerReference: candidate.reference, exact: candidate.exact }, 'reconciliation: adopting the eSIM Go order of an earlier attempt');
    await this.keepReference(order, token, candidate.reference);
    return candidate.reference;
  }

  private async keepReference(order: ProviderOrder, token: string, reference: string, attempts = order.attempts): Promise<void> {
    try {
      if (await this.deps.repository.recordReference(order.orderId, token, reference)) return;
    } catch (err) {
      if (!(err instanceof ReferenceTakenError)) throw err;
      // Only possible with time-window matching: another of our orders adopted it meanwhile. Ours is then
      // unaccounted for again: reconcile on the next try instead of buying.
      this.deps.logger.error({ err, orderId: order.orderId, providerReference: reference }, 'eSIM Go order already held by another order');
      await this.defer(order, token, 'UNKNOWN', attempts);
      throw new ProvisioningDeferredError(`order ${order.orderId}: eSIM Go order ${reference} is held by another order; reconciling later`, { cause: err });
    }
    throw new ProvisioningDeferredError(`order ${order.orderId}: lease lost while recording eSIM Go order ${reference}`);
  }

  private async fail(order: ProviderOrder, token: string, err: PurchaseRejectedError, log: Logger): Promise<ProvisionOutcome> {
    const { repository } = this.deps;
    const failed = await repository.transaction(async (tx) => {
      if (!(await repository.markFailed(tx, order.orderId, token, { code: err.code, reason: err.reason }))) return false;
      await enqueue(tx, EsimProvisioningFailedV1, { orderId: order.orderId, code: err.code, reason: err.reason }, this.eventMeta(order));
      return true;
    });
    if (!failed) throw new ProvisioningDeferredError(`order ${order.orderId}: lease lost before recording the refusal`);
    log.warn({ code: err.code, reason: err.reason }, 'eSIM Go refused the purchase; provisioning failed');
    return 'failed';
  }

  private deadlineAt(order: ProviderOrder): number {
    return order.requestedAt.getTime() + this.deadlineMs;
  }

  private pauseFor(err: ProviderAuthorisationError, log: Logger): void {
    if (this.pause.active() === null) {
      log.error({ err }, 'eSIM Go refused our credentials or configuration: provisioning paused; check ESIMGO_API_KEY and the IP allow-list in the eSIM Go portal');
    }
    this.pause.pause(err.message);
  }

  /** Looked at again after the usual back-off, but never later than the order's deadline while that is ahead. */
  private async defer(order: ProviderOrder, token: string, state: 'REQUESTED' | 'UNKNOWN', attempts: number): Promise<void> {
    const now = this.now().getTime();
    const backoff = now + nextCheckDelayMs(Math.max(1, attempts));
    const deadline = this.deadlineAt(order);
    const nextCheckAt = new Date(deadline > now ? Math.min(backoff, deadline) : backoff);
    await this.deps.repository.defer(order.orderId, token, state, nextCheckAt).catch((err: unknown) => {
      this.deps.logger.error({ err, orderId: order.orderId }, 'could not record the deferred provisioning state');
    });
  }

  /** The terminal outcome of a finished order (its event enqueued again when asked to), else undefined. */
  private async finishedOutcome(order: ProviderOrder, opts: ProvisionOptions): Promise<ProvisionOutcome | undefined> {
    const step = nextStep(order);
    if (step.kind === 'completed') {
      if (opts.republishFinished) await this.republishProvisioned(order);
      return 'already-completed';
    }
    if (step.kind === 'failed') {
      if (opts.republishFinished) {
        await this.deps.repository.transaction((tx) =>
          enqueue(
            tx,
            EsimProvisioningFailedV1,
            { orderId: order.orderId, code: order.failureCode ?? 'PROVIDER_REJECTED', reason: order.failureReason ?? 'eSIM Go refused the purchase' },
            this.eventMeta(order),
          ),
        );
      }
      return 'already-failed';
    }
    return undefined;
  }

  private async republishProvisioned(order: ProviderOrder): Promise<void> {
    const esims = await this.deps.repository.installsOfOrder(order.orderId);
    await this.deps.repository.transaction((tx) =>
      enqueue(
        tx,
        EsimProvisionedV1,
        { orderId: order.orderId, providerOrderReference: order.providerReference ?? '', esims: esims.map(installOf) },
        this.eventMeta(order),
      ),
    );
    this.deps.logger.info({ orderId: order.orderId }, 'order already provisioned; esim.provisioned.v1 enqueued again');
  }

  /** Events of an order keep the correlation id of the command that started it, even from the reconcile job. */
  private eventMeta(order: ProviderOrder): { producer: string; correlationId?: string } {
    return { producer: this.deps.producer, ...(order.correlationId ? { correlationId: order.correlationId } : {}) };
  }
}

function deadlineExceeded(): PurchaseRejectedError {
  return new PurchaseRejectedError('PROVISIONING_DEADLINE_EXCEEDED', 'no eSIM within the provisioning deadline, and eSIM Go holds no order for it');
}

function installOf(e: StoredInstall | EsimInstall): {
  iccid: string;
  smdpAddress: string;
  matchingId: string;
  lpa: string;
  appleInstallUrl: string;
  expiresAt: string | null;
} {
  return {
    iccid: e.iccid,
    smdpAddress: e.smdpAddress,
    matchingId: e.matchingId,
    lpa: e.lpa,
    appleInstallUrl: e.appleInstallUrl,
    expiresAt: e.expiresAt ? e.expiresAt.toISOString() : null,
  };
}

/** The stored install data of topped-up eSIMs, their expiry moved to the new bundle's end when that is later. */
function extendedBy(stored: StoredInstall[], installs: EsimInstall[]): Array<ReturnType<typeof installOf>> {
  return stored.map((e) => {
    const added = installs.find((i) => i.iccid === e.iccid)?.expiresAt ?? null;
    const expiresAt = added && (!e.expiresAt || added.getTime() > e.expiresAt.getTime()) ? added : e.expiresAt;
    return installOf({ ...e, expiresAt });
  });
}
