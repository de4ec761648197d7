import { readFileSync } from "node:fs";

import { afterAll, beforeAll, inject } from "vitest";

import { adoptDatabase, openDatabase, setDatabaseForTests, type Db } from "@/db/client";

import { adminUrl } from "./database-url";

type Handle = Awaited<ReturnType<typeof openDatabase>>;

/** Opens a fresh, migrated database for this test file (PGlite, or PostgreSQL with TEST_DATABASE_URL). */
export async function openTestDatabase(): Promise<Handle & { name: string }> {
  const template = inject("postgresTemplate");
  const url = process.env.TEST_DATABASE_URL;
  if (template && url) {
    const { default: postgres } = await import("postgres");
    const name = `clearance_t${Math.floor(Math.random() * 1e9)}_${template.split("_")[2]}_${Date.now()}`;
    const admin = postgres(adminUrl(url), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name} template ${template}`);
    const handle = await openDatabase({ url: adminUrl(url, name) });
    return {
      ...handle,
      name,
      close: async () => {
        await handle.close();
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      },
    };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const schema = await import("@/db/schema");
  const snapshot = readFileSync(inject("pgliteSnapshot"));
  const client = new PGlite({ loadDataDir: new Blob([snapshot]) });
  await client.waitReady;
  const db = adoptDatabase(drizzle(client, { schema }) as unknown as Db);
  return { db, driver: "pglite", name: "pglite", close: () => client.close() };
}

/** Installs a fresh database as the app's database for every test in the file. */
export function withTestDatabase(): { db: () => Db; driver: () => "pglite" | "postgres" } {
  let handle: Handle | undefined;
  beforeAll(async () => {
    handle = await openTestDatabase();
    setDatabaseForTests(handle);
  });
  afterAll(async () => {
    setDatabaseForTests(undefined);
    await handle?.close();
  });
  return {
    db: () => {
      if (!handle) throw new Error("database not ready");
      return handle.db;
    },
    driver: () => handle!.driver,
  };
}

/** `db.execute` returns an array on postgres.js and `{ rows }` on PGlite. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** A fresh in-memory PGlite, migrated here: for tests that cross drivers (e.g. PostgreSQL → PGlite). */
export async function openMigratedPglite(): Promise<Handle & { name: string }> {
  const handle = await openDatabase({});
  const { migrateDatabase } = await import("@/db/client");
  await migrateDatabase(handle);
  return { ...handle, name: "pglite" };
}
