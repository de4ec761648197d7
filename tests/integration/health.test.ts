import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";

import { GET as live } from "@/app/api/health/live/route";
import { GET as ready } from "@/app/api/health/ready/route";
import { GET as combined } from "@/app/api/health/route";
import { openDatabase, setDatabaseForTests, type Db } from "@/db/client";
import { resetDrainingForTests, startDraining } from "@/lib/lifecycle/draining";
import { checkReadiness, latestShippedMigration } from "@/lib/lifecycle/readiness";

import { closedPort } from "../helpers/loopback";
import { rowsOf, withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();

/** Puts the test database back as the app's database after a test swapped it. */
const restore = () =>
  setDatabaseForTests({ db: database.db(), driver: database.driver(), close: async () => undefined });

afterEach(() => {
  resetDrainingForTests();
  restore();
});

/** A port on this machine nothing listens on. */

describe("GET /api/health/live", () => {
  it("answers 200 without the database, and 503 once the process is shutting down", async () => {
    setDatabaseForTests({
      db: {} as Db,
      driver: "postgres",
      close: async () => undefined,
    });
    const up = live();
    expect(up.status).toBe(200);
    expect(up.headers.get("cache-control")).toBe("no-store");
    expect(await up.json()).toEqual({ status: "ok" });

    startDraining();
    const down = live();
    expect(down.status).toBe(503);
    expect(down.headers.get("cache-control")).toBe("no-store");
    expect(await down.json()).toEqual({ status: "shutting_down" });
  });
});

describe("GET /api/health/ready", () => {
  it("is ready with the database up and every shipped migration applied", async () => {
    const response = await ready();
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({
      status: "ok",
      checks: { database: "ok", migrations: "ok", process: "ok" },
    });
  });

  it("turns 503 at once when the process starts draining", async () => {
    startDraining();
    const response = await ready();
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      status: "not_ready",
      checks: { database: "ok", migrations: "ok", process: "draining" },
    });
  });

  it("is not ready while the newest migration is not recorded as applied", async () => {
    const db = database.db();
    const [newest] = rowsOf<{ id: number; hash: string; created_at: string }>(
      await db.execute(
        sql`select id, hash, created_at::text as created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`,
      ),
    );
    expect(Number(newest.created_at)).toBe(latestShippedMigration().when);
    await db.execute(sql`delete from drizzle.__drizzle_migrations where id = ${newest.id}`);
    try {
      const response = await ready();
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        status: "not_ready",
        checks: { database: "ok", migrations: "pending", process: "ok" },
      });
    } finally {
      await db.execute(
        sql`insert into drizzle.__drizzle_migrations (id, hash, created_at) values (${newest.id}, ${newest.hash}, ${Number(newest.created_at)})`,
      );
    }
    expect((await ready()).status).toBe(200);
  });

  it("answers 503 when the database does not answer (a server on a closed port)", async () => {
    const port = await closedPort();
    const unreachable = await openDatabase({ url: `postgres://clearance@127.0.0.1:${port}/clearance` });
    setDatabaseForTests(unreachable);
    try {
      const started = performance.now();
      const response = await ready();
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(response.status).toBe(503);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.json()).toEqual({
        status: "not_ready",
        checks: { database: "unavailable", migrations: "unknown", process: "ok" },
      });
      // The combined check reports the same outage, as before.
      const both = await combined();
      expect(both.status).toBe(503);
      expect(await both.json()).toEqual({ status: "degraded", database: { status: "unavailable" } });
    } finally {
      restore();
      await unreachable.close().catch(() => undefined);
    }
  });

  it("counts a database slower than the timeout as not ready", async () => {
    const hanging = { execute: () => new Promise(() => {}) } as unknown as Db;
    const started = performance.now();
    const result = await checkReadiness(async () => hanging, { timeoutMs: 100 });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(result).toEqual({ ready: false, checks: { database: "timeout", migrations: "unknown", process: "ok" } });
  });

  it("compares against the newest migration in the journal, not the last one listed", async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), "clearance-journal-"));
    try {
      mkdirSync(path.join(folder, "meta"));
      const entries = [
        { idx: 0, when: Date.now() + 86_400_000, tag: "9999_from_the_future" },
        { idx: 1, when: 1, tag: "0000_old" },
      ];
      writeFileSync(path.join(folder, "meta", "_journal.json"), JSON.stringify({ entries }));
      expect(latestShippedMigration(folder).tag).toBe("9999_from_the_future");
      const result = await checkReadiness(async () => database.db(), { migrationsFolder: folder });
      expect(result).toEqual({ ready: false, checks: { database: "ok", migrations: "pending", process: "ok" } });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});

describe("GET /api/health (combined)", () => {
  it("still answers liveness and database reachability in one", async () => {
    const response = await combined();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "ok",
      database: { status: "ok", driver: database.driver() },
    });
  });
});
