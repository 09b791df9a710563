-- Top-ups: an order either buys new eSIMs (NEW, every order placed before this migration) or applies one bundle to
-- an eSIM its owner already has (TOPUP, quantity 1, `iccid` names that eSIM).
ALTER TABLE "orders" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'NEW';
ALTER TABLE "orders" ADD COLUMN "iccid" TEXT;
ALTER TABLE "orders" ADD CONSTRAINT "orders_kind_check" CHECK ("kind" IN ('NEW', 'TOPUP'));
ALTER TABLE "orders" ADD CONSTRAINT "orders_topup_check"
  CHECK ((("kind" = 'TOPUP') = ("iccid" IS NOT NULL)) AND ("kind" = 'NEW' OR "quantity" = 1));
