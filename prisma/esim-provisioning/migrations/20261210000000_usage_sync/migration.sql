-- The daily usage and expiry sync (entry-points/jobs/usage-sync.job.ts).

-- `expires_at` is either our estimate (provisioning time + the catalogue's duration) or the end eSIM Go reports
-- for the running bundle. eSIM Go starts a bundle at its first use, so the estimate is only a lower bound: an
-- eSIM may be ended without asking eSIM Go only when its end came from eSIM Go.
ALTER TABLE "esims" ADD COLUMN "expires_at_reported" BOOLEAN NOT NULL DEFAULT false;

-- Rows written before this column: a stored usage of a started bundle carried eSIM Go's end with it.
UPDATE "esims" SET "expires_at_reported" = true
 WHERE "usage_synced_at" IS NOT NULL AND "expires_at" IS NOT NULL AND "usage_state" IN ('Active', 'Depleted', 'Expired');

-- Unfinished eSIMs, least recently synced first (never synced before all): what the sync pulls, keyset-paged.
CREATE INDEX "esims_usage_sync_due_idx" ON "esims" ("usage_synced_at" ASC NULLS FIRST, "iccid")
 WHERE "usage_state" NOT IN ('Expired', 'Revoked', 'Lapsed');

-- Unfinished eSIMs whose reported end may have passed: ended by the sync without a call.
CREATE INDEX "esims_reported_expiry_idx" ON "esims" ("expires_at")
 WHERE "expires_at_reported" AND "usage_state" NOT IN ('Expired', 'Revoked', 'Lapsed');
