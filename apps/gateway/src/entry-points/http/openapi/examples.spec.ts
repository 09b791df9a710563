import { BundleListResponseSchema, BundleResponseSchema, ExchangeRatesResponseSchema, VendorOrderResponseSchema, VendorQuoteRequestSchema, VendorQuoteResponseSchema } from '@ttelgo/contracts';
import { BUNDLE_EXAMPLE, EXCHANGE_RATES_EXAMPLE } from './bundles.openapi';
import { CANCELLED_ORDER_EXAMPLE } from './vendor-cancellations.openapi';
import { QUOTE_EXAMPLE, QUOTE_REQUEST_EXAMPLE } from './vendor-quotes.openapi';

/** The examples in the OpenAPI document are what a client would receive: each one passes its own response schema. */
describe('OpenAPI examples', () => {
  it.each([
    ['Bundle', BundleResponseSchema, BUNDLE_EXAMPLE],
    ['BundleList', BundleListResponseSchema, { data: [BUNDLE_EXAMPLE], nextCursor: null }],
    ['ExchangeRates', ExchangeRatesResponseSchema, EXCHANGE_RATES_EXAMPLE],
    ['VendorQuoteRequest', VendorQuoteRequestSchema, QUOTE_REQUEST_EXAMPLE],
    ['VendorQuote', VendorQuoteResponseSchema, QUOTE_EXAMPLE],
    ['VendorOrder (cancelled)', VendorOrderResponseSchema, CANCELLED_ORDER_EXAMPLE],
  ] as const)('%s example is valid', (_name, schema, example) => {
    expect(schema.safeParse(example).error).toBeUndefined();
  });
});
