import { spawnSync } from "node:child_process";

import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { POSTGRES_POOL_MAX } from "@/db/client";
import { isLostConnection } from "@/db/lost-connection";
import { selectRows } from "@/db/rows";
import { people } from "@/db/schema";

import { adminUrl } from "../helpers/database-url";
import { createPerson } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();

/**
 * Ends every connection of the app's pool from outside, as a PostgreSQL
 * restart or an administrator does, while this process is busy: psql runs
 * synchronously and the process then waits, so the server's farewell sits
 * unread on each socket and the pool still takes those connections for open.
 */
function terminatePoolWhileBusy(databaseName: string) {
  const url = adminUrl(process.env.TEST_DATABASE_URL!, "postgres");
  const terminate = spawnSync(
    "psql",
    [
      url,
      "-XAtq",
      "-v",
      "ON_ERROR_STOP=1",
      "-c",
      `select count(*) filter (where pg_terminate_backend(pid, 5000)) from pg_stat_activity where datname = '${databaseName}'`,
    ],
    { encoding: "utf8" },
  );
  expect(terminate.status, terminate.stderr).toBe(0);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  return Number(terminate.stdout.trim());
}

/** Every connection of the pool open and idle: as many slow statements at once as it holds. */
async function fillPool() {
  const rows = await Promise.all(
    Array.from({ length: POSTGRES_POOL_MAX }, () =>
      selectRows<{ pid: number }>(database.db(), sql`select pg_backend_pid() as pid, pg_sleep(0.05)`),
    ),
  );
  return new Set(rows.map(([row]) => row.pid)).size;
}

describe.runIf(Boolean(process.env.TEST_DATABASE_URL))("the pool after PostgreSQL closed its connections", () => {
  it("answers every read and transaction sent at once on connections the server had ended, and writes each acknowledged statement once", async () => {
    const db = database.db();
    const [{ name }] = await selectRows<{ name: string }>(db, sql`select current_database() as name`);
    await db.execute(sql`create table lost_connection_writes (n int primary key)`);
    const person = await createPerson(db);

    const acknowledged: number[] = [];
    for (let round = 0; round < 3; round++) {
      expect(await fillPool()).toBe(POSTGRES_POOL_MAX);
      expect(terminatePoolWhileBusy(name)).toBe(POSTGRES_POOL_MAX);
      const base = round * 100;
      // Writes outside a transaction go first: each dead connection's first statement is one, and the
      // pool sends a second one down the same connection behind it.
      const writes = Array.from({ length: 2 * POSTGRES_POOL_MAX }, (_, i) => base + i);
      const [written, read, transacted] = await Promise.all([
        Promise.allSettled(writes.map((n) => db.execute(sql`insert into lost_connection_writes (n) values (${n})`))),
        Promise.allSettled(
          Array.from({ length: 2 * POSTGRES_POOL_MAX }, (_, i) =>
            i % 2
              ? db.select({ id: people.id }).from(people).where(eq(people.id, person.id))
              : selectRows(db, sql`select ${i}::int as i`),
          ),
        ),
        Promise.allSettled(
          Array.from({ length: 5 }, (_, i) =>
            db.transaction(async (tx) => {
              await tx.execute(sql`insert into lost_connection_writes (n) values (${base + 50 + i})`);
            }),
          ),
        ),
      ]);
      // Every read and every transaction is answered.
      expect(read.filter((r) => r.status === "rejected")).toEqual([]);
      expect(transacted.filter((r) => r.status === "rejected")).toEqual([]);
      acknowledged.push(...[0, 1, 2, 3, 4].map((i) => base + 50 + i));
      // A write fails only where its connection broke and it may have been sent: never for any other reason.
      for (const [i, result] of written.entries()) {
        if (result.status === "fulfilled") acknowledged.push(writes[i]);
        else expect(isLostConnection(result.reason), String(result.reason)).toBe(true);
      }
      expect(written.filter((r) => r.status === "fulfilled").length).toBeGreaterThanOrEqual(POSTGRES_POOL_MAX);
    }

    // Each acknowledged write is there once (the key would refuse a second), and nothing unacknowledged is.
    const rows = await selectRows<{ n: number }>(db, sql`select n from lost_connection_writes order by n`);
    expect(rows.map((r) => r.n)).toEqual(acknowledged.sort((a, b) => a - b));
  });
});
