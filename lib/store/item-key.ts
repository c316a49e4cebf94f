// The primary key of an item in any of the service's tables (all keyed by `pk` and `sk`).
export interface ItemKey {
  pk: string;
  sk: string;
}
