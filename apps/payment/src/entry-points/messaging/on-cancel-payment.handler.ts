import type { z } from 'zod';
import type { CancelPaymentV1, Envelope } from '@ttelgo/contracts';
import type { CancelPaymentUseCase } from '../../application/cancel-payment.use-case';
import type { Tx } from '../../infrastructure/payment.repository';
import { toMessagingError } from './message-errors';

export type CancelPaymentCommand = z.infer<typeof CancelPaymentV1.schema>;

/** payment.cancel-payment.v1 (from order, for an unpaid order that expired), inside the inbox transaction of `payment.commands`. */
export function onCancelPayment(useCase: CancelPaymentUseCase) {
  return async (envelope: Envelope<CancelPaymentCommand>, tx: unknown): Promise<void> => {
    try {
      await useCase.execute(envelope.data, tx as Tx);
    } catch (err) {
      throw toMessagingError(err);
    }
  };
}
