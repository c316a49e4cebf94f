// The outcome of reading one exported document: what it becomes here, or why it cannot.
export type Mapped<T> = { ok: true; value: T } | { ok: false; reason: string };

export const accepted = <T>(value: T): Mapped<T> => ({ ok: true, value });

export const rejected = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** An id quoted in a reason, cut short so that a hostile file cannot flood the report. */
export const quoted = (id: string) => JSON.stringify(id.length > 64 ? `${id.slice(0, 64)}…` : id);
