/**
 * The in-memory read model that list/get are served from, so an RPC never waits on Postgres.
 *
 * - Source of truth: this service's own tables (never eSIM Go), loaded whole: a few thousand bundles at most.
 * - Freshness: the sync state's revision (content hash of the active catalogue) is compared at most every
 *   `checkIntervalMs` (2 s), in the background, triggered by requests: a request never waits for the check.
 *   The replica that ran a sync refreshes at once (refresh()); the others within ~2 s.
 * - Failure: while Postgres is unreachable the last snapshot keeps being served; only a replica that never
 *   loaded one answers CATALOGUE_UNAVAILABLE.
 */
import type { Logger } from '@ttelgo/observability';
import type { CatalogueBundle } from '../domain/catalogue-bundle';
import { CatalogueIndex } from '../domain/catalogue-index';
import { catalogueUnavailable } from '../domain/catalogue.errors';

export interface CatalogueSnapshotSource {
  readRevision(): Promise<string | null>;
  loadActive(): Promise<{ revision: string | null; bundles: CatalogueBundle[] }>;
}

export interface CatalogueSnapshotOptions {
  logger: Logger;
  checkIntervalMs?: number;
  now?: () => number;
}

export class CatalogueSnapshot {
  private index: CatalogueIndex | undefined;
  private lastCheckAt = 0;
  private checking: Promise<void> | undefined;
  private loading: Promise<CatalogueIndex> | undefined;
  private readonly checkIntervalMs: number;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(
    private readonly source: CatalogueSnapshotSource,
    opts: CatalogueSnapshotOptions,
  ) {
    this.checkIntervalMs = opts.checkIntervalMs ?? 2000;
    this.now = opts.now ?? Date.now;
    this.log = opts.logger.child({ component: 'catalogue-snapshot' });
  }

  get revision(): string | null | undefined {
    return this.index?.revision;
  }

  /** The current index; loads it on first use, afterwards revalidates in the background. */
  async current(): Promise<CatalogueIndex> {
    const index = this.index;
    if (!index) {
      try {
        return await this.load();
      } catch (err) {
        this.log.error({ err }, 'catalogue snapshot cannot be loaded');
        throw catalogueUnavailable();
      }
    }
    if (!this.checking && this.now() - this.lastCheckAt >= this.checkIntervalMs) {
      this.checking = this.check().finally(() => {
        this.checking = undefined;
      });
    }
    return index;
  }

  /** Checks the revision now and reloads when it moved (after this replica's own sync). Never throws. */
  async refresh(): Promise<void> {
    await this.checking;
    await this.check();
  }

  private async check(): Promise<void> {
    this.lastCheckAt = this.now();
    try {
      const revision = await this.source.readRevision();
      if (!this.index || revision !== this.index.revision) await this.load();
    } catch (err) {
      this.log.warn({ err, revision: this.index?.revision }, 'catalogue revision check failed; serving the last snapshot');
    }
  }

  /** One load at a time; concurrent callers share it. */
  private load(): Promise<CatalogueIndex> {
    this.loading ??= (async () => {
      try {
        const { revision, bundles } = await this.source.loadActive();
        const index = new CatalogueIndex(bundles, revision);
        this.index = index;
        this.lastCheckAt = this.now();
        this.log.info({ revision, bundles: index.size }, 'catalogue snapshot loaded');
        return index;
      } finally {
        this.loading = undefined;
      }
    })();
    return this.loading;
  }
}
