import { z } from 'zod';
import { MoneySchema } from '../common';
import { MAX_ESIMS_PER_ORDER } from '../order/quotes.v1';

const bundleName = z.string().min(1).max(200).regex(/^[A-Za-z0-9_.-]+$/, 'invalid bundle name');

/** One line of a basket: a bundle and how many eSIMs of it. */
export const VendorBasketItemSchema = z.strictObject({
  bundleName,
  quantity: z.number().int().min(1).max(MAX_ESIMS_PER_ORDER),
});

/** Up to 50 eSIMs in all, each bundle on one line only. */
export const VendorBasketSchema = z
  .array(VendorBasketItemSchema)
  .min(1)
  .max(MAX_ESIMS_PER_ORDER)
  .superRefine((items, ctx) => {
    const total = items.reduce((sum, i) => sum + i.quantity, 0);
    if (total > MAX_ESIMS_PER_ORDER) ctx.addIssue({ code: 'custom', message: `at most ${MAX_ESIMS_PER_ORDER} eSIMs in all, got ${total}` });
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(item.bundleName)) ctx.addIssue({ code: 'custom', path: [i, 'bundleName'], message: 'each bundle on one line only' });
      seen.add(item.bundleName);
    });
  });

/** Body of `POST /api/v1/vendor/quotes`. */
export const VendorQuoteRequestSchema = z.strictObject({ items: VendorBasketSchema });
export type VendorQuoteRequest = z.infer<typeof VendorQuoteRequestSchema>;

export const VendorQuoteResponseSchema = z.object({
  id: z.uuid(),
  items: z.array(z.object({ bundleName: z.string(), quantity: z.number().int().min(1), unitPrice: MoneySchema, total: MoneySchema })),
  total: MoneySchema,
  createdAt: z.iso.datetime({ offset: true }),
  /** 10 minutes after `createdAt`. */
  expiresAt: z.iso.datetime({ offset: true }),
  /** False once `expiresAt` has passed. */
  valid: z.boolean(),
});
export type VendorQuoteResponse = z.infer<typeof VendorQuoteResponseSchema>;

export const QuoteIdParamsSchema = z.strictObject({ id: z.uuid() });
