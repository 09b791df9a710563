import { GetExchangeRatesV1, type ExchangeRates } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import { rateText, type ExchangeRateTable } from '../../domain/exchange-rates';

/** esim.get-exchange-rates.v1: the configured table, rates back as decimal text. */
export function registerExchangeRatesRpc(server: RpcServer, table: ExchangeRateTable): void {
  const answer: ExchangeRates = {
    base: table.base,
    asOf: table.asOf,
    source: table.source,
    rates: table.rates.map((r) => ({ currency: r.currency, rate: rateText(r.millionths) })),
  };
  server.handle(GetExchangeRatesV1, () => Promise.resolve(answer));
}
