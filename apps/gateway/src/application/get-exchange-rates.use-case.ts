import { ExchangeRatesResponseSchema, GetExchangeRatesV1, type ExchangeRates } from '@ttelgo/contracts';
import type { ServiceCaller } from '../rpc/service.caller';
import { toPublic } from './public-response';

/** The dated exchange-rate table the catalogue's recommended retail prices are converted with. */
export async function getExchangeRates(esim: ServiceCaller): Promise<ExchangeRates> {
  return toPublic(ExchangeRatesResponseSchema, await esim.call(GetExchangeRatesV1, {}));
}
