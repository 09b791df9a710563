import type { z } from 'zod';
import type { RefundPaymentV1, Envelope } from '@ttelgo/contracts';
import type { RefundPaymentUseCase } from '../../application/refund-payment.use-case';
import type { Tx } from '../../infrastructure/payment.repository';
import { toMessagingError } from './message-errors';

export type RefundPaymentCommand = z.infer<typeof RefundPaymentV1.schema>;

/** payment.refund-payment.v1 (from order), inside the inbox transaction of `payment.commands`. */
export function onRefundPayment(useCase: RefundPaymentUseCase) {
  return async (envelope: Envelope<RefundPaymentCommand>, tx: unknown): Promise<void> => {
    try {
      await useCase.execute(envelope.data, tx as Tx);
    } catch (err) {
      throw toMessagingError(err);
    }
  };
}
