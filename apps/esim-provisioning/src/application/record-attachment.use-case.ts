/**
 * esim.record-attachment.v1: eSIM Go's FirstAttachment callback (the eSIM attached to a network for the first
 * time) is the eSIM's activation. In the consumer's inbox transaction, under the eSIM's lock (like every bundle
 * change), `activated_at` takes the attach time unless an earlier activation is stored: a replayed or late
 * callback changes nothing, and a first use seen before the callback arrived gives way to the earlier attach.
 * An ICCID we do not hold is acknowledged and logged, as for usage alerts (an eSIM of the account that is not ours).
 */
import type { RecordEsimAttachmentV1, DataOf } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import type { EsimTx, EsimsRepository } from '../infrastructure/esims.repository';

export type RecordAttachmentCommand = DataOf<typeof RecordEsimAttachmentV1>;
export type RecordAttachmentOutcome = 'ACTIVATED' | 'UNCHANGED' | 'UNKNOWN_ESIM';

export class RecordAttachmentUseCase {
  constructor(private readonly deps: { repository: Pick<EsimsRepository, 'lockEsim' | 'recordAttachment'>; logger: Logger }) {}

  async execute(tx: EsimTx, command: RecordAttachmentCommand): Promise<RecordAttachmentOutcome> {
    const { iccid } = command;
    if (!(await this.deps.repository.lockEsim(tx, iccid))) {
      this.deps.logger.warn({ iccid }, 'first attachment of an eSIM we do not know: ignored');
      return 'UNKNOWN_ESIM';
    }
    const changed = await this.deps.repository.recordAttachment(tx, iccid, new Date(command.attachedAt));
    this.deps.logger.info({ iccid, attachedAt: command.attachedAt, changed }, changed ? 'eSIM activated (first attachment)' : 'first attachment changes nothing');
    return changed ? 'ACTIVATED' : 'UNCHANGED';
  }
}
