-- B2B saga (issue 4): what was asked of vendor-billing for an order's hold once the order ended, and when
-- vendor-billing confirmed it. A capture/release is "under way" while requested and not settled; the
-- reconciliation job re-sends it (both commands are idempotent at vendor-billing).
ALTER TABLE "orders" ADD COLUMN "funds_settlement" TEXT;
ALTER TABLE "orders" ADD COLUMN "funds_settled_at" TIMESTAMPTZ(3);

ALTER TABLE "orders" ADD CONSTRAINT "orders_funds_settlement_check"
  CHECK ("funds_settlement" IS NULL OR ("funds_settlement" IN ('CAPTURE', 'RELEASE') AND "owner_type" = 'vendor'));
ALTER TABLE "orders" ADD CONSTRAINT "orders_funds_settled_check"
  CHECK ("funds_settled_at" IS NULL OR "funds_settlement" IS NOT NULL);

-- The reconciliation sweep looks only at settlements still under way: a small partial index.
CREATE INDEX "orders_funds_unsettled_idx" ON "orders" ("updated_at") WHERE "funds_settlement" IS NOT NULL AND "funds_settled_at" IS NULL;
