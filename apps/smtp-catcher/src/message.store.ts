import { createHash, randomUUID } from 'node:crypto';
import type { AddressObject, ParsedMail } from 'mailparser';

export interface CaughtAttachment {
  index: number;
  filename: string | null;
  contentType: string;
  /** Content-ID without angle brackets (inline parts referenced as cid:...). */
  contentId: string | null;
  disposition: string | null;
  inline: boolean;
  size: number;
  sha256: string;
  content: Buffer;
}

export interface CaughtMessage {
  id: string;
  receivedAt: string;
  /** SMTP envelope: what the client said in MAIL FROM / RCPT TO (Bcc recipients show up only here). */
  envelope: { from: string | null; to: string[] };
  messageId: string | null;
  from: string | null;
  to: string[];
  cc: string[];
  subject: string;
  date: string | null;
  html: string | null;
  text: string | null;
  headers: Record<string, string>;
  attachments: CaughtAttachment[];
  size: number;
  raw: Buffer;
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  if (!value) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.flatMap((a) => a.value.map((v) => v.address ?? v.name ?? '').filter(Boolean));
}

function headerText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'text' in value && typeof (value as { text: unknown }).text === 'string') return (value as { text: string }).text;
  if (value && typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value);
  return JSON.stringify(value);
}

/** The caught mail, newest first, capped so a runaway sender cannot exhaust memory. */
export class MessageStore {
  private readonly messages: CaughtMessage[] = [];

  constructor(private readonly maxMessages = 1000) {}

  add(parsed: ParsedMail, raw: Buffer, envelope: { from: string | null; to: string[] }): CaughtMessage {
    const message: CaughtMessage = {
      id: randomUUID(),
      receivedAt: new Date().toISOString(),
      envelope,
      messageId: parsed.messageId ?? null,
      from: addresses(parsed.from)[0] ?? null,
      to: addresses(parsed.to),
      cc: addresses(parsed.cc),
      subject: parsed.subject ?? '',
      date: parsed.date ? parsed.date.toISOString() : null,
      html: typeof parsed.html === 'string' ? parsed.html : null,
      text: parsed.text ?? null,
      headers: Object.fromEntries([...parsed.headers.entries()].map(([k, v]) => [k, headerText(v)])),
      attachments: parsed.attachments.map((a, index) => ({
        index,
        filename: a.filename ?? null,
        contentType: a.contentType,
        contentId: a.contentId ? a.contentId.replace(/^<|>$/g, '') : null,
        disposition: a.contentDisposition ?? null,
        inline: a.contentDisposition === 'inline' || a.related === true,
        size: a.size,
        sha256: '',
        content: a.content,
      })),
      size: raw.length,
      raw,
    };
    for (const att of message.attachments) att.sha256 = sha256(att.content);
    this.messages.unshift(message);
    this.messages.splice(this.maxMessages);
    return message;
  }

  list(): CaughtMessage[] {
    return [...this.messages];
  }

  get(id: string): CaughtMessage | undefined {
    return this.messages.find((m) => m.id === id);
  }

  clear(): number {
    return this.messages.splice(0).length;
  }
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
