-- The eSIM after the sale: top-ups (several bundles on one eSIM), usage and state per bundle, activation, and
-- the usage/expiry notices sent once per bundle.

-- A provider order buys new eSIMs (NEW) or applies one bundle to an eSIM we already hold (TOPUP).
ALTER TABLE "provider_orders" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'NEW';
ALTER TABLE "provider_orders" ADD COLUMN "iccid" TEXT;
ALTER TABLE "provider_orders" ADD CONSTRAINT "provider_orders_kind_check" CHECK ("kind" IN ('NEW', 'TOPUP'));
ALTER TABLE "provider_orders" ADD CONSTRAINT "provider_orders_topup_check"
  CHECK ((("kind" = 'TOPUP') = ("iccid" IS NOT NULL)) AND ("kind" = 'NEW' OR "quantity" = 1));

-- One row per bundle assignment on one of our eSIMs: the bundle it was bought with (NEW, one per eSIM of the
-- order) and every top-up (TOPUP). Usage, end and state live here now; a top-up is a new row, with its own
-- figures and its own notices.
CREATE TABLE "esim_bundles" (
    "id" UUID NOT NULL,
    "iccid" TEXT NOT NULL,
    "order_id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "bundle_name" TEXT NOT NULL,
    "assignment_id" TEXT,
    "provider_state" TEXT NOT NULL DEFAULT 'UNKNOWN',
    "state" TEXT NOT NULL DEFAULT 'QUEUED',
    "initial_bytes" BIGINT,
    "remaining_bytes" BIGINT,
    "unlimited" BOOLEAN NOT NULL DEFAULT false,
    "starts_at" TIMESTAMPTZ(3),
    "ends_at" TIMESTAMPTZ(3),
    "ends_at_reported" BOOLEAN NOT NULL DEFAULT false,
    "usage_synced_at" TIMESTAMPTZ(3),
    "assigned_at" TIMESTAMPTZ(3) NOT NULL,
    "revoked_at" TIMESTAMPTZ(3),

    CONSTRAINT "esim_bundles_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "esim_bundles_kind_check" CHECK ("kind" IN ('NEW', 'TOPUP')),
    CONSTRAINT "esim_bundles_state_check" CHECK ("state" IN ('QUEUED', 'ACTIVE', 'DEPLETED', 'EXPIRED', 'REVOKED')),
    CONSTRAINT "esim_bundles_bytes_check" CHECK ("initial_bytes" IS NULL OR "initial_bytes" >= 0),
    CONSTRAINT "esim_bundles_remaining_check" CHECK ("remaining_bytes" IS NULL OR "remaining_bytes" >= 0)
);
CREATE UNIQUE INDEX "esim_bundles_order_id_iccid_key" ON "esim_bundles"("order_id", "iccid");
CREATE INDEX "esim_bundles_iccid_assigned_at_idx" ON "esim_bundles"("iccid", "assigned_at");
ALTER TABLE "esim_bundles" ADD CONSTRAINT "esim_bundles_iccid_fkey" FOREIGN KEY ("iccid") REFERENCES "esims"("iccid") ON DELETE RESTRICT ON UPDATE RESTRICT;
ALTER TABLE "esim_bundles" ADD CONSTRAINT "esim_bundles_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "provider_orders"("order_id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- Unfinished bundles, least recently synced first (never synced before all): what the usage sync pulls.
CREATE INDEX "esim_bundles_usage_sync_due_idx" ON "esim_bundles" ("usage_synced_at" ASC NULLS FIRST, "id")
 WHERE "state" NOT IN ('EXPIRED', 'REVOKED');
-- Unfinished bundles whose reported end may be near or passed: expiring/expired without a call.
CREATE INDEX "esim_bundles_reported_end_idx" ON "esim_bundles" ("ends_at")
 WHERE "ends_at_reported" AND "state" NOT IN ('EXPIRED', 'REVOKED');

-- A notice (USAGE_<percent>, EXPIRING, EXPIRED) sent about one bundle: the key makes each one happen once.
CREATE TABLE "esim_bundle_notices" (
    "bundle_id" UUID NOT NULL,
    "notice" TEXT NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "esim_bundle_notices_pkey" PRIMARY KEY ("bundle_id", "notice")
);
ALTER TABLE "esim_bundle_notices" ADD CONSTRAINT "esim_bundle_notices_bundle_id_fkey" FOREIGN KEY ("bundle_id") REFERENCES "esim_bundles"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- The eSIM's state from its bundles (ACTIVE, else QUEUED, DEPLETED, EXPIRED, REVOKED), kept in the transaction
-- of every bundle change so lists can filter on it; and its activation (first attach, or first use seen).
ALTER TABLE "esims" ADD COLUMN "state" TEXT NOT NULL DEFAULT 'QUEUED';
ALTER TABLE "esims" ADD COLUMN "activated_at" TIMESTAMPTZ(3);
ALTER TABLE "esims" ADD CONSTRAINT "esims_state_check" CHECK ("state" IN ('QUEUED', 'ACTIVE', 'DEPLETED', 'EXPIRED', 'REVOKED'));

-- Every existing eSIM carries the one bundle of its order: its usage columns become that bundle's row.
INSERT INTO "esim_bundles" ("id", "iccid", "order_id", "kind", "bundle_name", "provider_state", "state", "initial_bytes",
    "remaining_bytes", "unlimited", "ends_at", "ends_at_reported", "usage_synced_at", "assigned_at")
SELECT gen_random_uuid(), e."iccid", e."order_id", 'NEW', e."bundle_name", e."usage_state",
       CASE WHEN e."usage_state" = 'Active' THEN 'ACTIVE'
            WHEN e."usage_state" = 'Depleted' THEN 'DEPLETED'
            WHEN e."usage_state" IN ('Expired', 'Lapsed') THEN 'EXPIRED'
            WHEN e."usage_state" = 'Revoked' THEN 'REVOKED'
            ELSE 'QUEUED' END,
       e."initial_bytes", e."remaining_bytes", COALESCE(c."unlimited", false), e."expires_at", e."expires_at_reported",
       e."usage_synced_at", e."created_at"
  FROM "esims" e LEFT JOIN "catalogue_bundle" c ON c."name" = e."bundle_name";
UPDATE "esims" e SET "state" = b."state" FROM "esim_bundles" b WHERE b."iccid" = e."iccid";
-- Used before activation was recorded: the first observation of that use is the best time we have.
UPDATE "esims" SET "activated_at" = COALESCE("usage_synced_at", "created_at")
 WHERE "usage_state" IN ('Active', 'Depleted', 'Expired');

-- What those eSIMs already went through is history, not news: no notice about it after this upgrade (for the
-- default thresholds, 80 and 100 %).
INSERT INTO "esim_bundle_notices" ("bundle_id", "notice", "sent_at")
SELECT b."id", 'USAGE_' || t.percent, now()
  FROM "esim_bundles" b CROSS JOIN (VALUES (80), (100)) AS t(percent)
 WHERE NOT b."unlimited" AND b."initial_bytes" > 0 AND b."remaining_bytes" IS NOT NULL
   AND (b."initial_bytes" - b."remaining_bytes") * 100 >= t.percent * b."initial_bytes";
INSERT INTO "esim_bundle_notices" ("bundle_id", "notice", "sent_at")
SELECT "id", 'EXPIRED', now() FROM "esim_bundles" WHERE "state" = 'EXPIRED';

DROP INDEX "esims_usage_sync_due_idx";
DROP INDEX "esims_reported_expiry_idx";
ALTER TABLE "esims" DROP COLUMN "expires_at";
ALTER TABLE "esims" DROP COLUMN "expires_at_reported";
ALTER TABLE "esims" DROP COLUMN "initial_bytes";
ALTER TABLE "esims" DROP COLUMN "remaining_bytes";
ALTER TABLE "esims" DROP COLUMN "usage_state";
ALTER TABLE "esims" DROP COLUMN "usage_synced_at";

-- An owner's eSIMs in one state, newest first (GET /vendor/esims?status=).
CREATE INDEX "esims_owner_type_owner_id_state_created_at_iccid_idx" ON "esims"("owner_type", "owner_id", "state", "created_at" DESC, "iccid" DESC);
