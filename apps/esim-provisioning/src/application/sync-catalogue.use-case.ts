/**
 * Refreshes our copy of eSIM Go's catalogue and of its country network data. The fetch happens first, outside any transaction; then ONE
 * transaction applies the diff, records the sync state and, only if something changed, enqueues
 * esim.catalogue-updated.v1 in the outbox. When eSIM Go is down, slow, or answers with nothing, the failure is
 * recorded and the stored catalogue is left exactly as it was: a failed or empty fetch never wipes it.
 */
import { CatalogueUpdatedV1 } from '@ttelgo/contracts';
import { enqueue } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import { withNetworks } from '../domain/catalogue-bundle';
import type { CatalogueSource } from '../infrastructure/esimgo/esimgo-catalogue.gateway';
import type { NetworkSource } from '../infrastructure/esimgo/esimgo-networks.gateway';
import type { CatalogueRepository } from '../infrastructure/catalogue.repository';

export type SyncResult =
  | { status: 'synced'; added: number; changed: number; removed: number; revision: string; bundleCount: number; published: boolean }
  | { status: 'failed'; error: string }
  | { status: 'skipped'; reason: string };

export class EmptyCatalogueError extends Error {
  override readonly name = 'EmptyCatalogueError';
}

export class SyncCatalogueUseCase {
  constructor(
    private readonly deps: {
      source: CatalogueSource;
      /** eSIM Go's country network data, fetched with the bundles; a failure fails the sync like a failed page. */
      networks?: NetworkSource;
      repository: CatalogueRepository;
      logger: Logger;
      producer: string;
      now?: () => Date;
    },
  ) {}

  async execute(): Promise<SyncResult> {
    const { source, repository, logger } = this.deps;
    const startedAt = this.deps.now?.() ?? new Date();
    const t0 = performance.now();
    let bundles;
    try {
      bundles = await source.listAllBundles();
      if (bundles.length === 0) throw new EmptyCatalogueError('eSIM Go returned an empty catalogue; keeping the stored copy');
      if (this.deps.networks) bundles = withNetworks(bundles, await this.deps.networks.countryNetworks());
    } catch (err) {
      const error = `${(err as Error).name}: ${(err as Error).message}`;
      logger.warn({ err }, 'catalogue sync failed; the stored catalogue stays in service');
      await repository.recordSyncFailure(error, startedAt).catch((dbErr: unknown) => {
        logger.error({ err: dbErr }, 'could not record the failed catalogue sync');
      });
      return { status: 'failed', error };
    }

    const fetched = bundles;
    const t1 = performance.now();
    const result = await repository.transaction(async (tx) => {
      const diff = await repository.replaceCatalogue(fetched, tx, startedAt);
      await repository.recordSyncSuccess(tx, { revision: diff.revision, bundleCount: diff.bundleCount, at: startedAt });
      const published = diff.added + diff.changed + diff.removed > 0;
      if (published) {
        await enqueue(
          tx,
          CatalogueUpdatedV1,
          {
            syncedAt: startedAt.toISOString(),
            revision: diff.revision,
            bundleCount: diff.bundleCount,
            added: diff.added,
            changed: diff.changed,
            removed: diff.removed,
          },
          { producer: this.deps.producer },
        );
      }
      return { ...diff, published };
    });
    logger.info(
      {
        added: result.added,
        changed: result.changed,
        removed: result.removed,
        bundleCount: result.bundleCount,
        revision: result.revision,
        fetchMs: Math.round(t1 - t0),
        writeMs: Math.round(performance.now() - t1),
      },
      'catalogue synced',
    );
    return { status: 'synced', ...result };
  }
}
