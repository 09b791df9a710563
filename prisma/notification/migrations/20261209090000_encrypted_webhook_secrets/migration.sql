-- Vendor webhook signing secrets are encrypted at rest (AES-256-GCM with WEBHOOK_SECRETS_KEY, which is never in
-- the database). The column is renamed so that code still reading `secret` (an old replica during a rollout) fails
-- instead of signing with a ciphertext or writing a plaintext secret next to encrypted ones.
-- Existing rows still hold a plaintext `whsec_...`: SQL cannot encrypt them (no key here), so the service seals
-- them at start (sealStoredWebhookSecrets) with a conditional UPDATE per row; the CHECK admits both forms.
ALTER TABLE "webhook_endpoints" RENAME COLUMN "secret" TO "secret_ciphertext";
ALTER TABLE "webhook_endpoints" DROP CONSTRAINT "webhook_endpoints_secret_check";
-- v1.<keyId: 8 hex>.<iv: 12 bytes b64url>.<tag: 16 bytes b64url>.<ciphertext b64url>, or a legacy plaintext secret.
ALTER TABLE "webhook_endpoints" ADD CONSTRAINT "webhook_endpoints_secret_ciphertext_check" CHECK (
    "secret_ciphertext" ~ '^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$'
    OR "secret_ciphertext" LIKE 'whsec\_%'
);
COMMENT ON COLUMN "webhook_endpoints"."secret_ciphertext" IS
    'SecretBox v1 (AES-256-GCM, AAD = vendor_id) of the whsec_ signing secret; plaintext only until the service start that seals it';
