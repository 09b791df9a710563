import { randomUUID } from 'node:crypto';
import type { CreateTopupV1, DataOf } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import { requestKeyReused, topupNotAvailable, vendorNotFound } from '../domain/billing.errors';
import type { Topup, TopupRepository } from '../infrastructure/topup.repository';
import type { VendorRepository } from '../infrastructure/vendor.repository';
import type { Clock, PaymentIntent, PaymentIntentsPort } from './ports';

type TopupResponse = ReturnType<typeof CreateTopupV1.responseSchema.parse>;

/**
 * billing.create-topup.v1 (PREPAID only). The top-up row commits first (idempotent per vendor and request
 * key), then payment creates the PaymentIntent keyed on the top-up id; a retry with the same request key finds
 * the row and asks payment again, which returns the same intent. The wallet is credited later, on
 * payment.succeeded (OnPaymentSucceededUseCase).
 */
export class CreateTopupUseCase {
  constructor(private readonly deps: { vendors: VendorRepository; topups: TopupRepository; payments: PaymentIntentsPort; clock: Clock; logger: Logger }) {}

  async execute(req: DataOf<typeof CreateTopupV1>): Promise<TopupResponse> {
    const { topups } = this.deps;
    const vendor = await this.deps.vendors.findById(req.vendorId);
    if (!vendor) throw vendorNotFound(req.vendorId);
    if (vendor.billingMode !== 'PREPAID') throw topupNotAvailable();

    let topup = await topups.findByRequestKey(vendor.id, req.requestKey);
    if (!topup) {
      const fresh: Topup = {
        id: randomUUID(),
        vendorId: vendor.id,
        amount: req.amount,
        currency: vendor.currency,
        status: 'AWAITING_PAYMENT',
        paymentIntentId: null,
        clientSecret: null,
        publishableKey: null,
        requestKey: req.requestKey,
        createdAt: this.deps.clock(),
      };
      topup = (await topups.insertIfAbsent(fresh)) ? fresh : await topups.findByRequestKey(vendor.id, req.requestKey);
      if (!topup) throw new Error('top-up vanished after a conflicting insert');
    }
    if (topup.amount !== req.amount) throw requestKeyReused('top-up');

    let intent: PaymentIntent;
    if (topup.paymentIntentId && topup.clientSecret && topup.publishableKey) {
      intent = { paymentIntentId: topup.paymentIntentId, clientSecret: topup.clientSecret, publishableKey: topup.publishableKey };
    } else {
      intent = await this.deps.payments.createTopupIntent({
        topupId: topup.id,
        amount: { amount: topup.amount, currency: topup.currency },
        email: vendor.email,
        description: `TtelGo wallet top-up for ${vendor.name}`,
      });
      await topups.attachIntent(topup.id, intent, this.deps.clock());
    }
    return { topupId: topup.id, amount: { amount: topup.amount, currency: topup.currency }, status: topup.status, payment: intent };
  }
}
