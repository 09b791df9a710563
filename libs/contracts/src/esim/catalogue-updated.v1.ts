import { z } from 'zod';
import { defineEvent } from '../define';

/** esim-provisioning refreshed its copy of eSIM Go's catalogue and something changed. */
export const CatalogueUpdatedV1 = defineEvent(
  'esim.catalogue-updated.v1',
  z.object({
    syncedAt: z.iso.datetime({ offset: true }),
    /** Content hash of the whole catalogue after the sync; caches keyed on it never serve stale data. */
    revision: z.string().min(1),
    bundleCount: z.number().int().min(0),
    added: z.number().int().min(0),
    changed: z.number().int().min(0),
    removed: z.number().int().min(0),
  }),
);
