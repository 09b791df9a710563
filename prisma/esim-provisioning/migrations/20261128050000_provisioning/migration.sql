-- Provisioning at eSIM Go: the provider order is recorded (REQUESTED) before eSIM Go is called, so one of our
-- orders never buys twice; the eSIMs bought, with their install data, usage and cached QR code.

-- CreateTable
CREATE TABLE "provider_orders" (
    "order_id" UUID NOT NULL,
    "owner_type" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "bundle_name" TEXT NOT NULL,
    "quantity" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "provider_reference" TEXT,
    "failure_code" TEXT,
    "failure_reason" TEXT,
    "correlation_id" TEXT,
    "requested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_attempt_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "next_check_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lease_token" UUID,
    "lease_until" TIMESTAMPTZ(3),

    CONSTRAINT "provider_orders_pkey" PRIMARY KEY ("order_id"),
    -- Not expressible in the Prisma schema.
    CONSTRAINT "provider_orders_state_check" CHECK ("state" IN ('REQUESTED', 'UNKNOWN', 'COMPLETED', 'FAILED')),
    CONSTRAINT "provider_orders_quantity_check" CHECK ("quantity" > 0),
    CONSTRAINT "provider_orders_owner_type_check" CHECK ("owner_type" IN ('customer', 'vendor')),
    CONSTRAINT "provider_orders_completed_check" CHECK ("state" <> 'COMPLETED' OR "provider_reference" IS NOT NULL)
);

-- CreateTable
CREATE TABLE "esims" (
    "iccid" TEXT NOT NULL,
    "order_id" UUID NOT NULL,
    "owner_type" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "bundle_name" TEXT NOT NULL,
    "smdp_address" TEXT NOT NULL,
    "matching_id" TEXT NOT NULL,
    "lpa" TEXT NOT NULL,
    "apple_install_url" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "expires_at" TIMESTAMPTZ(3),
    "initial_bytes" BIGINT,
    "remaining_bytes" BIGINT,
    "usage_state" TEXT NOT NULL DEFAULT 'UNKNOWN',
    "usage_synced_at" TIMESTAMPTZ(3),
    "qr_png" BYTEA,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "esims_pkey" PRIMARY KEY ("iccid")
);

-- CreateIndex
CREATE UNIQUE INDEX "provider_orders_provider_reference_key" ON "provider_orders"("provider_reference");

-- CreateIndex
CREATE INDEX "provider_orders_state_next_check_at_idx" ON "provider_orders"("state", "next_check_at");

-- CreateIndex: an owner's eSIMs, newest first, keyset-paged on (created_at, iccid).
CREATE INDEX "esims_owner_type_owner_id_created_at_iccid_idx" ON "esims"("owner_type", "owner_id", "created_at" DESC, "iccid" DESC);

-- CreateIndex
CREATE INDEX "esims_order_id_idx" ON "esims"("order_id");

-- AddForeignKey
ALTER TABLE "esims" ADD CONSTRAINT "esims_order_id_fkey" FOREIGN KEY ("order_id") REFERENCES "provider_orders"("order_id") ON DELETE RESTRICT ON UPDATE RESTRICT;
