import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import type { TestProject } from "vitest/node";

import { adminUrl, assertLocalDatabase } from "./database-url";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteSnapshot: string;
    postgresTemplate: string;
  }
}

/**
 * Migrates once per run; each test file then starts from a copy: a PGlite
 * data-directory snapshot, or a PostgreSQL database cloned from a template.
 */
export default async function setup(project: TestProject) {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const migrationsFolder = path.resolve(import.meta.dirname, "../../db/migrations");
  const url = process.env.TEST_DATABASE_URL;

  if (url) {
    assertLocalDatabase(url);
    const { default: postgres } = await import("postgres");
    const { drizzle: drizzlePg } = await import("drizzle-orm/postgres-js");
    const { migrate: migratePg } = await import("drizzle-orm/postgres-js/migrator");
    const template = `clearance_tpl_${process.pid}_${Date.now()}`;
    const admin = postgres(adminUrl(url), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${template}`);
    const client = postgres(adminUrl(url, template), { max: 1, onnotice: () => {} });
    await migratePg(drizzlePg(client), { migrationsFolder });
    await client.end();
    project.provide("postgresTemplate", template);
    project.provide("pgliteSnapshot", "");
    console.log(`[tests] integration tests run on PostgreSQL (${new URL(url).host}), template ${template}`);
    return async () => {
      const leftovers = await admin<
        { datname: string }[]
      >`select datname from pg_database where datname like ${`clearance_t%_${process.pid}_%`}`;
      for (const { datname } of leftovers) await admin.unsafe(`drop database if exists ${datname} with (force)`);
      await admin.end();
    };
  }

  const dir = mkdtempSync(path.join(os.tmpdir(), "clearance-pglite-"));
  const pg = new PGlite();
  await migrate(drizzle(pg), { migrationsFolder });
  const dump = await pg.dumpDataDir("gzip");
  const file = path.join(dir, "snapshot.tar.gz");
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await pg.close();
  project.provide("pgliteSnapshot", file);
  project.provide("postgresTemplate", "");
  console.log("[tests] integration tests run on PGlite (set TEST_DATABASE_URL to use PostgreSQL)");
  return () => rmSync(dir, { recursive: true, force: true });
}
