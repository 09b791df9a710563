-- The reseller's own event log (GET /vendor/events): what its endpoint answered to each attempt, where the attempt
-- went, and which events were samples sent with POST /vendor/webhook-endpoint/test.
ALTER TABLE "webhook_deliveries" ADD COLUMN "test" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "webhook_attempts" ADD COLUMN "url" TEXT;
ALTER TABLE "webhook_attempts" ADD COLUMN "response_body" TEXT;

-- A reseller's events, newest first, cursor pages on (created_at, id).
CREATE INDEX "webhook_deliveries_vendor_id_created_at_id_idx" ON "webhook_deliveries"("vendor_id", "created_at", "id");
