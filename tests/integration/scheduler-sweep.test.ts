import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { selectRows } from "@/db/rows";
import { resetEnvForTests } from "@/lib/env";
import { claimHour, claimSweep, sliceStart, sweepOf } from "@/lib/scheduler/sweep";
import { tick } from "@/lib/scheduler/tick";

import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const PEOPLE = 250;

beforeAll(() => {
  process.env.SCHEDULER_SWEEP_PEOPLE = "100";
  resetEnvForTests();
});
afterAll(() => {
  delete process.env.SCHEDULER_SWEEP_PEOPLE;
  resetEnvForTests();
});

/** Person ids with an open assignment. */
async function assignedPeople(): Promise<Set<string>> {
  const rows = await selectRows<{ person_id: string }>(
    database.db(),
    sql`select distinct person_id from assignments where completed_at is null and cancelled_at is null`,
  );
  return new Set(rows.map((r) => r.person_id));
}

const inside = (id: string, from: string | null, to: string | null) =>
  (from === null || id >= from) && (to === null || id < to);

describe("the scheduler's sweep of a large organisation", () => {
  it("splits the id space into contiguous slices that cover every id once", () => {
    for (const slices of [2, 3, 7, 20, 1000]) {
      const sweeps = Array.from({ length: slices }, (_, i) => sweepOf(i, slices));
      expect(sweeps[0].from).toBeNull();
      expect(sweeps.at(-1)!.to).toBeNull();
      for (let i = 1; i < slices; i++) {
        expect(sweeps[i].from).toBe(sweeps[i - 1].to);
        expect(sweeps[i].from! > (sweeps[i - 1].from ?? "")).toBe(true);
      }
    }
    expect(sweepOf(0, 1)).toEqual({ slice: 0, slices: 1, from: null, to: null });
    expect(sliceStart(1, 2)).toBe("80000000-0000-0000-0000-000000000000");
  });

  it("claims the slices in turn, each once when workers claim at the same moment, and wraps around", async () => {
    const db = database.db();
    await db.execute(sql`insert into people (id, email, name)
      select gen_random_uuid(), 'sweep' || g || '@example.com', 'Sweep ' || g from generate_series(1, ${PEOPLE}) g`);
    const at = new Date("2026-03-02T09:00:00Z");
    const claimed = await Promise.all(Array.from({ length: 3 }, () => claimSweep(db, at)));
    expect(claimed.map((s) => s.slices)).toEqual([3, 3, 3]);
    expect(claimed.map((s) => s.slice).sort()).toEqual([0, 1, 2]);
    expect((await claimSweep(db, at)).slice).toBe(0);
    await db.execute(sql`delete from scheduler_sweeps`);
    await db.execute(sql`delete from people`);
  });

  it("gives each run one slice of people, and everyone within one rotation; nobody twice", async () => {
    const db = database.db();
    await db.execute(sql`insert into people (id, email, name)
      select gen_random_uuid(), 'swept' || g || '@example.com', 'Swept ' || g from generate_series(1, ${PEOPLE}) g`);
    const everyone = (await selectRows<{ id: string }>(db, sql`select id from people`)).map((r) => r.id);
    const now = new Date("2026-03-02T09:00:00Z");

    const seen = new Set<string>();
    for (let run = 0; run < 3; run++) {
      const report = await tick(now);
      expect(report.errors).toEqual([]);
      const { slice, slices } = report.steps.sweep as { slice: number; slices: number };
      expect([slice, slices]).toEqual([run, 3]);
      const { from, to } = sweepOf(slice, slices);
      const assigned = await assignedPeople();
      const added = [...assigned].filter((id) => !seen.has(id));
      // This run assigned exactly the people of its slice.
      expect(added.length).toBeGreaterThan(0);
      expect(added.every((id) => inside(id, from, to))).toBe(true);
      expect(added.sort()).toEqual(everyone.filter((id) => inside(id, from, to)).sort());
      // Reminders went to the same people only.
      const reminded = await selectRows<{ person_id: string }>(
        db,
        sql`select distinct person_id from outbox where person_id is not null`,
      );
      expect(reminded.every((r) => assigned.has(r.person_id))).toBe(true);
      for (const id of added) seen.add(id);
    }
    expect(seen.size).toBe(PEOPLE);
    // The next rotation starts again at the first slice and queues nothing new for it.
    const before = await selectRows<{ n: number }>(db, sql`select count(*)::int as n from outbox`);
    const again = await tick(now);
    expect((again.steps.sweep as { slice: number }).slice).toBe(0);
    expect(await selectRows<{ n: number }>(db, sql`select count(*)::int as n from outbox`)).toEqual(before);
  });

  it("runs the retention policy once an hour: the first run of the hour, one of two workers at once", async () => {
    const db = database.db();
    const nine = new Date("2026-03-03T09:00:05Z");
    const claims = await Promise.all(Array.from({ length: 5 }, () => claimHour(db, "hourly-test", nine)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect(await claimHour(db, "hourly-test", new Date("2026-03-03T09:59:59Z"))).toBe(false);
    expect(await claimHour(db, "hourly-test", new Date("2026-03-03T10:00:00Z"))).toBe(true);

    const first = await tick(new Date("2026-03-03T11:00:01Z"));
    const second = await tick(new Date("2026-03-03T11:01:01Z"));
    const next = await tick(new Date("2026-03-03T12:00:01Z"));
    expect(first.steps.retention).not.toEqual({ skipped: "ran this hour" });
    expect(second.steps.retention).toEqual({ skipped: "ran this hour" });
    expect(next.steps.retention).not.toEqual({ skipped: "ran this hour" });
  });
});
