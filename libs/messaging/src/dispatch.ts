/**
 * A consumer that accepts several message types routes each to its own handler: `dispatchByType` builds both the
 * consumer's `contracts` (the queue's bindings) and its `handle`, from one list, so a type can neither be bound
 * without a handler nor handled without a binding, and each handler gets its message's data typed by its contract
 * (the consumer already parsed it with that contract).
 */
import type { Envelope, MessageContract } from '@ttelgo/contracts';

export interface MessageRoute {
  contract: MessageContract;
  handle(envelope: Envelope<unknown>, tx: unknown): Promise<unknown>;
}

export function route<T>(contract: MessageContract<T>, handle: (data: T, tx: unknown, envelope: Envelope<T>) => Promise<unknown>): MessageRoute {
  return { contract: contract as MessageContract, handle: (envelope, tx) => handle(envelope.data as T, tx, envelope as Envelope<T>) };
}

export function dispatchByType(routes: readonly MessageRoute[]): { contracts: MessageContract[]; handle: (envelope: Envelope<unknown>, tx: unknown) => Promise<void> } {
  const byType = new Map<string, MessageRoute>();
  for (const r of routes) {
    if (byType.has(r.contract.name)) throw new Error(`two handlers for ${r.contract.name}`);
    byType.set(r.contract.name, r);
  }
  return {
    contracts: routes.map((r) => r.contract),
    handle: async (envelope, tx) => {
      const r = byType.get(envelope.type);
      // Unreachable through startConsumer (it only passes types of `contracts`); a bug if it ever happens.
      if (!r) throw new Error(`no handler for ${envelope.type}`);
      await r.handle(envelope, tx);
    },
  };
}
