-- A reseller's self-service cancellation of an unused order (order.cancelled.v1): the order.cancelled webhook.
ALTER TABLE "notification" DROP CONSTRAINT "notification_kind_check";
ALTER TABLE "notification" ADD CONSTRAINT "notification_kind_check"
    CHECK ("kind" IN ('ORDER_COMPLETED', 'ORDER_FAILED', 'ORDER_REFUNDED', 'ORDER_CANCELLED', 'ESIM_USAGE_THRESHOLD', 'ESIM_EXPIRING', 'ESIM_EXPIRED',
                      'ACCOUNT_PASSWORD_RESET', 'ACCOUNT_PASSWORD_CHANGED'));

ALTER TABLE "webhook_deliveries" DROP CONSTRAINT "webhook_deliveries_event_type_check";
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_event_type_check"
    CHECK ("event_type" IN ('order.completed', 'order.failed', 'order.refunded', 'order.cancelled', 'balance.low', 'esim.usage_threshold', 'esim.expiring', 'esim.expired'));
