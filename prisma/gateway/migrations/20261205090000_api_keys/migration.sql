-- Vendor API keys (issue 4). Only the sha256 of the secret is stored; the key is shown once at creation.
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "vendor_id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "secret_hash" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,
    "revoked_at" TIMESTAMPTZ(3),
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id"),
    -- The key format relies on these: a keyId without `_` and a hex sha256, never a plaintext secret.
    CONSTRAINT "api_keys_id_format_check" CHECK ("id" ~ '^[a-z0-9]{16,40}$'),
    CONSTRAINT "api_keys_secret_hash_check" CHECK ("secret_hash" ~ '^[0-9a-f]{64}$'),
    CONSTRAINT "api_keys_name_check" CHECK (char_length("name") BETWEEN 1 AND 100)
);

CREATE INDEX "api_keys_vendor_id_created_at_idx" ON "api_keys"("vendor_id", "created_at");

-- The admin audit-log route pages newest first with (at, id) keyset cursors and filters by action.
CREATE INDEX "audit_log_at_id_idx" ON "audit_log"("at" DESC, "id" DESC);
CREATE INDEX "audit_log_action_at_idx" ON "audit_log"("action", "at");
