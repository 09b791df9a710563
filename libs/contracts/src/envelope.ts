import { z } from 'zod';

/** The envelope every message travels in (docs/architecture.md#envelope). AMQP `messageId` = `id`, AMQP `type` = `type`. */
export const EnvelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1).max(200),
  occurredAt: z.iso.datetime({ offset: true }),
  producer: z.string().min(1).max(100),
  correlationId: z.string().min(1).max(200),
  causationId: z.string().min(1).max(200).optional(),
  data: z.unknown(),
});

export interface Envelope<T = unknown> {
  id: string;
  type: string;
  occurredAt: string;
  producer: string;
  correlationId: string;
  causationId?: string;
  data: T;
}
