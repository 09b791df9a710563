import type { Money } from '@ttelgo/contracts';
import { escapeHtml } from '../../domain/html';
import { formatMoney } from '../../domain/money.format';
import { htmlLayout, orderReference, textFooter, type MailContext, type RenderedEmail } from './email.layout';

export interface OrderFailedMail {
  orderId: string;
  bundleName: string;
  quantity: number;
  total: Money;
}

/**
 * Every order that reaches this mail was paid by card (vendor orders get no e-mail), and the order service
 * refunds a failed card order automatically. The provider's failure reason is deliberately not shown: it is
 * an internal diagnostic, and support finds it by the order id.
 */
export function renderOrderFailed(mail: OrderFailedMail, ctx: MailContext): RenderedEmail {
  const ref = orderReference(mail.orderId);
  const total = formatMoney(mail.total);
  const subject = `We could not complete your order ${ref}`;
  const title = 'We could not deliver your eSIM';
  const happened = `We are sorry: our network partner could not issue the eSIM for your order of ${mail.quantity} x ${mail.bundleName}. You have not received an eSIM for this order.`;
  const refund = `A refund of ${total} to the card you paid with is under way. You will receive another e-mail when it has been issued; depending on your bank it can take 5 to 10 business days to appear on your statement.`;
  const retry = 'You are welcome to place a new order at any time.';
  const bodyHtml = `<p>${escapeHtml(happened)}</p>\n<p>${escapeHtml(refund)}</p>\n<p>${escapeHtml(retry)}</p>`;
  return {
    subject,
    html: htmlLayout({ title, preheader: `A refund of ${total} is under way.`, bodyHtml, ctx, orderId: mail.orderId }),
    text: `${title}\n\n${happened}\n\n${refund}\n\n${retry}\n\n${textFooter(ctx, mail.orderId)}`,
  };
}
