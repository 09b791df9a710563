import { BundleListResponseSchema, ListBundlesV1, type ListBundlesQuery } from '@ttelgo/contracts';
import type { z } from 'zod';
import type { ServiceCaller } from '../rpc/service.caller';
import { toPublic } from './public-response';

export type BundleListResponse = z.infer<typeof BundleListResponseSchema>;

/** One page of the public catalogue, from esim-provisioning. */
export async function listBundles(esim: ServiceCaller, query: ListBundlesQuery): Promise<BundleListResponse> {
  const page = await esim.call(ListBundlesV1, {
    limit: query.limit,
    ...(query.country !== undefined ? { country: query.country } : {}),
    ...(query.region !== undefined ? { region: query.region } : {}),
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
  });
  return toPublic(BundleListResponseSchema, page);
}
