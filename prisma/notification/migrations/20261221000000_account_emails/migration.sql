-- E-mails about the account itself (notification.send-account-email.v1: a password reset link, the notice that the
-- password was changed): they belong to no order.
ALTER TABLE "notification" ALTER COLUMN "order_id" DROP NOT NULL;
ALTER TABLE "notification" DROP CONSTRAINT "notification_kind_check";
ALTER TABLE "notification" ADD CONSTRAINT "notification_kind_check"
    CHECK ("kind" IN ('ORDER_COMPLETED', 'ORDER_FAILED', 'ORDER_REFUNDED', 'ESIM_USAGE_THRESHOLD', 'ESIM_EXPIRING', 'ESIM_EXPIRED',
                      'ACCOUNT_PASSWORD_RESET', 'ACCOUNT_PASSWORD_CHANGED'));
