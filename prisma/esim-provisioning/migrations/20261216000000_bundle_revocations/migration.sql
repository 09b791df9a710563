-- Revocation on refund: an admin refund of a COMPLETED order takes its bundles back from eSIM Go first
-- (esim.revoke-bundles.v1). The last outcome is kept on the provider order (REVOKED is final: a repeated command
-- answers it again without calling eSIM Go).
ALTER TABLE "provider_orders" ADD COLUMN "revocation_outcome" TEXT;
ALTER TABLE "provider_orders" ADD COLUMN "revocation_forced" BOOLEAN;
ALTER TABLE "provider_orders" ADD COLUMN "revocation_detail" TEXT;
ALTER TABLE "provider_orders" ADD COLUMN "revocation_decided_at" TIMESTAMPTZ(3);
ALTER TABLE "provider_orders" ADD CONSTRAINT "provider_orders_revocation_outcome_check"
  CHECK ("revocation_outcome" IS NULL OR "revocation_outcome" IN ('REVOKED', 'ALREADY_USED', 'FAILED'));

-- A bundle revoked with a refund to our eSIM Go balance (it was unused).
ALTER TABLE "esim_bundles" ADD COLUMN "refunded_to_balance" BOOLEAN NOT NULL DEFAULT false;
