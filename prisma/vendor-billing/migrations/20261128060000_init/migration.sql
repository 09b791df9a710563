-- vendor-billing: vendors, ledger accounts, a double-entry ledger, holds, top-ups, outbox, inbox.
-- Money is BIGINT minor units. The CHECK constraints are the database's backstop for the rules the code
-- enforces with conditional updates (see apps/vendor-billing/README.md): whatever a bug or a race does, a
-- PREPAID wallet never goes below what is held, and a POSTPAID vendor never owes more than its credit limit.

-- CreateTable
CREATE TABLE "vendors" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "billing_mode" TEXT NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "credit_limit" BIGINT,
    "markup_bps" INTEGER NOT NULL,
    "rate_limit_per_minute" INTEGER NOT NULL DEFAULT 600,
    "low_balance_threshold" BIGINT NOT NULL DEFAULT 0,
    "low_balance_alerted" BOOLEAN NOT NULL DEFAULT false,
    "request_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vendors_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "vendors_billing_mode_known" CHECK ("billing_mode" IN ('PREPAID', 'POSTPAID')),
    CONSTRAINT "vendors_status_known" CHECK ("status" IN ('ACTIVE', 'SUSPENDED')),
    CONSTRAINT "vendors_currency_iso" CHECK ("currency" ~ '^[A-Z]{3}$'),
    -- A credit limit exists for POSTPAID vendors only.
    CONSTRAINT "vendors_credit_limit_mode" CHECK (("billing_mode" = 'POSTPAID') = ("credit_limit" IS NOT NULL)),
    CONSTRAINT "vendors_credit_limit_non_negative" CHECK ("credit_limit" IS NULL OR "credit_limit" >= 0),
    CONSTRAINT "vendors_markup_range" CHECK ("markup_bps" BETWEEN 0 AND 100000),
    CONSTRAINT "vendors_rate_limit_positive" CHECK ("rate_limit_per_minute" >= 1),
    CONSTRAINT "vendors_low_balance_threshold_non_negative" CHECK ("low_balance_threshold" >= 0)
);

-- CreateTable
CREATE TABLE "accounts" (
    "id" UUID NOT NULL,
    "vendor_id" UUID,
    "kind" TEXT NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "normal_side" TEXT NOT NULL,
    "balance" BIGINT NOT NULL DEFAULT 0,
    "reserved" BIGINT NOT NULL DEFAULT 0,
    "credit_limit" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "accounts_kind_known" CHECK ("kind" IN ('wallet', 'receivable', 'stripe_clearing', 'revenue', 'adjustments')),
    -- Each kind has one normal side: what a positive `balance` means never depends on the row.
    CONSTRAINT "accounts_normal_side" CHECK ("normal_side" = CASE "kind"
        WHEN 'wallet' THEN 'credit' WHEN 'receivable' THEN 'debit' WHEN 'stripe_clearing' THEN 'debit'
        WHEN 'revenue' THEN 'credit' WHEN 'adjustments' THEN 'debit' END),
    CONSTRAINT "accounts_vendor_kinds" CHECK (("kind" IN ('wallet', 'receivable')) = ("vendor_id" IS NOT NULL)),
    CONSTRAINT "accounts_currency_iso" CHECK ("currency" ~ '^[A-Z]{3}$'),
    CONSTRAINT "accounts_reserved_non_negative" CHECK ("reserved" >= 0),
    CONSTRAINT "accounts_platform_never_reserved" CHECK ("vendor_id" IS NOT NULL OR "reserved" = 0),
    CONSTRAINT "accounts_credit_limit_receivable_only" CHECK (("kind" = 'receivable') = ("credit_limit" IS NOT NULL)),
    CONSTRAINT "accounts_credit_limit_non_negative" CHECK ("credit_limit" IS NULL OR "credit_limit" >= 0),
    -- ISSUE4 PREPAID: balance - reserved >= 0 (the wallet's balance is what we owe the vendor).
    CONSTRAINT "accounts_wallet_not_overdrawn" CHECK ("kind" <> 'wallet' OR "balance" - "reserved" >= 0),
    -- ISSUE4 POSTPAID: vendorBalance - reserved >= -credit_limit, where the vendor's balance is minus what it owes,
    -- i.e. minus this debit-normal account's balance.
    CONSTRAINT "accounts_receivable_within_limit" CHECK ("kind" <> 'receivable' OR -"balance" - "reserved" >= -"credit_limit")
);

-- CreateTable
CREATE TABLE "ledger_transactions" (
    "id" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "vendor_id" UUID NOT NULL,
    "order_id" UUID,
    "topup_id" UUID,
    "idempotency_key" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_transactions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ledger_transactions_kind_known" CHECK ("kind" IN ('TOPUP', 'ORDER_CHARGE', 'ADJUSTMENT', 'PAYMENT', 'REFUND'))
);

-- CreateTable
CREATE TABLE "ledger_entries" (
    "id" UUID NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "transaction_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "direction" TEXT NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "balance_after" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ledger_entries_direction_known" CHECK ("direction" IN ('debit', 'credit')),
    CONSTRAINT "ledger_entries_amount_positive" CHECK ("amount" > 0)
);

-- CreateTable
CREATE TABLE "holds" (
    "order_id" UUID NOT NULL,
    "vendor_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "status" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "holds_pkey" PRIMARY KEY ("order_id"),
    CONSTRAINT "holds_status_known" CHECK ("status" IN ('HELD', 'CAPTURED', 'RELEASED')),
    CONSTRAINT "holds_amount_positive" CHECK ("amount" > 0)
);

-- CreateTable
CREATE TABLE "topups" (
    "id" UUID NOT NULL,
    "vendor_id" UUID NOT NULL,
    "amount" BIGINT NOT NULL,
    "currency" VARCHAR(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'AWAITING_PAYMENT',
    "payment_intent_id" TEXT,
    "client_secret" TEXT,
    "publishable_key" TEXT,
    "request_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "credited_at" TIMESTAMPTZ(3),

    CONSTRAINT "topups_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "topups_status_known" CHECK ("status" IN ('AWAITING_PAYMENT', 'CREDITED', 'FAILED')),
    CONSTRAINT "topups_amount_positive" CHECK ("amount" > 0),
    CONSTRAINT "topups_credited_at" CHECK (("status" = 'CREDITED') = ("credited_at" IS NOT NULL))
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
CREATE UNIQUE INDEX "vendors_request_key_key" ON "vendors"("request_key");
CREATE INDEX "vendors_created_at_id_idx" ON "vendors"("created_at", "id");
CREATE UNIQUE INDEX "accounts_vendor_id_key" ON "accounts"("vendor_id");
-- One platform account per kind and currency (vendor_id is null for them, so the unique index above does not apply).
CREATE UNIQUE INDEX "accounts_platform_kind_currency_key" ON "accounts"("kind", "currency") WHERE "vendor_id" IS NULL;
CREATE UNIQUE INDEX "ledger_transactions_idempotency_key_key" ON "ledger_transactions"("idempotency_key");
CREATE INDEX "ledger_transactions_vendor_id_created_at_idx" ON "ledger_transactions"("vendor_id", "created_at");
CREATE INDEX "ledger_entries_transaction_id_idx" ON "ledger_entries"("transaction_id");
CREATE INDEX "ledger_entries_account_id_seq_idx" ON "ledger_entries"("account_id", "seq");
CREATE INDEX "ledger_entries_account_id_created_at_idx" ON "ledger_entries"("account_id", "created_at");
CREATE INDEX "holds_vendor_id_status_idx" ON "holds"("vendor_id", "status");
CREATE UNIQUE INDEX "topups_vendor_id_request_key_key" ON "topups"("vendor_id", "request_key");
CREATE INDEX "outbox_sent_at_available_at_idx" ON "outbox"("sent_at", "available_at");

-- AddForeignKey
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_vendor_id_fkey" FOREIGN KEY ("vendor_id") REFERENCES "vendors"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_transaction_id_fkey" FOREIGN KEY ("transaction_id") REFERENCES "ledger_transactions"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;
ALTER TABLE "holds" ADD CONSTRAINT "holds_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;
ALTER TABLE "topups" ADD CONSTRAINT "topups_vendor_id_fkey" FOREIGN KEY ("vendor_id") REFERENCES "vendors"("id") ON DELETE RESTRICT ON UPDATE RESTRICT;

-- The ledger is append-only: corrections are new transactions. Entries and transactions refuse UPDATE, DELETE
-- and TRUNCATE whoever asks (a REVOKE would not stop the owner role the service connects as).
CREATE OR REPLACE FUNCTION "ledger_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger rows are immutable: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER "ledger_entries_immutable" BEFORE UPDATE OR DELETE ON "ledger_entries"
  FOR EACH ROW EXECUTE FUNCTION "ledger_refuse_change"();
CREATE TRIGGER "ledger_entries_no_truncate" BEFORE TRUNCATE ON "ledger_entries"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_refuse_change"();
CREATE TRIGGER "ledger_transactions_immutable" BEFORE UPDATE OR DELETE ON "ledger_transactions"
  FOR EACH ROW EXECUTE FUNCTION "ledger_refuse_change"();
CREATE TRIGGER "ledger_transactions_no_truncate" BEFORE TRUNCATE ON "ledger_transactions"
  FOR EACH STATEMENT EXECUTE FUNCTION "ledger_refuse_change"();

-- The one invariant, checked by the database at COMMIT (deferred, so a transaction's entries may be inserted one
-- by one): every ledger transaction has at least two entries, in one currency, whose debits equal its credits.
CREATE OR REPLACE FUNCTION "ledger_check_balanced"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  debits NUMERIC;
  credits NUMERIC;
  entries INTEGER;
  currencies INTEGER;
BEGIN
  EXECUTE format(
    'SELECT coalesce(sum(amount) FILTER (WHERE direction = ''debit''), 0), coalesce(sum(amount) FILTER (WHERE direction = ''credit''), 0),
            count(*), count(DISTINCT currency)
       FROM %I.ledger_entries WHERE transaction_id = $1', TG_TABLE_SCHEMA)
    INTO debits, credits, entries, currencies USING NEW.transaction_id;
  IF entries < 2 OR debits <> credits OR currencies <> 1 THEN
    RAISE EXCEPTION 'unbalanced ledger transaction %: debits %, credits %, % entries, % currencies',
      NEW.transaction_id, debits, credits, entries, currencies USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER "ledger_entries_balanced" AFTER INSERT ON "ledger_entries"
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "ledger_check_balanced"();

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
