/** Queue `billing.funds-commands` <- billing.reserve-funds.v1 / capture-funds.v1 / release-funds.v1 / refund-order-charge.v1 (from order). */
import { CaptureFundsV1, RefundOrderChargeV1, ReleaseFundsV1, ReserveFundsV1, type Envelope } from '@ttelgo/contracts';
import { dispatchByType, route, startConsumer, type AmqpConnection, type Consumer, type InboxStore } from '@ttelgo/messaging';
import type { Logger, ServiceMetrics } from '@ttelgo/observability';
import type { CaptureFundsUseCase } from '../../application/capture-funds.use-case';
import type { RefundOrderChargeUseCase } from '../../application/refund-order-charge.use-case';
import type { ReleaseFundsUseCase } from '../../application/release-funds.use-case';
import type { ReserveFundsUseCase } from '../../application/reserve-funds.use-case';
import type { RawTx } from '../../infrastructure/sql';
import { classifyHandlerError } from './message-errors';

export const FUNDS_COMMANDS_QUEUE = 'billing.funds-commands';

export function startFundsCommandsConsumer(
  conn: AmqpConnection,
  opts: {
    reserve: ReserveFundsUseCase;
    capture: CaptureFundsUseCase;
    release: ReleaseFundsUseCase;
    refund: RefundOrderChargeUseCase;
    inbox: InboxStore;
    /** The use cases' face of the transaction the inbox hands to the handler. */
    txOf: (raw: unknown) => RawTx;
    logger: Logger;
    metrics?: ServiceMetrics;
    retryDelaysMs?: number[];
    prefetch?: number;
  },
): Consumer {
  const run =
    <T>(execute: (tx: RawTx, data: T, meta: { messageId: string }) => Promise<unknown>) =>
    (data: T, rawTx: unknown, envelope: Envelope<T>) =>
      execute(opts.txOf(rawTx), data, { messageId: envelope.id });
  const { contracts, handle } = dispatchByType([
    route(ReserveFundsV1, run((tx, data, meta) => opts.reserve.execute(tx, data, meta))),
    route(CaptureFundsV1, run((tx, data, meta) => opts.capture.execute(tx, data, meta))),
    route(ReleaseFundsV1, run((tx, data, meta) => opts.release.execute(tx, data, meta))),
    route(RefundOrderChargeV1, run((tx, data, meta) => opts.refund.execute(tx, data, meta))),
  ]);
  return startConsumer<unknown>(conn, {
    queue: FUNDS_COMMANDS_QUEUE,
    handlerName: 'billing.funds-commands',
    contracts,
    inbox: opts.inbox,
    prefetch: opts.prefetch ?? 20,
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.retryDelaysMs ? { retryDelaysMs: opts.retryDelaysMs } : {}),
    // Runs in the inbox transaction: effects and outbox rows commit with the inbox row.
    handle: async (envelope, rawTx) => {
      try {
        await handle(envelope, rawTx);
      } catch (err) {
        throw classifyHandlerError(err);
      }
    },
  });
}
