-- Sandbox keys (ttk_test_...): a key is live or test; a test key's requests are served by the sandbox cell.
ALTER TABLE "api_keys" ADD COLUMN "mode" TEXT NOT NULL DEFAULT 'live';
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_mode_check" CHECK ("mode" IN ('live', 'test'));
