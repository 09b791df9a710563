import { QuoteTopupV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { QuoteTopupUseCase } from '../../application/quote-topup.use-case';

/**
 * esim.quote-topup.v1 (order, before a top-up is stored): ESIM_NOT_FOUND 404, BUNDLE_NOT_FOUND 404,
 * BUNDLE_NOT_COMPATIBLE 422, PROVIDER_UNAVAILABLE 503 reach the caller through the RPC error mapping.
 */
export function registerQuoteTopupRpc(server: RpcServer, useCase: QuoteTopupUseCase): void {
  server.handle(QuoteTopupV1, (req) => useCase.execute(req));
}
