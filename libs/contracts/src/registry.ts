import type { MessageContract } from './define';
import { CatalogueUpdatedV1, GetBundleV1, ListBundlesV1 } from './esim';

/** Every message contract of the platform. The snapshot test walks this list. */
export const allContracts: readonly MessageContract[] = [ListBundlesV1, GetBundleV1, CatalogueUpdatedV1];

export const contractsByName: ReadonlyMap<string, MessageContract> = new Map(allContracts.map((c) => [c.name, c]));
