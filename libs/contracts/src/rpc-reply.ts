import { z } from 'zod';

/** The body of every RPC reply: the result, or a coded error that the gateway maps to problem+json. */
export const RpcErrorSchema = z.object({
  code: z.string().min(1),
  message: z.string(),
  status: z.number().int().min(400).max(599),
});

export const RpcReplySchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), data: z.unknown() }),
  z.object({ ok: z.literal(false), error: RpcErrorSchema }),
]);

export type RpcError = z.infer<typeof RpcErrorSchema>;
export type RpcReply<T> = { ok: true; data: T } | { ok: false; error: RpcError };
