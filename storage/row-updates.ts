/**
 * Read-modify-write updates of one row, one at a time. A row of a ReplacingMergeTree is
 * changed by reading it and writing it again with a newer version, so two updates that
 * read before either writes lose one change (a PATCH racing a secret rotation wrote the
 * old secret back). ClickHouse has no compare-and-set, so this process is the single
 * writer of such rows: updates of the same row on the same client run in order, each
 * reading what the previous one wrote. (Roles split over processes share this only
 * within each process; the API, which makes the user's changes, is one process.)
 */
const queues = new WeakMap<object, Map<string, Promise<unknown>>>();

/** Runs `update` once every earlier update of `row` on `client` has finished. */
export function updateRow<T>(client: object, row: string, update: () => Promise<T>): Promise<T> {
  const rows = queues.get(client) ?? new Map<string, Promise<unknown>>();
  queues.set(client, rows);
  const previous = rows.get(row) ?? Promise.resolve();
  const next = previous.then(update, update);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  rows.set(row, settled);
  void settled.then(() => {
    if (rows.get(row) === settled) rows.delete(row);
  });
  return next;
}
