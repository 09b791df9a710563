/** Queue `billing.funds-commands` <- billing.reserve-funds.v1 / capture-funds.v1 / release-funds.v1 / refund-order-charge.v1 (from order). */
import { CaptureFundsV1, RefundOrderChargeV1, ReleaseFundsV1, ReserveFundsV1, type DataOf, type Envelope } from '@ttelgo/contracts';
import { startConsumer, type AmqpConnection, type Consumer, type InboxStore } from '@ttelgo/messaging';
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
  return startConsumer<unknown>(conn, {
    queue: FUNDS_COMMANDS_QUEUE,
    handlerName: 'billing.funds-commands',
    contracts: [ReserveFundsV1, CaptureFundsV1, ReleaseFundsV1, RefundOrderChargeV1],
    inbox: opts.inbox,
    prefetch: opts.prefetch ?? 20,
    logger: opts.logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.retryDelaysMs ? { retryDelaysMs: opts.retryDelaysMs } : {}),
    handle: async (envelope: Envelope<unknown>, rawTx: unknown) => {
      // The inbox transaction: effects and outbox rows commit with the inbox row.
      const tx = opts.txOf(rawTx);
      const meta = { messageId: envelope.id };
      try {
        // The consumer parsed the data with the contract named by envelope.type, so each cast is exact.
        switch (envelope.type) {
          case ReserveFundsV1.name:
            await opts.reserve.execute(tx, envelope.data as DataOf<typeof ReserveFundsV1>, meta);
            return;
          case CaptureFundsV1.name:
            await opts.capture.execute(tx, envelope.data as DataOf<typeof CaptureFundsV1>, meta);
            return;
          case ReleaseFundsV1.name:
            await opts.release.execute(tx, envelope.data as DataOf<typeof ReleaseFundsV1>, meta);
            return;
          case RefundOrderChargeV1.name:
            await opts.refund.execute(tx, envelope.data as DataOf<typeof RefundOrderChargeV1>, meta);
            return;
          default:
            throw new Error(`no handler for ${envelope.type}`);
        }
      } catch (err) {
        throw classifyHandlerError(err);
      }
    },
  });
}
