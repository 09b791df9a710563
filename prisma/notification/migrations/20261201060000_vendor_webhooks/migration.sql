-- Issue 4: vendor webhooks, a second channel next to e-mail.

-- notification: the webhook channel, and skip reasons are now NO_CONTACT_EMAIL | NO_ENDPOINT | VENDOR_OWNED.
ALTER TABLE "notification" DROP CONSTRAINT "notification_channel_check";
ALTER TABLE "notification" ADD CONSTRAINT "notification_channel_check" CHECK ("channel" IN ('email', 'webhook'));

-- CreateTable
CREATE TABLE "webhook_endpoints" (
    "vendor_id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_endpoints_pkey" PRIMARY KEY ("vendor_id"),
    CONSTRAINT "webhook_endpoints_url_check" CHECK ("url" ~ '^https?://'),
    CONSTRAINT "webhook_endpoints_secret_check" CHECK ("secret" LIKE 'whsec\_%')
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "vendor_id" TEXT NOT NULL,
    "event_type" TEXT NOT NULL,
    "event_id" UUID NOT NULL,
    "notification_id" UUID,
    "url" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_status" INTEGER,
    "last_error" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "webhook_deliveries_event_type_check" CHECK ("event_type" IN ('order.completed', 'order.failed', 'balance.low')),
    CONSTRAINT "webhook_deliveries_status_check" CHECK ("status" IN ('PENDING', 'SENT', 'FAILED')),
    CONSTRAINT "webhook_deliveries_attempts_check" CHECK ("attempts" >= 0)
);

-- CreateTable
CREATE TABLE "webhook_attempts" (
    "delivery_id" UUID NOT NULL,
    "attempt_no" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "outcome" TEXT NOT NULL,
    "http_status" INTEGER,
    "error" TEXT,
    "duration_ms" INTEGER NOT NULL,

    CONSTRAINT "webhook_attempts_pkey" PRIMARY KEY ("delivery_id","attempt_no"),
    CONSTRAINT "webhook_attempts_outcome_check" CHECK ("outcome" IN ('SENT', 'RETRY', 'FAILED'))
);

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_vendor_id_event_id_key" ON "webhook_deliveries"("vendor_id", "event_id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_status_next_attempt_at_idx" ON "webhook_deliveries"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "webhook_deliveries_notification_id_idx" ON "webhook_deliveries"("notification_id");

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_notification_id_fkey" FOREIGN KEY ("notification_id") REFERENCES "notification"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_attempts" ADD CONSTRAINT "webhook_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Webhook delivery wake-up, like the e-mail one: workers LISTEN on '<schema>_webhook'.
CREATE OR REPLACE FUNCTION "webhook_delivery_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(left(TG_TABLE_SCHEMA || '_webhook', 63), '');
  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS "webhook_delivery_notify" ON "webhook_deliveries";
CREATE TRIGGER "webhook_delivery_notify" AFTER INSERT ON "webhook_deliveries"
  FOR EACH STATEMENT EXECUTE FUNCTION "webhook_delivery_notify"();
