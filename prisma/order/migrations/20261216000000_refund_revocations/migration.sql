-- An admin refund of a COMPLETED order takes its bundles back from eSIM Go first (esim.revoke-bundles.v1):
-- PENDING until esim-provisioning answers, then REVOKED, ALREADY_USED or FAILED; `forced` when the admin asked to
-- refund even a used bundle. Orders refunded before this have no revocation (NULL).
ALTER TABLE "orders" ADD COLUMN "revocation_status" TEXT;
ALTER TABLE "orders" ADD COLUMN "revocation_forced" BOOLEAN;
ALTER TABLE "orders" ADD COLUMN "revocation_requested_at" TIMESTAMPTZ(3);
ALTER TABLE "orders" ADD COLUMN "revocation_decided_at" TIMESTAMPTZ(3);
ALTER TABLE "orders" ADD CONSTRAINT "orders_revocation_status_check"
  CHECK ("revocation_status" IS NULL OR "revocation_status" IN ('PENDING', 'REVOKED', 'ALREADY_USED', 'FAILED'));
