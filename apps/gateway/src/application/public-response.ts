import { AppError } from '@ttelgo/http';
import type { z } from 'zod';

/**
 * The public response is shaped by the public contract, not by the RPC's: if the two ever drift apart (a field added
 * to the RPC reply), nothing reaches clients that the public API does not document, and a reply the public
 * contract cannot describe is the upstream's fault (502), not ours.
 */
export function toPublic<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new AppError('UPSTREAM_ERROR', 502, 'An upstream service answered with an invalid response.', { cause: result.error });
  }
  return result.data;
}
