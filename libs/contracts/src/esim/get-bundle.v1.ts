import { z } from 'zod';
import { BundleSchema } from '../common';
import { defineRpc } from '../define';

/** Gateway -> esim-provisioning: one bundle by its eSIM Go name (case-sensitive). Unknown: BUNDLE_NOT_FOUND (404). */
export const GetBundleV1 = defineRpc(
  'esim.get-bundle.v1',
  z.object({ name: z.string().min(1).max(200) }),
  z.object({ bundle: BundleSchema }),
);
