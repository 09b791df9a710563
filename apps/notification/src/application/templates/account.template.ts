import { escapeHtml, safeHref } from '../../domain/html';
import type { MailContext, RenderedEmail } from './email.layout';

/** The reset page of the customer app, with the one-time token in the fragment-free query. */
export function passwordResetUrl(ctx: MailContext, token: string): string {
  return `${ctx.appUrl.replace(/\/+$/, '')}/reset-password?token=${encodeURIComponent(token)}`;
}

function page(title: string, paragraphs: string[], link?: { href: string; label: string }): string {
  const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`).join('\n');
  const button = link
    ? `<p style="margin:0 0 16px"><a href="${safeHref(link.href)}" style="background:#0b5fff;color:#fff;padding:10px 16px;border-radius:4px;text-decoration:none">${escapeHtml(link.label)}</a></p>`
    : '';
  return `<!doctype html>
<html><body style="margin:0;padding:24px;font-family:Arial,sans-serif;color:#1a1a1a">
<div style="max-width:600px;margin:0 auto">
<h1 style="font-size:20px">${escapeHtml(title)}</h1>
${body}
${button}
<p style="margin:24px 0 0;font-size:12px;color:#666">TtelGo</p>
</div></body></html>`;
}

export function renderPasswordReset(mail: { token: string; expiresAt: Date }, ctx: MailContext): RenderedEmail {
  const url = passwordResetUrl(ctx, mail.token);
  const minutes = Math.max(1, Math.round((mail.expiresAt.getTime() - Date.now()) / 60_000));
  const title = 'Reset your TtelGo password';
  const lines = [
    `Someone (hopefully you) asked to reset the password of this TtelGo account. The link works once, for the next ${minutes} minutes.`,
    'If you did not ask for it, ignore this mail: your password stays as it is.',
  ];
  return {
    subject: title,
    html: page(title, lines, { href: url, label: 'Choose a new password' }),
    text: `${title}\n\n${lines[0]}\n\n${url}\n\n${lines[1]}\n`,
  };
}

export function renderPasswordChanged(): RenderedEmail {
  const title = 'Your TtelGo password was changed';
  const lines = [
    'The password of your TtelGo account was just reset, and every device signed in to it was signed out.',
    'If this was not you, reset your password again at once and contact support.',
  ];
  return { subject: title, html: page(title, lines), text: `${title}\n\n${lines.join('\n\n')}\n` };
}
