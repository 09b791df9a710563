-- POSTPAID payments (billing.record-payment.v1): money a vendor sends by bank transfer lands on a platform account
-- of its own, `bank_clearing` (debit-normal, one per currency, like stripe_clearing). Card money and bank money are
-- reconciled against different outside statements (Stripe's balance and payouts vs the bank account), so they are
-- never mixed on one account. Only the two CHECKs that enumerate account kinds change; no row changes.
ALTER TABLE "accounts" DROP CONSTRAINT "accounts_kind_known";
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_kind_known"
    CHECK ("kind" IN ('wallet', 'receivable', 'stripe_clearing', 'bank_clearing', 'revenue', 'adjustments'));

ALTER TABLE "accounts" DROP CONSTRAINT "accounts_normal_side";
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_normal_side" CHECK ("normal_side" = CASE "kind"
    WHEN 'wallet' THEN 'credit' WHEN 'receivable' THEN 'debit' WHEN 'stripe_clearing' THEN 'debit'
    WHEN 'bank_clearing' THEN 'debit' WHEN 'revenue' THEN 'credit' WHEN 'adjustments' THEN 'debit' END);
