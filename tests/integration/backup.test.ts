import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { setDatabaseForTests } from "@/db/client";
import { importJobs, people } from "@/db/schema";
import { DEMO_PASSWORD, seedDemoOrganisation } from "@/db/seed";
import { openSigning, signAsEmployee } from "@/lib/agreements/employee-agreements";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify";
import { BackupError, createBackup, restoreBackup } from "@/lib/backup/backup";
import { tableChecksums } from "@/lib/backup/tables";
import { syncAssignments } from "@/lib/training/assignments";
import { recordLoadedCourseReleases } from "@/lib/training/course-releases";

import { consentToSign } from "../helpers/consent";
import { context, viewerOf } from "../helpers/factories";
import { openMigratedPglite, openTestDatabase, withTestDatabase } from "../helpers/test-database";

const source = withTestDatabase();

describe("backup and restore", () => {
  it(
    "round-trips every table into an empty database (the other driver too), refuses tampering, truncation and a non-empty target",
    { timeout: 180_000 },
    async () => {
      const db = source.db();
      await seedDemoOrganisation(db);
      await syncAssignments(db);
      const [ana] = await db.select().from(people).where(eq(people.email, "ana.silva@brightline.example"));
      const viewer = viewerOf(ana);
      const opened = await openSigning(viewer, "employee-nda", "10.1.1.1");
      await consentToSign(viewer, { ...context(ana.id), ip: "10.1.1.1" }, "employee-nda", opened.ceremony.id);
      await signAsEmployee(
        viewer,
        { ...context(ana.id), ip: "10.1.1.1" },
        { agreementId: "employee-nda", ceremonyId: opened.ceremony.id, password: DEMO_PASSWORD, typedName: ana.name },
      );
      const before = await tableChecksums(db);
      const { file } = await createBackup(db);
      expect(file.includes(Buffer.from("brightline.example"))).toBe(false);

      // A fresh database of the other kind when PostgreSQL is configured, else another PGlite.
      const target = source.driver() === "postgres" ? await openMigratedPglite() : await openTestDatabase();
      try {
        // The target was started once before the restore: it recorded the course versions it loaded.
        await recordLoadedCourseReleases(target.db, new Date("2030-01-01T00:00:00Z"));
        const restored = await restoreBackup(target.db, file);
        expect(restored).toEqual(before);
        expect((await verifyAuditChain(target.db)).ok).toBe(true);
        // Sequences moved past the restored rows: new events append cleanly.
        setDatabaseForTests(target);
        await recordAudit(target.db, context(null), { action: "auth.signed_out" });
        expect((await verifyAuditChain(target.db)).ok).toBe(true);
        await expect(restoreBackup(target.db, file)).rejects.toThrow("not empty");
      } finally {
        setDatabaseForTests(undefined);
        await target.close();
      }

      const tampered = Buffer.from(file);
      tampered[tampered.length - 40] ^= 0x01;
      const empty = await openTestDatabase();
      try {
        await expect(restoreBackup(empty.db, tampered)).rejects.toThrow(BackupError);
        await expect(restoreBackup(empty.db, file.subarray(0, file.length - 100))).rejects.toThrow(
          /modified or truncated/,
        );
        await expect(restoreBackup(empty.db, Buffer.from("hello"))).rejects.toThrow("Not a Clearance backup");
      } finally {
        await empty.close();
      }
    },
  );
  it("restores JSON values of every shape, text that needs escaping and nulls exactly as they were", async () => {
    const db = source.db();
    const awkward = [
      {
        summary: "a bare string",
        problemsPreview: [1, "two", null, { three: [3] }],
        error: 'quote " backslash \\ newline \n tab \t',
      },
      {
        summary: { nested: { deeper: [true, false] } },
        problemsPreview: null,
        error: "ünïcødé ✓ \u2028 😀",
      },
      { summary: 42, problemsPreview: [], error: null },
      { summary: null, problemsPreview: {}, error: "" },
    ];
    await db.insert(importJobs).values(
      awkward.map((a, i) => ({
        createdByLabel: `label ${i}`,
        fileName: `file-${i}.csv`,
        fileBytes: i,
        fileSha256: "0".repeat(64),
        fileGz: "H4sI",
        ...a,
      })),
    );
    await db.execute(sql`update import_jobs set summary = 'null'::jsonb where summary is null`);
    const before = await tableChecksums(db);
    const { file } = await createBackup(db);
    const target = await openTestDatabase();
    try {
      expect(await restoreBackup(target.db, file)).toEqual(before);
      const rows = await target.db.select().from(importJobs).orderBy(importJobs.fileBytes);
      expect(rows.map((r) => [r.summary, r.problemsPreview, r.error])).toEqual(
        awkward.map((a) => [a.summary, a.problemsPreview, a.error]),
      );
    } finally {
      await target.close();
    }
  });
});
