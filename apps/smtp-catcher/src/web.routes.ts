import { createHttpApp, finishHttpApp } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import type { Express, Response } from 'express';
import type { CaughtAttachment, CaughtMessage, MessageStore } from './message.store';

function esc(value: string | number | null | undefined): string {
  return String(value ?? '').replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] ?? ch);
}

function attachmentJson(a: CaughtAttachment, messageId: string) {
  return {
    index: a.index,
    filename: a.filename,
    contentType: a.contentType,
    contentId: a.contentId,
    disposition: a.disposition,
    inline: a.inline,
    size: a.size,
    sha256: a.sha256,
    url: `/api/messages/${messageId}/attachments/${a.index}`,
  };
}

function summaryJson(m: CaughtMessage) {
  return {
    id: m.id,
    receivedAt: m.receivedAt,
    messageId: m.messageId,
    from: m.from,
    to: m.to,
    cc: m.cc,
    envelope: m.envelope,
    subject: m.subject,
    date: m.date,
    size: m.size,
    attachments: m.attachments.map((a) => attachmentJson(a, m.id)),
  };
}

function page(res: Response, title: string, body: string): void {
  res.type('html').send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#1f2933}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #e4e7eb;padding:6px 8px;text-align:left;vertical-align:top}pre{white-space:pre-wrap;background:#f4f5f7;padding:12px}
a{color:#0b6bcb}iframe{width:100%;height:900px;border:1px solid #e4e7eb}</style></head><body>${body}</body></html>`);
}

/**
 * The catcher's web side: a page listing the caught mail, one page per mail (with its HTML rendered and cid:
 * images pointing at the attachments), and a JSON API for tests and scripts. No client-side script, so the
 * platform's default CSP (helmet) applies unchanged.
 */
export function createCatcherWebApp(opts: { store: MessageStore; logger: Logger; smtpPort: () => number }): Express {
  const { store } = opts;
  const app = createHttpApp({ logger: opts.logger, service: 'smtp-catcher' });

  app.get('/api/messages', (_req, res) => {
    res.json(store.list().map(summaryJson));
  });
  app.get('/api/messages/:id', (req, res) => {
    const m = store.get(req.params.id);
    if (!m) return void res.status(404).json({ error: 'MESSAGE_NOT_FOUND' });
    res.json({ ...summaryJson(m), html: m.html, text: m.text, headers: m.headers });
  });
  app.get('/api/messages/:id/raw', (req, res) => {
    const m = store.get(req.params.id);
    if (!m) return void res.status(404).json({ error: 'MESSAGE_NOT_FOUND' });
    res.type('message/rfc822').send(m.raw);
  });
  app.get('/api/messages/:id/attachments/:index', (req, res) => {
    const m = store.get(req.params.id);
    const a = m?.attachments[Number(req.params.index)];
    if (!m || !a) return void res.status(404).json({ error: 'ATTACHMENT_NOT_FOUND' });
    res.type(a.contentType).setHeader('Content-Disposition', `inline; filename="${(a.filename ?? `part-${a.index}`).replace(/["\\\r\n]/g, '_')}"`);
    res.send(a.content);
  });
  app.delete('/api/messages', (_req, res) => {
    store.clear();
    res.status(204).end();
  });

  app.get('/', (_req, res) => {
    const rows = store
      .list()
      .map((m) => `<tr><td>${esc(m.receivedAt)}</td><td>${esc(m.to.join(', '))}</td><td><a href="/messages/${esc(m.id)}">${esc(m.subject || '(no subject)')}</a></td><td>${m.attachments.length}</td></tr>`)
      .join('');
    page(
      res,
      'SMTP catcher',
      `<h1>SMTP catcher</h1><p>SMTP on port ${esc(opts.smtpPort())}. Mail sent here is kept in memory and never delivered.
<form method="post" action="/messages/delete-all" style="display:inline"><button>Delete all</button></form></p>
<table><tr><th>Received</th><th>To</th><th>Subject</th><th>Attachments</th></tr>${rows || '<tr><td colspan="4">No mail yet.</td></tr>'}</table>`,
    );
  });
  app.post('/messages/delete-all', (_req, res) => {
    store.clear();
    res.redirect(303, '/');
  });
  app.get('/messages/:id', (req, res) => {
    const m = store.get(req.params.id);
    if (!m) return void res.status(404).type('text').send('Message not found');
    const attachments = m.attachments
      .map((a) => `<li><a href="/api/messages/${esc(m.id)}/attachments/${a.index}">${esc(a.filename ?? `part ${a.index}`)}</a> (${esc(a.contentType)}, ${a.size} bytes${a.contentId ? `, cid:${esc(a.contentId)}` : ''})</li>`)
      .join('');
    page(
      res,
      m.subject,
      `<p><a href="/">&larr; all mail</a></p><h1>${esc(m.subject)}</h1>
<table><tr><th>From</th><td>${esc(m.from)}</td></tr><tr><th>To</th><td>${esc(m.to.join(', '))}</td></tr>
<tr><th>Date</th><td>${esc(m.date)}</td></tr><tr><th>Message-ID</th><td>${esc(m.messageId)}</td></tr></table>
<h2>Attachments</h2><ul>${attachments || '<li>none</li>'}</ul>
${m.html !== null ? `<h2>HTML</h2><iframe sandbox src="/messages/${esc(m.id)}/html" title="HTML body"></iframe>` : ''}
<h2>Text</h2><pre>${esc(m.text)}</pre><p><a href="/api/messages/${esc(m.id)}/raw">Raw message</a></p>`,
    );
  });
  app.get('/messages/:id/html', (req, res) => {
    const m = store.get(req.params.id);
    if (!m || m.html === null) return void res.status(404).type('text').send('Message not found');
    // cid: images become links to the stored parts, so the mail renders as a mail client would show it.
    const html = m.html.replace(/(["'(])cid:([^"')\s]+)/gi, (whole, quote: string, cid: string) => {
      const part = m.attachments.find((a) => a.contentId === cid);
      return part ? `${quote}/api/messages/${m.id}/attachments/${part.index}` : whole;
    });
    res.type('html').send(html);
  });

  finishHttpApp(app, opts.logger);
  return app;
}
