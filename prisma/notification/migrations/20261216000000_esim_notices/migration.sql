-- Usage and expiry notices about the bundles on an eSIM (esim.bundle-notice.v1): e-mails to travellers and the
-- esim.usage_threshold / esim.expiring / esim.expired webhooks to resellers.

-- A notice happens once per bundle (and threshold), and an order may carry several eSIMs and top-ups: the fact's
-- key becomes (order, kind, subject). Order facts keep subject ''.
ALTER TABLE "notification" ADD COLUMN "subject_key" TEXT NOT NULL DEFAULT '';
DROP INDEX "notification_order_id_kind_key";
CREATE UNIQUE INDEX "notification_order_id_kind_subject_key_key" ON "notification"("order_id", "kind", "subject_key");
ALTER TABLE "notification" DROP CONSTRAINT "notification_kind_check";
ALTER TABLE "notification" ADD CONSTRAINT "notification_kind_check"
    CHECK ("kind" IN ('ORDER_COMPLETED', 'ORDER_FAILED', 'ORDER_REFUNDED', 'ESIM_USAGE_THRESHOLD', 'ESIM_EXPIRING', 'ESIM_EXPIRED'));

ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_event_type_check";
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_type_check"
    CHECK ("event_type" IN ('order.completed', 'order.failed', 'order.refunded', 'balance.low', 'esim.usage_threshold', 'esim.expiring', 'esim.expired'));

-- Where a traveller's eSIM notices go (the address of the order that bought the eSIM).
CREATE TABLE "esim_contacts" (
    "iccid" TEXT NOT NULL,
    "owner_type" TEXT NOT NULL,
    "owner_id" TEXT NOT NULL,
    "contact_email" TEXT NOT NULL,
    "order_id" UUID NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "esim_contacts_pkey" PRIMARY KEY ("iccid")
);
