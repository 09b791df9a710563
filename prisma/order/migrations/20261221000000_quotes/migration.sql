-- Quotes: a reseller's basket priced at its terms without charging anything, kept for its validity (10 minutes)
-- and afterwards as a record of what was offered. Items are [{ bundleName, quantity, unitPrice, total }].
CREATE TABLE "quotes" (
    "id" UUID NOT NULL,
    "owner_type" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "items" JSONB NOT NULL,
    "total_amount" BIGINT NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "quotes_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "quotes_total_check" CHECK ("total_amount" >= 0),
    CONSTRAINT "quotes_expiry_check" CHECK ("expires_at" > "created_at")
);

CREATE INDEX "quotes_owner_type_owner_id_created_at_idx" ON "quotes" ("owner_type", "owner_id", "created_at" DESC);
