import { z } from 'zod';
import { MoneySchema, OwnerSchema } from '../common';
import { defineRpc } from '../define';

/** At most this many eSIMs in one quote (and in one order). */
export const MAX_ESIMS_PER_ORDER = 50;

const QuoteItemRequestSchema = z.object({
  bundleName: z.string().min(1).max(200),
  quantity: z.number().int().min(1).max(MAX_ESIMS_PER_ORDER),
});

/** A priced line of a quote: the unit price at the reseller's terms and the line total, minor units. */
export const QuoteItemSchema = QuoteItemRequestSchema.extend({ unitPrice: MoneySchema, total: MoneySchema });

/** A quote as the order service keeps it: prices fixed at creation, valid until `expiresAt`. */
export const QuoteViewSchema = z.object({
  id: z.uuid(),
  owner: OwnerSchema,
  items: z.array(QuoteItemSchema).min(1),
  total: MoneySchema,
  createdAt: z.iso.datetime({ offset: true }),
  expiresAt: z.iso.datetime({ offset: true }),
});
export type QuoteView = z.infer<typeof QuoteViewSchema>;

/**
 * Gateway -> order: price a basket at the owner's terms (a vendor's markup) without charging anything, and keep it
 * for the quote's validity. BUNDLE_NOT_FOUND 404, VENDOR_NOT_FOUND 404, ORDER_TOO_LARGE 422 (more than 50 eSIMs),
 * CATALOGUE_UNAVAILABLE / BILLING_UNAVAILABLE 503.
 */
export const CreateQuoteV1 = defineRpc(
  'order.create-quote.v1',
  z.object({ owner: OwnerSchema, items: z.array(QuoteItemRequestSchema).min(1).max(MAX_ESIMS_PER_ORDER) }),
  QuoteViewSchema,
);

/** Gateway -> order: one quote of an owner (also once expired); another owner's quote is QUOTE_NOT_FOUND (404). */
export const GetQuoteV1 = defineRpc('order.get-quote.v1', z.object({ owner: OwnerSchema, quoteId: z.uuid() }), QuoteViewSchema);
