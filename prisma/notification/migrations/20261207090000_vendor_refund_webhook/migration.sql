-- Vendor refunds: an admin can now refund a completed vendor order (order.refunded.v1 for a vendor owner), which
-- becomes an `order.refunded` webhook. Existing rows only hold the older types, so the wider check validates them.
-- (notification.skip_reason has no CHECK: rows skipped VENDOR_OWNED before this stay as they are.)
ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_event_type_check";
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_type_check"
    CHECK ("event_type" IN ('order.completed', 'order.failed', 'order.refunded', 'balance.low'));
