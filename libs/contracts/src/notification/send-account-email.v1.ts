import { z } from 'zod';
import { defineRpc } from '../define';

/**
 * Gateway -> notification: an e-mail about the account itself. PASSWORD_RESET carries the one-time reset token (the
 * mail holds the link; the gateway keeps only its hash); PASSWORD_CHANGED tells the owner that the password was
 * reset and every session ended. `requestId` makes the call idempotent: a retry queues no second mail.
 */
export const SendAccountEmailV1 = defineRpc(
  'notification.send-account-email.v1',
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('PASSWORD_RESET'),
      requestId: z.uuid(),
      userId: z.uuid(),
      to: z.email(),
      resetToken: z.string().min(20).max(200),
      expiresAt: z.iso.datetime({ offset: true }),
    }),
    z.object({ kind: z.literal('PASSWORD_CHANGED'), requestId: z.uuid(), userId: z.uuid(), to: z.email() }),
  ]),
  z.object({ status: z.enum(['QUEUED', 'ALREADY_QUEUED']) }),
);
