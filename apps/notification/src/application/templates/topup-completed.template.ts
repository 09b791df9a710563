import type { Money } from '@ttelgo/contracts';
import { escapeHtml } from '../../domain/html';
import { formatMoney } from '../../domain/money.format';
import { htmlLayout, orderReference, textFooter, type MailContext, type RenderedEmail } from './email.layout';

export interface TopupCompletedMail {
  orderId: string;
  bundleName: string;
  total: Money;
  /** The eSIM the bundle went onto: already installed, nothing to scan. */
  iccid: string;
}

/** A top-up is on the eSIM the traveller already has: no QR code, no install steps, only what to expect. */
export function renderTopupCompleted(mail: TopupCompletedMail, ctx: MailContext): RenderedEmail {
  const ref = orderReference(mail.orderId);
  const title = 'Your top-up is on your eSIM';
  const intro =
    `${mail.bundleName} (${formatMoney(mail.total)}) is now on your eSIM ${mail.iccid}. There is nothing to install: keep using the eSIM ` +
    'you already have. The new data starts when your current bundle is used up or ends, or at once if it already has.';
  const bodyHtml = `<p>${escapeHtml(intro)}</p>`;
  return {
    subject: `Your top-up is on your eSIM (order ${ref})`,
    html: htmlLayout({ title, preheader: `${mail.bundleName} was added to your eSIM.`, bodyHtml, ctx, orderId: mail.orderId }),
    text: `${title}\n\n${intro}\n\n${textFooter(ctx, mail.orderId)}`,
  };
}
