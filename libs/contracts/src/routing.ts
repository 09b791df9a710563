import type { MessageContract } from './define';

/**
 * Where a message goes on the broker. The names live here, next to the contracts, so that the outbox (which
 * stores exchange and routing key with each row) and the topology declarations agree by construction.
 */
export const DEAD_LETTER_EXCHANGE = 'ttelgo.dlx';

export function eventExchange(producer: string): string {
  return `ttelgo.events.${producer}`;
}

export function commandExchange(owner: string): string {
  return `ttelgo.commands.${owner}`;
}

export function rpcQueue(owner: string): string {
  return `ttelgo.rpc.${owner}`;
}

export interface Route {
  exchange: string;
  routingKey: string;
}

export function routeFor(contract: Pick<MessageContract, 'kind' | 'owner' | 'name'>): Route {
  switch (contract.kind) {
    case 'event':
      return { exchange: eventExchange(contract.owner), routingKey: contract.name };
    case 'command':
      return { exchange: commandExchange(contract.owner), routingKey: contract.name };
    case 'rpc':
      // RPC requests go straight to the owner's queue through the default exchange.
      return { exchange: '', routingKey: rpcQueue(contract.owner) };
  }
}
