import { BundleResponseSchema, GetBundleV1 } from '@ttelgo/contracts';
import type { z } from 'zod';
import type { ServiceCaller } from '../rpc/service.caller';
import { toPublic } from './public-response';

export type BundleResponse = z.infer<typeof BundleResponseSchema>;

/** One bundle by name; an unknown name comes back from esim-provisioning as BUNDLE_NOT_FOUND (404). */
export async function getBundle(esim: ServiceCaller, name: string): Promise<BundleResponse> {
  const { bundle } = await esim.call(GetBundleV1, { name });
  return toPublic(BundleResponseSchema, bundle);
}
