import type { Logger } from '@ttelgo/observability';
import type { PrismaClient } from './generated/prisma/client';
import { SecretBox, SecretBoxError, isSealed } from './secret-box';

export interface SealWebhookSecretsResult {
  /** Legacy plaintext `whsec_...` rows now encrypted. */
  sealed: number;
  /** Rows under a previous key now under the current one (completes a rotation). */
  reencrypted: number;
  /** Rows another replica rewrote first (the conditional UPDATE matched nothing). */
  raced: number;
  /** Rows that could not be decrypted (unknown key, tampered): left as they are, their deliveries fail visibly. */
  unreadable: number;
}

const PAGE = 500;

/**
 * Start-up task, idempotent: every `webhook_endpoints` row not sealed with the current key is rewritten under it
 * (a plaintext row is encrypted; a row under a previous key is decrypted and re-encrypted). The key never enters
 * the database, so this cannot be a SQL migration. Replicas may run it at the same time: each UPDATE is
 * conditional on the value it read, so a row rewritten meanwhile (by another replica, or a vendor rotating its
 * secret) is left alone rather than overwritten with a stale secret.
 */
export async function sealStoredWebhookSecrets(opts: { prisma: PrismaClient; box: SecretBox; logger: Logger }): Promise<SealWebhookSecretsResult> {
  const { prisma, box, logger } = opts;
  const result: SealWebhookSecretsResult = { sealed: 0, reencrypted: 0, raced: 0, unreadable: 0 };
  const currentPrefix = `v1.${box.currentKeyId}.`;
  let after = '';
  for (;;) {
    const rows = await prisma.webhookEndpoint.findMany({
      where: { vendorId: { gt: after }, NOT: { secretCiphertext: { startsWith: currentPrefix } } },
      select: { vendorId: true, secretCiphertext: true },
      orderBy: { vendorId: 'asc' },
      take: PAGE,
    });
    for (const row of rows) {
      let plaintext: string;
      const legacy = !isSealed(row.secretCiphertext);
      if (legacy) {
        plaintext = row.secretCiphertext;
      } else {
        try {
          plaintext = box.open(row.secretCiphertext, row.vendorId);
        } catch (err) {
          if (!(err instanceof SecretBoxError)) throw err;
          result.unreadable += 1;
          logger.warn({ vendorId: row.vendorId, code: err.code, reason: err.message }, 'webhook secret cannot be decrypted; left as it is');
          continue;
        }
      }
      const { count } = await prisma.webhookEndpoint.updateMany({
        where: { vendorId: row.vendorId, secretCiphertext: row.secretCiphertext },
        data: { secretCiphertext: box.seal(plaintext, row.vendorId) },
      });
      if (count === 0) result.raced += 1;
      else if (legacy) result.sealed += 1;
      else result.reencrypted += 1;
    }
    if (rows.length < PAGE) break;
    after = rows[rows.length - 1]!.vendorId;
  }
  if (result.sealed + result.reencrypted + result.raced + result.unreadable > 0) {
    logger.info({ ...result, keyId: box.currentKeyId }, 'webhook secrets sealed with the current key');
  }
  return result;
}
