import { escapeHtml, safeHref } from '../../domain/html';
import { formatDataAmount } from '../../domain/data-amount';
import { htmlLayout, textFooter, type MailContext, type RenderedEmail } from './email.layout';

export interface EsimNoticeMail {
  notice: 'USAGE_THRESHOLD' | 'EXPIRING' | 'EXPIRED';
  /** The order that bought the bundle (the mail's order link). */
  orderId: string;
  iccid: string;
  bundleName: string;
  threshold: number | null;
  remainingBytes: number | null;
  totalBytes: number | null;
  unlimited: boolean;
  endsAt: string | null;
}

export function esimUrl(ctx: MailContext, iccid: string): string {
  return `${ctx.appUrl.replace(/\/+$/, '')}/esims/${encodeURIComponent(iccid)}`;
}

function remainingLine(mail: EsimNoticeMail): string {
  if (mail.unlimited) return 'Your bundle is unlimited.';
  if (mail.remainingBytes === null) return '';
  const of = mail.totalBytes === null ? '' : ` of ${formatDataAmount(mail.totalBytes)}`;
  return `Data left: ${formatDataAmount(mail.remainingBytes)}${of}.`;
}

function endLine(mail: EsimNoticeMail): string {
  if (!mail.endsAt) return '';
  return mail.notice === 'EXPIRED' ? `It ended on ${formatUtc(mail.endsAt)}.` : `It ends on ${formatUtc(mail.endsAt)}.`;
}

function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} at ${iso.slice(11, 16)} UTC`;
}

function headline(mail: EsimNoticeMail): { subject: string; title: string; intro: string } {
  switch (mail.notice) {
    case 'USAGE_THRESHOLD':
      return mail.threshold === 100
        ? {
            subject: `You have used all the data of ${mail.bundleName}`,
            title: 'Your eSIM has no data left',
            intro: `You have used all the data of ${mail.bundleName} on your eSIM ${mail.iccid}.`,
          }
        : {
            subject: `You have used ${mail.threshold} % of ${mail.bundleName}`,
            title: `${mail.threshold} % of your data is used`,
            intro: `You have used ${mail.threshold} % of the data of ${mail.bundleName} on your eSIM ${mail.iccid}.`,
          };
    case 'EXPIRING':
      return {
        subject: `${mail.bundleName} expires within 24 hours`,
        title: 'Your bundle expires within 24 hours',
        intro: `${mail.bundleName} on your eSIM ${mail.iccid} expires within 24 hours; data left then is lost.`,
      };
    case 'EXPIRED':
      return {
        subject: `${mail.bundleName} has expired`,
        title: 'Your bundle has expired',
        intro: `${mail.bundleName} on your eSIM ${mail.iccid} has expired.`,
      };
  }
}

/** A usage or expiry notice about one bundle: what happened, the data left, and how to top up the same eSIM. */
export function renderEsimNotice(mail: EsimNoticeMail, ctx: MailContext): RenderedEmail {
  const { subject, title, intro } = headline(mail);
  const facts = [remainingLine(mail), endLine(mail)].filter((l) => l.length > 0);
  const link = esimUrl(ctx, mail.iccid);
  const topup =
    'Need more data? Top up this eSIM: it keeps working with the new bundle, nothing to install and no new QR code. ' +
    `Choose a bundle at ${link} (or POST /api/v1/esims/${mail.iccid}/topups with {"bundleName": "..."}).`;
  const bodyHtml = [
    `<p>${escapeHtml(intro)}</p>`,
    ...facts.map((f) => `<p><strong>${escapeHtml(f)}</strong></p>`),
    `<p>Need more data? Top up this eSIM: it keeps working with the new bundle, nothing to install and no new QR code.</p>`,
    `<p><a href="${safeHref(link)}" style="display:inline-block;padding:10px 18px;background:#0b6bcb;color:#ffffff;border-radius:6px;text-decoration:none;">Top up this eSIM</a></p>`,
  ].join('\n');
  return {
    subject,
    html: htmlLayout({ title, preheader: [intro, ...facts].join(' '), bodyHtml, ctx, orderId: mail.orderId }),
    text: `${title}\n\n${intro}\n${facts.join('\n')}\n\n${topup}\n\n${textFooter(ctx, mail.orderId)}`,
  };
}
