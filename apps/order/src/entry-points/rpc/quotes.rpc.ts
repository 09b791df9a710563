import { CreateQuoteV1, GetQuoteV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { QuotesUseCase } from '../../application/quotes.use-case';

/** order.create-quote.v1 and order.get-quote.v1; coded errors reach the gateway as they are. */
export function registerQuoteRpcs(server: RpcServer, useCase: QuotesUseCase): void {
  server.handle(CreateQuoteV1, (req) => useCase.create(req.owner, req.items));
  server.handle(GetQuoteV1, (req) => useCase.get(req.owner, req.quoteId));
}
