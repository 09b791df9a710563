import type { Money } from '@ttelgo/contracts';
import { escapeHtml } from '../../domain/html';
import { formatMoney } from '../../domain/money.format';
import { htmlLayout, orderReference, textFooter, type MailContext, type RenderedEmail } from './email.layout';

export interface OrderRefundedMail {
  orderId: string;
  bundleName: string;
  quantity: number;
  total: Money;
}

export function renderOrderRefunded(mail: OrderRefundedMail, ctx: MailContext): RenderedEmail {
  const ref = orderReference(mail.orderId);
  const amount = formatMoney(mail.total);
  const subject = `Your refund of ${amount} is on its way (order ${ref})`;
  const title = `We have refunded ${amount}`;
  const what = `We have refunded ${amount} for your order of ${mail.quantity} x ${mail.bundleName} to the card you paid with.`;
  const when = 'Depending on your bank, the refund appears on your statement within 5 to 10 business days.';
  const bodyHtml = `<p>${escapeHtml(what)}</p>\n<p>${escapeHtml(when)}</p>`;
  return {
    subject,
    html: htmlLayout({ title, preheader: `${amount} refunded to your card.`, bodyHtml, ctx, orderId: mail.orderId }),
    text: `${title}\n\n${what}\n\n${when}\n\n${textFooter(ctx, mail.orderId)}`,
  };
}
