import { escapeHtml, safeHref } from '../../domain/html';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** What every mail's frame needs: where people go for help and to see their order. */
export interface MailContext {
  /** Public base URL of the customer app, e.g. https://app.ttelgo.com (no trailing slash needed). */
  appUrl: string;
}

export function orderUrl(ctx: MailContext, orderId: string): string {
  return `${ctx.appUrl.replace(/\/+$/, '')}/orders/${encodeURIComponent(orderId)}`;
}

/** Orders are referred to by the first block of their uuid, as customers read it to support. */
export function orderReference(orderId: string): string {
  return orderId.split('-')[0]?.toUpperCase() ?? orderId;
}

/**
 * The HTML frame: a single 600 px column with inline styles only, because mail clients drop <style> blocks and
 * external CSS. `bodyHtml` must already be escaped by the caller.
 */
export function htmlLayout(opts: { title: string; preheader: string; bodyHtml: string; ctx: MailContext; orderId: string }): string {
  const link = safeHref(orderUrl(opts.ctx, opts.orderId));
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(opts.title)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:Helvetica,Arial,sans-serif;color:#1f2933;">
<span style="display:none;max-height:0;overflow:hidden;">${escapeHtml(opts.preheader)}</span>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7;"><tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:8px;">
<tr><td style="padding:24px 32px;border-bottom:1px solid #e4e7eb;font-size:20px;font-weight:bold;color:#0b6bcb;">TtelGo</td></tr>
<tr><td style="padding:24px 32px;font-size:15px;line-height:1.5;">
<h1 style="font-size:22px;margin:0 0 16px 0;">${escapeHtml(opts.title)}</h1>
${opts.bodyHtml}
<p style="margin:24px 0 0 0;"><a href="${link}" style="color:#0b6bcb;">View your order ${escapeHtml(orderReference(opts.orderId))}</a></p>
</td></tr>
<tr><td style="padding:16px 32px;border-top:1px solid #e4e7eb;font-size:12px;color:#7b8794;">You receive this e-mail because you placed an order at TtelGo. Order id: ${escapeHtml(opts.orderId)}</td></tr>
</table></td></tr></table>
</body>
</html>
`;
}

export function textFooter(ctx: MailContext, orderId: string): string {
  return `View your order: ${orderUrl(ctx, orderId)}\n\n--\nTtelGo. You receive this e-mail because you placed an order at TtelGo.\nOrder id: ${orderId}\n`;
}
