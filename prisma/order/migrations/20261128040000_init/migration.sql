-- CreateTable
CREATE TABLE "orders" (
    "id" UUID NOT NULL,
    "owner_type" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "contact_email" TEXT,
    "request_key" TEXT NOT NULL,
    "bundle_name" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "unit_amount" BIGINT NOT NULL,
    "total_amount" BIGINT NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "status" TEXT NOT NULL,
    "failure_reason" TEXT,
    "customer_reference" TEXT,
    "payment_intent_id" TEXT,
    "payment_client_secret" TEXT,
    "publishable_key" TEXT,
    "esims" JSONB NOT NULL DEFAULT '[]',
    "refund_requested_at" TIMESTAMPTZ(3),
    "refunded_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "paid_at" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id"),
    -- Not expressible in the Prisma schema: the domain's invariants, enforced once more by the database.
    CONSTRAINT "orders_owner_type_check" CHECK ("owner_type" IN ('customer', 'vendor')),
    CONSTRAINT "orders_status_check" CHECK ("status" IN ('AWAITING_PAYMENT', 'PENDING', 'PROVISIONING', 'COMPLETED', 'REJECTED', 'FAILED', 'CANCELLED', 'REFUNDED')),
    CONSTRAINT "orders_quantity_check" CHECK ("quantity" >= 1),
    CONSTRAINT "orders_money_check" CHECK ("unit_amount" >= 0 AND "total_amount" = "unit_amount" * "quantity")
);

-- CreateTable
CREATE TABLE "order_status_history" (
    "id" BIGSERIAL NOT NULL,
    "order_id" UUID NOT NULL,
    "from_status" TEXT,
    "to_status" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "causation_id" UUID,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "order_status_history_pkey" PRIMARY KEY ("id")
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
CREATE UNIQUE INDEX "orders_owner_type_owner_id_request_key_key" ON "orders"("owner_type", "owner_id", "request_key");

-- CreateIndex
CREATE INDEX "orders_owner_type_owner_id_created_at_id_idx" ON "orders"("owner_type", "owner_id", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "orders_created_at_id_idx" ON "orders"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "orders_status_updated_at_idx" ON "orders"("status", "updated_at");

-- CreateIndex
CREATE INDEX "order_status_history_order_id_at_idx" ON "order_status_history"("order_id", "at");

-- CreateIndex
CREATE INDEX "outbox_sent_at_available_at_idx" ON "outbox"("sent_at", "available_at");

-- AddForeignKey
ALTER TABLE "order_status_history" ADD CONSTRAINT "order_status_history_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "orders"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Outbox wake-up (same SQL as outboxNotifyTriggerSql() of @ttelgo/db): the channel is '<schema>_outbox', taken
-- from TG_TABLE_SCHEMA at run time, so this migration works in any schema the runner's search_path selects.
CREATE OR REPLACE FUNCTION "outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(left(TG_TABLE_SCHEMA || '_outbox', 63), '');
  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS "outbox_notify" ON "outbox";
CREATE TRIGGER "outbox_notify" AFTER INSERT ON "outbox"
  FOR EACH STATEMENT EXECUTE FUNCTION "outbox_notify"();
