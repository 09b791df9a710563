import { z } from 'zod';
import { BundleSchema, pageOf } from '../common';

/**
 * Query of `GET /api/v1/bundles`. Strict: an unknown filter is a 400, not silently ignored, so a client
 * that misspells `country` learns it at once instead of receiving the whole catalogue.
 */
export const ListBundlesQuerySchema = z.strictObject({
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code like FR')
    .transform((v) => v.toUpperCase())
    .optional(),
  region: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(512).regex(/^[A-Za-z0-9_-]+$/, 'malformed cursor').optional(),
});
export type ListBundlesQuery = z.infer<typeof ListBundlesQuerySchema>;

export const BundleNameParamsSchema = z.strictObject({
  name: z.string().min(1).max(200).regex(/^[A-Za-z0-9_.-]+$/, 'invalid bundle name'),
});

export const BundleResponseSchema = BundleSchema;
export const BundleListResponseSchema = pageOf(BundleSchema);
