/**
 * Gathers work that arrives together into one call of `run`, per key (a
 * database handle): everything added in the same turn of the event loop goes
 * in one run, of at most `maxItems` items. At most `maxInFlight` runs are
 * under way per key; work that arrives meanwhile waits and goes in the next
 * run, so under load runs grow rather than multiply, and when it is quiet a
 * run starts at once. Each caller's promise settles with its run.
 */

type Waiter<R> = { resolve: (result: R) => void; reject: (error: unknown) => void; start: number; end: number };
type Run<T, R> = { items: T[]; waiters: Waiter<R>[] };
type KeyState<T, R> = { open: Run<T, R> | null; full: Run<T, R>[]; inFlight: number; scheduled: boolean };

export type BatcherOptions<K, T, R> = {
  maxItems: number;
  maxInFlight: number;
  run: (key: K, items: T[]) => Promise<R>;
  /** Each caller's share of a run's result, from the positions of its items in the run; the whole result when absent. */
  share?: (result: R, start: number, end: number) => R;
};

export type Batcher<K, T, R> = ((key: K, items: T[]) => Promise<R>) & {
  /** Items added for `key` and not yet handed to a run: the backlog, for callers that refuse work when it is long. */
  waiting: (key: K) => number;
};

export function createBatcher<K extends object, T, R>({
  maxItems,
  maxInFlight,
  run,
  share,
}: BatcherOptions<K, T, R>): Batcher<K, T, R> {
  const states = new WeakMap<K, KeyState<T, R>>();

  function pump(key: K, state: KeyState<T, R>): void {
    while (state.inFlight < maxInFlight) {
      const next = state.full.shift() ?? state.open;
      if (!next) return;
      if (next === state.open) state.open = null;
      state.inFlight += 1;
      run(key, next.items)
        .then(
          (result) => next.waiters.forEach((w) => w.resolve(share ? share(result, w.start, w.end) : result)),
          (error: unknown) => next.waiters.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          state.inFlight -= 1;
          pump(key, state);
        });
    }
  }

  const add = (key: K, items: T[]) => {
    let state = states.get(key);
    if (!state) states.set(key, (state = { open: null, full: [], inFlight: 0, scheduled: false }));
    const s = state;
    if (s.open && s.open.items.length + items.length > maxItems) {
      s.full.push(s.open);
      s.open = null;
    }
    const target = (s.open ??= { items: [], waiters: [] });
    const start = target.items.length;
    target.items.push(...items);
    if (!s.scheduled) {
      s.scheduled = true;
      setImmediate(() => {
        s.scheduled = false;
        pump(key, s);
      });
    }
    return new Promise<R>((resolve, reject) =>
      target.waiters.push({ resolve, reject, start, end: start + items.length }),
    );
  };
  const waiting = (key: K) => {
    const s = states.get(key);
    return s ? (s.open?.items.length ?? 0) + s.full.reduce((n, r) => n + r.items.length, 0) : 0;
  };
  return Object.assign(add, { waiting });
}
