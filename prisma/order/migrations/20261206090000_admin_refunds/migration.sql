-- Admin refunds (issue 4): a COMPLETED order can be refunded in full; the order keeps why and who asked.
-- The money goes back through payment (card) or vendor-billing (a vendor's charge); while refund_requested_at is
-- set and refunded_at is not, the refund is under way and the reconciliation job re-sends it.
ALTER TABLE "orders" ADD COLUMN "refund_reason" TEXT;

-- The reconciliation sweep looks at refunds still under way: a small partial index.
CREATE INDEX "orders_refund_under_way_idx" ON "orders" ("updated_at") WHERE "refund_requested_at" IS NOT NULL AND "refunded_at" IS NULL;
