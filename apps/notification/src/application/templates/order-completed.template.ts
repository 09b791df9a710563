import type { EsimInstall, Money } from '@ttelgo/contracts';
import { escapeHtml, safeHref } from '../../domain/html';
import { formatMoney } from '../../domain/money.format';
import { htmlLayout, orderReference, textFooter, type MailContext, type RenderedEmail } from './email.layout';

export interface OrderCompletedMail {
  orderId: string;
  bundleName: string;
  quantity: number;
  total: Money;
  /** Each eSIM with the Content-ID of its inline QR image (the PNG travels as a cid: attachment). */
  esims: Array<EsimInstall & { qrContentId: string }>;
}

const IPHONE_STEPS = [
  'On the iPhone itself: tap "Install on iPhone" below (iOS 17.4 or later) and follow the prompts.',
  'Or open Settings > Mobile Service (Cellular) > Add eSIM > Use QR Code and scan the QR code from another screen.',
  'Or choose "Enter Details Manually" and type the SM-DP+ address and activation code shown below.',
  'When you arrive, select the new eSIM for mobile data and turn on Data Roaming for it.',
];

const ANDROID_STEPS = [
  'Open Settings > Network & internet (or Connections) > SIMs > Add eSIM (on Samsung: SIM manager > Add eSIM).',
  'Scan the QR code from another screen, or choose to enter the code manually and paste the LPA activation code.',
  'When you arrive, select the new eSIM for mobile data and turn on Roaming for it.',
];

function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toUTCString().replace(/ GMT$/, ' UTC');
}

export function renderOrderCompleted(mail: OrderCompletedMail, ctx: MailContext): RenderedEmail {
  const count = mail.esims.length;
  const ref = orderReference(mail.orderId);
  const subject = count === 1 ? `Your eSIM is ready (order ${ref})` : `Your ${count} eSIMs are ready (order ${ref})`;
  const total = formatMoney(mail.total);
  const title = count === 1 ? 'Your eSIM is ready' : `Your ${count} eSIMs are ready`;
  const intro = `Thank you for your order of ${mail.quantity} x ${mail.bundleName} (${total}). Install each eSIM before you travel, while you have Wi-Fi; it activates when you reach your destination. Each QR code can usually be installed only once, so keep this e-mail.`;

  const esimHtml = mail.esims
    .map((esim, index) => {
      const heading = count === 1 ? 'Your eSIM' : `eSIM ${index + 1} of ${count}`;
      const expiry = esim.expiresAt ? `<p style="margin:4px 0;">Install before: ${escapeHtml(formatDate(esim.expiresAt))}</p>` : '';
      return `<div style="margin:24px 0;padding:16px;border:1px solid #e4e7eb;border-radius:8px;">
<h2 style="font-size:18px;margin:0 0 12px 0;">${escapeHtml(heading)}</h2>
<p style="text-align:center;margin:0 0 12px 0;"><img src="cid:${escapeHtml(esim.qrContentId)}" width="240" height="240" alt="QR code to install the eSIM" style="display:inline-block;"></p>
<p style="text-align:center;margin:0 0 16px 0;"><a href="${safeHref(esim.appleInstallUrl)}" style="display:inline-block;padding:10px 18px;background:#0b6bcb;color:#ffffff;border-radius:6px;text-decoration:none;">Install on iPhone</a></p>
<p style="margin:4px 0;">LPA activation code:<br><code style="word-break:break-all;font-size:13px;">${escapeHtml(esim.lpa)}</code></p>
<p style="margin:4px 0;">SM-DP+ address: <code>${escapeHtml(esim.smdpAddress)}</code></p>
<p style="margin:4px 0;">Activation code: <code>${escapeHtml(esim.matchingId)}</code></p>
<p style="margin:4px 0;">ICCID: ${escapeHtml(esim.iccid)}</p>
${expiry}
</div>`;
    })
    .join('\n');
  const steps = (items: string[]): string => `<ol style="padding-left:20px;margin:8px 0;">${items.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ol>`;
  const bodyHtml = `<p>${escapeHtml(intro)}</p>
${esimHtml}
<h2 style="font-size:18px;margin:24px 0 8px 0;">Install on an iPhone</h2>
${steps(IPHONE_STEPS)}
<h2 style="font-size:18px;margin:24px 0 8px 0;">Install on Android</h2>
${steps(ANDROID_STEPS)}`;

  const esimText = mail.esims
    .map((esim, index) =>
      [
        count === 1 ? 'YOUR eSIM' : `eSIM ${index + 1} OF ${count}`,
        `LPA activation code: ${esim.lpa}`,
        `SM-DP+ address: ${esim.smdpAddress}`,
        `Activation code: ${esim.matchingId}`,
        `Install on iPhone: ${esim.appleInstallUrl}`,
        `ICCID: ${esim.iccid}`,
        ...(esim.expiresAt ? [`Install before: ${formatDate(esim.expiresAt)}`] : []),
        '(The QR code is attached to this e-mail.)',
      ].join('\n'),
    )
    .join('\n\n');
  const numbered = (items: string[]): string => items.map((s, i) => `${i + 1}. ${s}`).join('\n');
  const text = `${title}\n\n${intro}\n\n${esimText}\n\nINSTALL ON AN IPHONE\n${numbered(IPHONE_STEPS)}\n\nINSTALL ON ANDROID\n${numbered(ANDROID_STEPS)}\n\n${textFooter(ctx, mail.orderId)}`;

  return {
    subject,
    html: htmlLayout({ title, preheader: `Scan the QR code to install your eSIM for ${mail.bundleName}.`, bodyHtml, ctx, orderId: mail.orderId }),
    text,
  };
}
