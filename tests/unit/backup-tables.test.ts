import { getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";

import * as schema from "@/db/schema";
import { BACKUP_TABLES } from "@/lib/backup/tables";

describe("backups", () => {
  it("hold every table of the schema, each once", () => {
    const tables = (Object.values(schema) as unknown[])
      .filter((value): value is PgTable => is(value, PgTable))
      .map((t) => getTableName(t))
      // Only moves forward and starts from the clock, so a restored database never reuses a number (db/schema/access.ts).
      .filter((name) => name !== "access_revision")
      .sort();
    const backedUp = BACKUP_TABLES.map((t) => getTableName(t));
    expect(new Set(backedUp).size).toBe(backedUp.length);
    expect([...backedUp].sort()).toEqual(tables);
  });
});
