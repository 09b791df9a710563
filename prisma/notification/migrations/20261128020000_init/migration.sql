-- CreateTable
CREATE TABLE "notification" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "order_id" UUID NOT NULL,
    "owner_type" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "source_message_id" UUID NOT NULL,
    "source_type" TEXT NOT NULL,
    "correlation_id" TEXT NOT NULL,
    "channel" TEXT,
    "status" TEXT NOT NULL,
    "skip_reason" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notification_pkey" PRIMARY KEY ("id"),
    -- Not expressible in the Prisma schema: the closed value sets of the text columns.
    CONSTRAINT "notification_kind_check" CHECK ("kind" IN ('ORDER_COMPLETED', 'ORDER_FAILED', 'ORDER_REFUNDED')),
    CONSTRAINT "notification_owner_type_check" CHECK ("owner_type" IN ('customer', 'vendor')),
    CONSTRAINT "notification_channel_check" CHECK ("channel" IN ('email')),
    CONSTRAINT "notification_status_check" CHECK (
        ("status" = 'QUEUED' AND "channel" IS NOT NULL AND "skip_reason" IS NULL)
        OR ("status" = 'SKIPPED' AND "channel" IS NULL AND "skip_reason" IS NOT NULL)
    )
);

-- CreateTable
CREATE TABLE "email_delivery" (
    "id" UUID NOT NULL,
    "notification_id" UUID NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "to_address" TEXT NOT NULL,
    "from_address" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "html" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_error" TEXT,
    "provider_message_id" TEXT,
    "sent_at" TIMESTAMPTZ(3),
    "failed_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "email_delivery_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "email_delivery_status_check" CHECK ("status" IN ('PENDING', 'SENT', 'FAILED')),
    CONSTRAINT "email_delivery_attempts_check" CHECK ("attempts" >= 0)
);

-- CreateTable
CREATE TABLE "email_attachment" (
    "delivery_id" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "filename" TEXT NOT NULL,
    "content_type" TEXT NOT NULL,
    "content_id" TEXT,
    "content" BYTEA NOT NULL,

    CONSTRAINT "email_attachment_pkey" PRIMARY KEY ("delivery_id","position")
);

-- CreateTable
CREATE TABLE "delivery_attempt" (
    "delivery_id" UUID NOT NULL,
    "attempt_no" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "finished_at" TIMESTAMPTZ(3) NOT NULL,
    "outcome" TEXT NOT NULL,
    "error" TEXT,
    "smtp_response" TEXT,

    CONSTRAINT "delivery_attempt_pkey" PRIMARY KEY ("delivery_id","attempt_no"),
    CONSTRAINT "delivery_attempt_outcome_check" CHECK ("outcome" IN ('SENT', 'RETRY', 'FAILED'))
);

-- CreateTable
CREATE TABLE "outbox" (
    "id" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "exchange" TEXT NOT NULL,
    "routing_key" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "headers" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "available_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "sent_at" TIMESTAMPTZ(3),

    CONSTRAINT "outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbox" (
    "message_id" UUID NOT NULL,
    "handler" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbox_pkey" PRIMARY KEY ("message_id","handler")
);

-- CreateIndex
CREATE UNIQUE INDEX "notification_order_id_kind_key" ON "notification"("order_id", "kind");

-- CreateIndex
CREATE INDEX "notification_source_message_id_idx" ON "notification"("source_message_id");

-- CreateIndex
CREATE INDEX "email_delivery_status_next_attempt_at_idx" ON "email_delivery"("status", "next_attempt_at");

-- CreateIndex
CREATE INDEX "email_delivery_notification_id_idx" ON "email_delivery"("notification_id");

-- CreateIndex
CREATE INDEX "outbox_sent_at_available_at_idx" ON "outbox"("sent_at", "available_at");

-- AddForeignKey
ALTER TABLE "email_delivery" ADD CONSTRAINT "email_delivery_notification_id_fkey" FOREIGN KEY ("notification_id") REFERENCES "notification"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "email_attachment" ADD CONSTRAINT "email_attachment_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "email_delivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "delivery_attempt" ADD CONSTRAINT "delivery_attempt_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "email_delivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- E-mail delivery wake-up: every replica's delivery worker LISTENs on '<schema>_email' so a new mail goes out at
-- once instead of at the next poll (polling still covers retries, which are due later by design).
CREATE OR REPLACE FUNCTION "email_delivery_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(left(TG_TABLE_SCHEMA || '_email', 63), '');
  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS "email_delivery_notify" ON "email_delivery";
CREATE TRIGGER "email_delivery_notify" AFTER INSERT ON "email_delivery"
  FOR EACH STATEMENT EXECUTE FUNCTION "email_delivery_notify"();

-- Outbox wake-up (same SQL as outboxNotifyTriggerSql() of @ttelgo/db): the channel is '<schema>_outbox', taken
-- from TG_TABLE_SCHEMA at run time, so this migration works in any schema the runner's search_path selects.
-- notification publishes nothing yet; the outbox exists so the first event it publishes needs no new plumbing.
CREATE OR REPLACE FUNCTION "outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(left(TG_TABLE_SCHEMA || '_outbox', 63), '');
  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS "outbox_notify" ON "outbox";
CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox"
  FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify"();
