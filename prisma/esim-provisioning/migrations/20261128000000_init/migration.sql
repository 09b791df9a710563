-- CreateTable
CREATE TABLE "catalogue_bundle" (
    "name" TEXT COLLATE "C" NOT NULL,
    "description" TEXT NOT NULL,
    "data_mb" INTEGER NOT NULL,
    "duration_days" INTEGER NOT NULL,
    "unlimited" BOOLEAN NOT NULL,
    "cost_amount" INTEGER NOT NULL,
    "cost_currency" VARCHAR(3) NOT NULL,
    "countries" JSONB NOT NULL,
    "regions" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "groups" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "speed" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "autostart" BOOLEAN NOT NULL DEFAULT false,
    "billing_type" TEXT,
    "roaming_enabled" JSONB NOT NULL DEFAULT '[]',
    "content_hash" TEXT NOT NULL,
    "first_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "withdrawn_at" TIMESTAMPTZ(3),

    CONSTRAINT "catalogue_bundle_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "catalogue_bundle_country" (
    "bundle_name" TEXT COLLATE "C" NOT NULL,
    "iso" VARCHAR(2) NOT NULL,
    "region" TEXT NOT NULL,

    CONSTRAINT "catalogue_bundle_country_pkey" PRIMARY KEY ("bundle_name","iso")
);

-- CreateTable
CREATE TABLE "catalogue_sync_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "revision" TEXT,
    "synced_at" TIMESTAMPTZ(3),
    "bundle_count" INTEGER NOT NULL DEFAULT 0,
    "last_attempt_at" TIMESTAMPTZ(3),
    "last_error" TEXT,

    CONSTRAINT "catalogue_sync_state_pkey" PRIMARY KEY ("id"),
    -- Not expressible in the Prisma schema: the sync state is a singleton.
    CONSTRAINT "catalogue_sync_state_singleton" CHECK ("id" = 1)
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
CREATE INDEX "catalogue_bundle_withdrawn_at_idx" ON "catalogue_bundle"("withdrawn_at");

-- CreateIndex
CREATE INDEX "catalogue_bundle_country_iso_idx" ON "catalogue_bundle_country"("iso");

-- CreateIndex
CREATE INDEX "catalogue_bundle_country_region_idx" ON "catalogue_bundle_country"("region");

-- CreateIndex
CREATE INDEX "outbox_sent_at_available_at_idx" ON "outbox"("sent_at", "available_at");

-- AddForeignKey
ALTER TABLE "catalogue_bundle_country" ADD CONSTRAINT "catalogue_bundle_country_bundle_name_fkey" FOREIGN KEY ("bundle_name") REFERENCES "catalogue_bundle"("name") ON DELETE CASCADE ON UPDATE CASCADE;

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
