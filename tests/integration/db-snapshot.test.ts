import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { isPool, type Executor } from "@/db/client";
import { selectRows } from "@/db/rows";
import { MAX_PARALLEL_READS, readInParallel } from "@/db/snapshot";

import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();

const count = async (tx: Executor) =>
  Number((await selectRows<{ n: string }>(tx, sql`select count(*)::text as n from snapshot_rows`))[0].n);
const snapshotOf = async (tx: Executor) =>
  (await selectRows<{ s: string }>(tx, sql`select pg_current_snapshot()::text as s`))[0].s;
const backend = async (tx: Executor) =>
  (await selectRows<{ pid: number }>(tx, sql`select pg_backend_pid() as pid`))[0].pid;

describe.runIf(Boolean(process.env.TEST_DATABASE_URL))("reads side by side from one snapshot", () => {
  it("runs each part on its own connection, and every part sees the database as it was when the first began", async () => {
    const db = database.db();
    expect(isPool(db)).toBe(true);
    await db.execute(sql`create table snapshot_rows (n int primary key)`);
    await db.execute(sql`insert into snapshot_rows select generate_series(1, 10)`);

    const seen = await readInParallel(db, [
      async (tx) => {
        // Committed by another connection once the snapshot exists: no part may see it.
        await db.execute(sql`insert into snapshot_rows values (11)`);
        return { rows: await count(tx), snapshot: await snapshotOf(tx), pid: await backend(tx) };
      },
      async (tx) => {
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { rows: await count(tx), snapshot: await snapshotOf(tx), pid: await backend(tx) };
      },
    ]);
    expect(seen.map((s) => s.rows)).toEqual([10, 10]);
    expect(seen[1].snapshot).toBe(seen[0].snapshot);
    expect(seen[1].pid).not.toBe(seen[0].pid);
    expect(await count(db)).toBe(11);
  });

  it("settles thirty at once without the pool waiting on itself, at most MAX_PARALLEL_READS side by side, the rest in turn", async () => {
    const db = database.db();
    const runs = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        readInParallel(
          db,
          [0, 1, 2].map((part) => async (tx: Executor) => {
            await tx.execute(sql`select pg_sleep(0.01)`);
            return { part: `${i}.${part}`, pid: await backend(tx) };
          }),
        ),
      ),
    );
    expect(runs.map((run) => run.map((r) => r.part))).toEqual(
      Array.from({ length: 30 }, (_, i) => [`${i}.0`, `${i}.1`, `${i}.2`]),
    );
    const sideBySide = runs.filter((run) => new Set(run.map((r) => r.pid)).size === 3).length;
    const inTurn = runs.filter((run) => new Set(run.map((r) => r.pid)).size === 1).length;
    expect(sideBySide).toBeGreaterThanOrEqual(1);
    expect(sideBySide).toBeLessThanOrEqual(MAX_PARALLEL_READS);
    expect(sideBySide + inTurn).toBe(30);
    expect(await count(db)).toBe(11);
  });

  it("waits for every part before giving the first failure, and leaves the pool usable", async () => {
    const db = database.db();
    let slowFinished = false;
    await expect(
      readInParallel(db, [
        async () => {
          throw new Error("part failed");
        },
        async (tx) => {
          await tx.execute(sql`select pg_sleep(0.1)`);
          slowFinished = true;
          return 1;
        },
      ]),
    ).rejects.toThrow("part failed");
    expect(slowFinished).toBe(true);
    // Parts only read: a write in one is refused.
    const write = await readInParallel(db, [
      async (tx) => tx.execute(sql`insert into snapshot_rows values (12)`),
    ]).catch((error: Error) => error);
    expect(String((write as Error).cause)).toMatch(/read-only transaction/);
    expect(await count(db)).toBe(11);
  });
});
