import { describe, expect, it } from "vitest";

import { createBatcher } from "@/db/batcher";

/** A run that waits until the test lets it finish, recording what it was given. */
function controlledRuns() {
  const runs: { items: number[]; finish: (error?: Error) => void }[] = [];
  const run = (_key: object, items: number[]) =>
    new Promise<number>((resolve, reject) =>
      runs.push({ items: [...items], finish: (error) => (error ? reject(error) : resolve(items.length)) }),
    );
  return { runs, run };
}
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("createBatcher", () => {
  it("puts everything added in one turn of the event loop into one run", async () => {
    const { runs, run } = controlledRuns();
    const add = createBatcher({ maxItems: 100, maxInFlight: 2, run });
    const key = {};
    const answers = [add(key, [1]), add(key, [2, 3]), add(key, [4])];
    await turn();
    expect(runs.map((r) => r.items)).toEqual([[1, 2, 3, 4]]);
    runs[0].finish();
    expect(await Promise.all(answers)).toEqual([4, 4, 4]);
  });

  it("keeps at most maxInFlight runs going and gathers what arrives meanwhile into the next", async () => {
    const { runs, run } = controlledRuns();
    const add = createBatcher({ maxItems: 100, maxInFlight: 1, run });
    const key = {};
    const first = add(key, [1]);
    await turn();
    const later = [add(key, [2]), add(key, [3])];
    await turn();
    const last = add(key, [4]);
    await turn();
    expect(runs.map((r) => r.items)).toEqual([[1]]);
    runs[0].finish();
    await first;
    await turn();
    expect(runs.map((r) => r.items)).toEqual([[1], [2, 3, 4]]);
    runs[1].finish();
    expect(await Promise.all([...later, last])).toEqual([3, 3, 3]);
  });

  it("splits runs at maxItems and keeps keys apart", async () => {
    const { runs, run } = controlledRuns();
    const add = createBatcher({ maxItems: 3, maxInFlight: 5, run });
    const a = {};
    const b = {};
    void add(a, [1, 2]);
    void add(a, [3, 4]);
    void add(b, [5]);
    await turn();
    expect(runs.map((r) => r.items)).toEqual([[1, 2], [3, 4], [5]]);
    for (const r of runs) r.finish();
  });

  it("fails only the callers of the run that failed", async () => {
    const { runs, run } = controlledRuns();
    const add = createBatcher({ maxItems: 1, maxInFlight: 2, run });
    const key = {};
    const failing = add(key, [1]);
    const fine = add(key, [2]);
    await turn();
    runs[0].finish(new Error("connection lost"));
    runs[1].finish();
    await expect(failing).rejects.toThrow("connection lost");
    expect(await fine).toBe(1);
  });

  it("gives each caller its own share of a run's result, and counts what waits for a run", async () => {
    const runs: { items: number[]; finish: () => void }[] = [];
    const add = createBatcher<object, number, number[]>({
      maxItems: 4,
      maxInFlight: 1,
      run: (_key, items) =>
        new Promise((resolve) => runs.push({ items, finish: () => resolve(items.map((i) => i * 10)) })),
      share: (result, start, end) => result.slice(start, end),
    });
    const key = {};
    const first = add(key, [1, 2]);
    const second = add(key, [3]);
    expect(add.waiting(key)).toBe(3);
    await turn();
    expect(add.waiting(key)).toBe(0);
    const third = add(key, [4, 5, 6]);
    const fourth = add(key, [7, 8]);
    expect(add.waiting(key)).toBe(5);
    runs[0].finish();
    expect(await first).toEqual([10, 20]);
    expect(await second).toEqual([30]);
    await turn();
    runs[1].finish();
    expect(await third).toEqual([40, 50, 60]);
    await turn();
    runs[2].finish();
    expect(await fourth).toEqual([70, 80]);
    expect(add.waiting({})).toBe(0);
  });
});
