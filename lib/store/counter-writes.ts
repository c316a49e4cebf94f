// How changes to counters become DynamoDB updates: one update per item (a day's total, or a day's
// quarter-hours), adding every change to its attribute and counting the write in `version`. The
// counting function and the reconciliation's repairs both write counters this way.
import type { Counter } from '../counting/changes.js';
import { attributeDeltas, counterItemKey, type ItemKey } from './counter-keys.js';

export interface CounterUpdate {
  key: ItemKey;
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, number>;
}

/** The updates that add `delta` to each counter, one per item, in the order items first appear. */
export function counterUpdates(
  changes: readonly (Counter & { delta: number })[],
): { key: ItemKey; counters: Counter[]; update: CounterUpdate }[] {
  const items = new Map<string, { key: ItemKey; counters: Counter[]; adds: Map<string, number> }>();
  for (const { unit, period, delta } of changes) {
    const key = counterItemKey({ unit, period });
    const id = `${key.pk}\n${key.sk}`;
    let item = items.get(id);
    if (!item) {
      item = { key, counters: [], adds: new Map() };
      items.set(id, item);
    }
    item.counters.push({ unit, period });
    for (const [attribute, add] of attributeDeltas({ unit, period }, delta)) {
      item.adds.set(attribute, (item.adds.get(attribute) ?? 0) + add);
    }
  }
  return [...items.values()].map(({ key, counters, adds }) => {
    const names: Record<string, string> = {};
    const values: Record<string, number> = { ':one': 1 };
    // Changes that cancel out (one message moved to a later quarter-hour) leave totals alone.
    const nonZero = [...adds].filter(([, delta]) => delta !== 0);
    const terms = nonZero.map(([attribute, delta], index) => {
      names[`#c${index}`] = attribute;
      values[`:c${index}`] = delta;
      return `#c${index} :c${index}`;
    });
    return {
      key,
      counters,
      update: {
        key,
        // `version` counts the writes to an item, so that a reconciliation can tell whether its
        // counters changed between two readings (lib/reconcile/).
        UpdateExpression: `ADD ${terms.join(', ')}, version :one`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  });
}
