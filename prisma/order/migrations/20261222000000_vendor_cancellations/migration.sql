-- Self-service cancellation of an unused vendor order: when the reseller asked. The order's bundles are revoked at
-- eSIM Go (the revocation columns), its charge given back, and the order ends CANCELLED instead of REFUNDED.
ALTER TABLE "orders" ADD COLUMN "cancel_requested_at" TIMESTAMPTZ(3);
