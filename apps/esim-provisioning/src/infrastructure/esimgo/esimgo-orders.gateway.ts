/**
 * Buying at eSIM Go and reading back what was bought (ProvisioningProvider). Translates HTTP outcomes into
 * the provider-neutral errors of the application port:
 *
 *   POST /orders   400/422            -> PurchaseRejectedError (permanent; code from the message)
 *                  403 about the account ("no bundles left", balance) -> PurchaseRejectedError
 *                  any other 403 (key, configuration) -> ProviderAuthorisationError (answered: nothing bought)
 *                  no answer, or a 2xx we cannot read -> PurchaseOutcomeUnknownError (reconcile first)
 *                  429, 5xx, other 4xx, breaker open -> ProviderTemporaryError (the order stays REQUESTED
 *                  with attempts > 0, so the retry reconciles first anyway: a 5xx may still have bought)
 *   GETs           retried by the client for transient failures (Retry-After honoured), then
 *                  ProviderTemporaryError; a 403 on GET /orders is a ProviderAuthorisationError
 *
 * Finding the order of an earlier attempt (reconciliation): eSIM Go keeps no reference of ours, so its orders
 * are candidates when created since `notBefore` with exactly one bundle line of the same item and quantity.
 * The list is read strictly (an answer we cannot read is a ProviderContractError, never "no orders") in pages of
 * at most 50, up to pageCount or an empty page.
 */
import type { Logger } from '@ttelgo/observability';
import { ESIMGO_MAX_PAGE_SIZE, esimGoOrderCreatedAt } from '@ttelgo/contracts';
import {
  ProviderAuthorisationError,
  ProviderContractError,
  ProviderTemporaryError,
  PurchaseOutcomeUnknownError,
  PurchaseRejectedError,
  type FoundProviderOrder,
  type ProviderAssignment,
  type ProvisioningProvider,
} from '../../application/provisioning-provider.port';
import type { EsimInstallData } from '../../domain/esim-install';
import { failureCodeOf, forbiddenKindOf } from '../../domain/provisioning-failure';
import type { EsimGoClient } from './esimgo.client';
import { EsimGoAssignmentsDto, EsimGoCompatibilityDto, EsimGoEsimBundlesDto, EsimGoOrderDto, EsimGoOrderListDto } from './esimgo.dto';
import { EsimGoHttpError, EsimGoNetworkError, EsimGoResponseError, EsimGoUnknownOutcomeError, ProviderUnavailableError } from './esimgo.errors';

export interface EsimGoOrdersGatewayOptions {
  logger: Logger;
  /** Also send our order id as `clientReference` (undocumented; only the simulator records it, for drills). Default false. */
  sendClientReference?: boolean;
  /** Page size of GET /orders during reconciliation (at most 50), and how many pages at most. */
  lookupPageSize?: number;
  lookupMaxPages?: number;
}

const PERMANENT_PURCHASE_STATUSES = new Set([400, 422]);

function reasonOf(err: EsimGoHttpError): string {
  return err.message.replace(/^eSIM Go answered \d+: /, '');
}

/** Anything from a GET that is not a readable answer: try again later. An unreadable 2xx is a contract error. */
function temporary(operation: string, err: unknown): Error {
  if (err instanceof EsimGoResponseError) return new ProviderContractError(`${operation}: ${err.message}`, { cause: err });
  if (
    err instanceof ProviderUnavailableError ||
    err instanceof EsimGoHttpError ||
    err instanceof EsimGoResponseError ||
    err instanceof EsimGoNetworkError
  ) {
    return new ProviderTemporaryError(`${operation}: ${(err as Error).message}`, { cause: err });
  }
  return err as Error;
}

export class EsimGoOrdersGateway implements ProvisioningProvider {
  private readonly log: Logger;
  private readonly sendClientReference: boolean;
  private readonly pageSize: number;
  private readonly maxPages: number;

  constructor(
    private readonly client: EsimGoClient,
    opts: EsimGoOrdersGatewayOptions,
  ) {
    this.log = opts.logger.child({ component: 'esimgo-orders' });
    this.sendClientReference = opts.sendClientReference ?? false;
    this.pageSize = Math.min(opts.lookupPageSize ?? ESIMGO_MAX_PAGE_SIZE, ESIMGO_MAX_PAGE_SIZE);
    this.maxPages = opts.lookupMaxPages ?? 40;
  }

  async purchase(q: { orderId: string; bundleName: string; quantity: number; iccid?: string | null }): Promise<{ reference: string }> {
    // A top-up names the existing eSIM (eSIM Go v2.4: an order line with `iccids`, quantity = their number);
    // allowReassign false, so an incompatible bundle is refused instead of landing on a new eSIM we did not sell.
    const line = q.iccid
      ? { type: 'bundle', item: q.bundleName, quantity: 1, iccids: [q.iccid], allowReassign: false }
      : { type: 'bundle', item: q.bundleName, quantity: q.quantity, allowReassign: false };
    const body = {
      type: 'transaction',
      assign: true,
      order: [line],
      ...(this.sendClientReference ? { clientReference: q.orderId } : {}),
    };
    let answer: EsimGoOrderDto;
    try {
      answer = await this.client.postOnce('orders.create', '/orders', body, EsimGoOrderDto);
    } catch (err) {
      if (err instanceof EsimGoUnknownOutcomeError) throw new PurchaseOutcomeUnknownError(err.message, { cause: err });
      // 2xx without an order reference we can read: it most likely bought; only reconciliation can tell.
      if (err instanceof EsimGoResponseError) throw new PurchaseOutcomeUnknownError(err.message, { cause: err });
      if (err instanceof EsimGoHttpError && PERMANENT_PURCHASE_STATUSES.has(err.status)) {
        const reason = reasonOf(err);
        throw new PurchaseRejectedError(failureCodeOf(reason), reason);
      }
      if (err instanceof EsimGoHttpError && err.status === 403) {
        const reason = reasonOf(err);
        const forbidden = forbiddenKindOf(reason);
        if (forbidden.kind === 'account') throw new PurchaseRejectedError(forbidden.code, reason);
        throw new ProviderAuthorisationError(`orders.create: eSIM Go refused our credentials: ${reason}`, { cause: err });
      }
      if (err instanceof EsimGoHttpError && !err.transient && err.status < 500) {
        // 401/403/404...: our configuration (key, base URL), not the order. Keep it for when that is fixed.
        this.log.error({ err, orderId: q.orderId }, 'eSIM Go refused our purchase request for a reason that is not the order; check the configuration');
      }
      throw temporary('orders.create', err);
    }
    const status = answer.status?.toLowerCase();
    if (status && status !== 'completed' && status !== 'success') {
      this.log.warn({ orderId: q.orderId, providerReference: answer.orderReference, status: answer.status }, 'eSIM Go order status is not completed');
    }
    return { reference: answer.orderReference };
  }

  async findOrders(q: { orderId: string; bundleName: string; quantity: number; notBefore: Date }): Promise<FoundProviderOrder[]> {
    const found: FoundProviderOrder[] = [];
    const notBefore = q.notBefore.getTime();
    for (let page = 1; page <= this.maxPages; page++) {
      let answer;
      try {
        answer = await this.client.get(
          'orders.list',
          '/orders',
          { includeIccids: 'true', page, limit: this.pageSize, createdAt: [`gte:${q.notBefore.toISOString()}`] },
          EsimGoOrderListDto,
        );
      } catch (err) {
        if (err instanceof EsimGoHttpError && err.status === 403) {
          throw new ProviderAuthorisationError(`orders.list: eSIM Go refused our credentials: ${reasonOf(err)}`, { cause: err });
        }
        throw temporary('orders.list', err);
      }
      // Every item was read strictly with the list (an order we cannot read fails the lookup, it is not skipped).
      const orders = Array.isArray(answer) ? answer : 'orders' in answer ? answer.orders : [answer];
      for (const order of orders) {
        const match = this.match(order, q, notBefore);
        if (match) found.push(match);
      }
      // The end is pageCount, or an empty page; a page shorter than asked is not the end (eSIM Go may serve less).
      if (!Array.isArray(answer) && !('orders' in answer)) return found; // one order object: the whole list
      const pageCount = Array.isArray(answer) ? undefined : answer.pageCount;
      if (orders.length === 0 || (typeof pageCount === 'number' && page >= pageCount)) return found;
    }
    // Too many orders in the window to see them all: better not to decide than to buy twice.
    throw new ProviderTemporaryError(`orders.list: more than ${this.maxPages * this.pageSize} eSIM Go orders since ${q.notBefore.toISOString()}`);
  }

  private match(order: EsimGoOrderDto, q: { bundleName: string; quantity: number }, notBefore: number): FoundProviderOrder | undefined {
    const createdMs = esimGoOrderCreatedAt(order).getTime();
    const lines = order.order.filter((l) => l.type === 'bundle');
    const sameContent = lines.length === 1 && order.order.length === 1 && lines[0]!.item === q.bundleName && lines[0]!.quantity === q.quantity;
    if (!sameContent || createdMs < notBefore) return undefined;
    return { reference: order.orderReference, createdAt: new Date(createdMs), exact: false, iccids: iccidsOf(order) };
  }

  async installData(reference: string): Promise<EsimInstallData[]> {
    let answer;
    try {
      answer = await this.client.get('esims.assignments', '/esims/assignments', { reference, additionalFields: 'appleInstallUrl' }, EsimGoAssignmentsDto);
    } catch (err) {
      throw temporary('esims.assignments', err);
    }
    const list = Array.isArray(answer) ? answer : [answer];
    const byIccid = new Map<string, EsimInstallData>();
    for (const a of list) byIccid.set(a.iccid, { iccid: a.iccid, smdpAddress: a.smdpAddress, matchingId: a.matchingId });
    return [...byIccid.values()];
  }

  async bundles(iccid: string): Promise<ProviderAssignment[]> {
    let answer;
    try {
      answer = await this.client.get('esims.bundles', `/esims/${encodeURIComponent(iccid)}/bundles`, { includeUsed: 'true', limit: 200 }, EsimGoEsimBundlesDto);
    } catch (err) {
      throw temporary('esims.bundles', err);
    }
    const bytes = (n: number | null | undefined): number | null => (typeof n === 'number' && Number.isFinite(n) && n >= 0 ? Math.round(n) : null);
    const time = (t: string | null | undefined): Date | null => {
      const ms = t ? Date.parse(t) : Number.NaN;
      return Number.isNaN(ms) ? null : new Date(ms);
    };
    return (answer.bundles ?? []).flatMap((b) =>
      (b.assignments ?? []).map((a) => ({
        bundleName: b.name,
        assignmentId: a.id === undefined || a.id === null ? null : String(a.id),
        reference: a.assignmentReference ?? null,
        initialBytes: bytes(a.initialQuantity),
        remainingBytes: bytes(a.remainingQuantity),
        state: a.bundleState ?? a.bundleStatus ?? 'UNKNOWN',
        unlimited: a.unlimited ?? null,
        // Not in the documented answer (callbacks carry them); read when an answer has them anyway.
        startsAt: 'startTime' in a ? time(a.startTime as string | null | undefined) : null,
        endsAt: 'endTime' in a ? time(a.endTime as string | null | undefined) : null,
      })),
    );
  }

  /**
   * GET /esims/{iccid}/compatible/{bundle}. A 4xx (eSIM Go does not hold that eSIM for us any more, or refuses the
   * question) means the bundle cannot be applied to it: false, logged. Anything transient: ProviderTemporaryError.
   */
  async compatible(iccid: string, bundleName: string): Promise<boolean> {
    try {
      const answer = await this.client.get(
        'esims.compatible',
        `/esims/${encodeURIComponent(iccid)}/compatible/${encodeURIComponent(bundleName)}`,
        {},
        EsimGoCompatibilityDto,
      );
      return answer.compatible;
    } catch (err) {
      if (err instanceof EsimGoHttpError && !err.transient && err.status >= 400 && err.status < 500) {
        this.log.warn({ err, iccid, bundleName }, 'eSIM Go refused the compatibility check: the bundle cannot be applied to this eSIM');
        return false;
      }
      throw temporary('esims.compatible', err);
    }
  }
}

function iccidsOf(order: EsimGoOrderDto): string[] {
  return order.order.flatMap((l) => l.iccids ?? l.esims?.map((e) => e.iccid) ?? []);
}
