// What a handler asks of DynamoDB, counted on the wire through a proxy: requests per operation, the
// items they returned, and how many were in flight at once. Tests hold handlers to bounds with it
// whatever the code under test looks like.
import type { FaultProxy } from './fault-proxy.js';

export interface DynamoDbReads {
  requests: Record<string, number>;
  items: Record<string, number>;
  /** The most requests that were waiting for DynamoDB at the same time. */
  mostInFlight: number;
}

/** Items a read answered with: the items of a BatchGetItem, or those a Query or Scan examined. */
function itemsIn(operation: string, response: Record<string, unknown>): number {
  if (operation === 'BatchGetItem') {
    const tables = (response.Responses ?? {}) as Record<string, unknown[]>;
    return Object.values(tables).reduce((sum, items) => sum + items.length, 0);
  }
  if (operation === 'GetItem') return response.Item ? 1 : 0;
  return Number(response.ScannedCount ?? response.Count ?? 0);
}

/** Counts what passes through a proxy that injects no faults. */
export function countReads(proxy: FaultProxy): { reads: DynamoDbReads; reset(): void } {
  const reads: DynamoDbReads = { requests: {}, items: {}, mostInFlight: 0 };
  let inFlight = 0;
  const plan = proxy.plan;
  proxy.plan = (operation) => {
    inFlight += 1;
    reads.mostInFlight = Math.max(reads.mostInFlight, inFlight);
    return plan(operation);
  };
  proxy.observe = ({ operation, response }) => {
    inFlight -= 1;
    reads.requests[operation] = (reads.requests[operation] ?? 0) + 1;
    const body = JSON.parse(response.toString('utf8')) as Record<string, unknown>;
    reads.items[operation] = (reads.items[operation] ?? 0) + itemsIn(operation, body);
  };
  return {
    reads,
    reset() {
      reads.requests = {};
      reads.items = {};
      reads.mostInFlight = 0;
    },
  };
}
