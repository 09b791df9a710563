/**
 * Starts the real SMTP catcher in-process on port 0. The catcher is an app, and apps may not import each other;
 * this test helper is the sanctioned exception for simulators of external systems (here: the mail server):
 * component tests talk SMTP to a real server and read what it caught through its HTTP API, never a mock.
 */
import type { Logger } from '@ttelgo/observability';
// eslint-disable-next-line @nx/enforce-module-boundaries -- test-only: drive the real SMTP catcher in-process (see above)
import { startSmtpCatcher, type SmtpCatcher } from '../../../smtp-catcher/src/catcher.app';

export type { SmtpCatcher };

export interface CaughtAttachmentJson {
  index: number;
  filename: string | null;
  contentType: string;
  contentId: string | null;
  inline: boolean;
  size: number;
  sha256: string;
  url: string;
}

export interface CaughtMessageJson {
  id: string;
  messageId: string | null;
  from: string | null;
  to: string[];
  subject: string;
  html: string | null;
  text: string | null;
  attachments: CaughtAttachmentJson[];
}

export function startCatcher(logger: Logger): Promise<SmtpCatcher> {
  return startSmtpCatcher({ smtpPort: 0, webPort: 0, logger });
}

/** Every caught mail (full detail) whose text mentions `needle` (the order id is in every mail's footer). */
export async function mailsMentioning(catcher: SmtpCatcher, needle: string): Promise<CaughtMessageJson[]> {
  const list = (await (await fetch(`${catcher.webUrl}/api/messages`)).json()) as Array<{ id: string }>;
  const full = await Promise.all(list.map(async (m) => (await (await fetch(`${catcher.webUrl}/api/messages/${m.id}`)).json()) as CaughtMessageJson));
  return full.filter((m) => (m.text ?? '').includes(needle));
}

export async function attachmentBytes(catcher: SmtpCatcher, attachment: CaughtAttachmentJson): Promise<Buffer> {
  const res = await fetch(`${catcher.webUrl}${attachment.url}`);
  if (!res.ok) throw new Error(`attachment download failed: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}
