/** The catcher over its real interfaces: SMTP in (nodemailer), HTTP out (web page and JSON API). */
import nodemailer from 'nodemailer';
import { testLogger } from '@ttelgo/testing';
import { startSmtpCatcher, type SmtpCatcher } from '../src/catcher.app';

let catcher: SmtpCatcher;

beforeAll(async () => {
  catcher = await startSmtpCatcher({ smtpPort: 0, webPort: 0, logger: testLogger('smtp-catcher-test') });
});

afterAll(async () => {
  await catcher?.close();
});

function send(subject: string) {
  return nodemailer.createTransport({ url: `smtp://127.0.0.1:${catcher.smtpPort}`, connectionTimeout: 2000 }).sendMail({
    from: 'TtelGo <no-reply@ttelgo.local>',
    to: 'traveller@example.com',
    bcc: 'audit@example.com',
    subject,
    text: 'plain body',
    html: '<p>html body <img src="cid:qr-1@ttelgo"></p>',
    attachments: [{ filename: 'qr.png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47]), contentType: 'image/png', cid: 'qr-1@ttelgo' }],
  });
}

test('caught mail is listed, readable in full with attachment metadata and bytes, and deletable', async () => {
  const info = await send('Hello <catcher>');
  expect(info.response).toMatch(/^250 /);

  const list = (await (await fetch(`${catcher.webUrl}/api/messages`)).json()) as Array<{ id: string; subject: string; to: string[]; envelope: { to: string[] } }>;
  expect(list).toHaveLength(1);
  expect(list[0]).toMatchObject({ subject: 'Hello <catcher>', to: ['traveller@example.com'] });
  expect(list[0]!.envelope.to.sort()).toEqual(['audit@example.com', 'traveller@example.com']);

  const detail = (await (await fetch(`${catcher.webUrl}/api/messages/${list[0]!.id}`)).json()) as {
    html: string;
    text: string;
    messageId: string;
    attachments: Array<{ contentId: string; inline: boolean; size: number; url: string; contentType: string }>;
  };
  expect(detail.text.trim()).toBe('plain body');
  expect(detail.html).toContain('src="cid:qr-1@ttelgo"');
  expect(detail.messageId).toBe(info.messageId);
  expect(detail.attachments).toEqual([expect.objectContaining({ contentId: 'qr-1@ttelgo', inline: true, size: 4, contentType: 'image/png' })]);
  const bytes = Buffer.from(await (await fetch(`${catcher.webUrl}${detail.attachments[0]!.url}`)).arrayBuffer());
  expect([...bytes]).toEqual([0x89, 0x50, 0x4e, 0x47]);

  const page = await (await fetch(`${catcher.webUrl}/`)).text();
  expect(page).toContain('Hello &lt;catcher&gt;');
  const rendered = await (await fetch(`${catcher.webUrl}/messages/${list[0]!.id}/html`)).text();
  expect(rendered).toContain(`src="/api/messages/${list[0]!.id}/attachments/0"`);

  expect((await fetch(`${catcher.webUrl}/api/messages/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
  expect((await fetch(`${catcher.webUrl}/api/messages`, { method: 'DELETE' })).status).toBe(204);
  expect(await (await fetch(`${catcher.webUrl}/api/messages`)).json()).toEqual([]);
});

test('stopSmtp refuses connections and startSmtp accepts again on the same port', async () => {
  await catcher.stopSmtp();
  await expect(send('while stopped')).rejects.toMatchObject({ code: expect.stringMatching(/ESOCKET|ECONNECTION/) });
  await catcher.startSmtp();
  await send('after restart');
  const list = (await (await fetch(`${catcher.webUrl}/api/messages`)).json()) as Array<{ subject: string }>;
  expect(list.map((m) => m.subject)).toEqual(['after restart']);
});
