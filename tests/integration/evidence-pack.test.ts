import { execFileSync } from "node:child_process";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { and, eq, sql } from "drizzle-orm";
import { PDFDocument } from "pdf-lib";
import { describe, expect, it } from "vitest";

import {
  accessDecisions,
  accessGrants,
  assignments,
  certifications,
  departments,
  evidencePackParts,
  evidencePacks,
  people,
  quizAttempts,
  signatures,
} from "@/db/schema";
import { encryptBytes } from "@/lib/crypto/encryption";
import { ForbiddenError } from "@/lib/errors";
import {
  claimEvidencePack,
  downloadEvidencePack,
  evidencePackStatus,
  listEvidencePacks,
  packPartContext,
  requestEvidencePack,
  runEvidencePacks,
  STALE_AFTER_MS,
} from "@/lib/evidence/packs";
import { verifyEvidencePack } from "@/lib/evidence/verify-pack";
import { readZip } from "@/lib/evidence/zip-reader";
import { ZipWriter } from "@/lib/evidence/zip-writer";
import { getSigningIdentity } from "@/lib/pdf/signing-identity";
import { DAY } from "@/lib/time";

import { context, createPerson, employeeSignature, viewerOf } from "../helpers/factories";
import { rowsOf, withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const PERIOD = { from: "2026-01-01", to: "2026-06-30" };
const at = (iso: string) => new Date(`${iso}T12:00:00Z`);

async function person(name: string, values: Partial<typeof people.$inferInsert> = {}) {
  const db = database.db();
  const row = await createPerson(db, { name, email: `${name.toLowerCase()}.${randomUUID().slice(0, 6)}@test.example` });
  await db
    .update(people)
    .set({ hireDate: "2025-01-01", ...values })
    .where(eq(people.id, row.id));
  return row;
}

async function attempt(personId: string, score: number, submittedAt: Date) {
  const [row] = await database
    .db()
    .insert(quizAttempts)
    .values({
      personId,
      courseId: "data-protection-law",
      courseVersion: "1.0.0",
      status: "submitted",
      drawn: [],
      questionCount: 10,
      correctCount: Math.round(score / 10),
      scorePercent: score,
      passMark: 80,
      passed: score >= 80,
      startedAt: submittedAt,
      submittedAt,
    })
    .returning({ id: quizAttempts.id });
  return row.id;
}

/** Builds a small organisation with a history in the first half of 2026. */
async function seed() {
  const db = database.db();
  await db.insert(departments).values({ id: "engineering", name: "Engineering" }).onConflictDoNothing();
  const stays = await person("Stays");
  const leftMid = await person("Leftmid", { status: "departed", departedAt: at("2026-03-15") });
  const leftBefore = await person("Leftbefore", { status: "departed", departedAt: at("2025-11-01") });
  const engineer = await person("Engineer", { departmentId: "engineering" });
  const private_ = await person("Private", { managerSeesScores: false });

  const passed = await attempt(stays.id, 90, at("2026-02-01"));
  await attempt(private_.id, 70, at("2026-02-02"));
  await attempt(private_.id, 85, at("2026-02-03"));
  await db.insert(certifications).values({
    personId: stays.id,
    courseId: "data-protection-law",
    courseVersion: "1.0.0",
    attemptId: passed,
    issuedAt: at("2026-02-01"),
    expiresAt: at("2027-02-01"),
    verificationCode: randomUUID().slice(0, 14),
  });
  await db.insert(assignments).values([
    {
      personId: stays.id,
      courseId: "data-protection-law",
      source: "rule",
      assignedAt: at("2026-01-05"),
      dueAt: at("2026-02-05"),
      completedAt: at("2026-02-01"),
    },
    {
      personId: leftMid.id,
      courseId: "data-protection-law",
      source: "rule",
      assignedAt: at("2026-01-05"),
      dueAt: at("2026-02-05"),
    },
  ]);
  const pdf = Buffer.from(await (await PDFDocument.create()).save());
  const signatureId = randomUUID();
  await db.insert(signatures).values([
    employeeSignature({
      id: signatureId,
      agreementId: "employee-nda",
      personId: stays.id,
      signedAt: at("2026-01-10"),
      renewalDueAt: at("2028-01-10"),
      pdfEnc: encryptBytes(pdf, `signature:${signatureId}`),
    }),
    employeeSignature({
      agreementId: "employee-nda",
      personId: engineer.id,
      signedAt: at("2026-01-11"),
      renewalDueAt: at("2028-01-11"),
    }),
  ]);
  await db.insert(accessGrants).values({
    personId: stays.id,
    roleId: "customer-pii-read",
    status: "approved",
    justification: "Tickets",
    requestedAt: at("2026-01-20"),
    decidedAt: at("2026-01-21"),
    decidedBy: engineer.id,
  });
  await db.insert(accessDecisions).values(
    Array.from({ length: 30 }, (_, i) => ({
      at: at(`2026-04-${String(1 + (i % 28)).padStart(2, "0")}`),
      personId: i % 2 ? stays.id : engineer.id,
      subject: "x",
      roleId: "customer-pii-read",
      allow: i % 3 !== 0,
      reasons: [],
    })),
  );
  return { stays, leftMid, leftBefore, engineer, private_, signatureId };
}

async function auditor() {
  return viewerOf(
    await createPerson(database.db(), {
      roles: ["auditor"],
      email: `auditor.${randomUUID().slice(0, 6)}@test.example`,
      departmentId: "support",
    }),
  );
}

async function makePack(request: { from: string; to: string; department?: string; overdueDays?: number }) {
  const viewer = await auditor();
  const { id } = await requestEvidencePack(viewer, context(viewer.id), request);
  expect(await runEvidencePacks()).toMatchObject({ generated: 1, failed: 0 });
  const { bytes } = await downloadEvidencePack(viewer, context(viewer.id), id);
  return { id, viewer, bytes, files: new Map(readZip(bytes).map((e) => [e.path, e.content])) };
}

const csv = (content: Buffer | undefined) =>
  content!
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trim()
    .split("\r\n");

/** Rebuilds a ZIP with one entry replaced. */
async function rezip(zip: Buffer, replace: Record<string, Buffer>) {
  const chunks: Buffer[] = [];
  const writer = new ZipWriter((c) => void chunks.push(c));
  for (const entry of readZip(zip)) await writer.add(entry.path, replace[entry.path] ?? entry.content);
  await writer.finish();
  return Buffer.concat(chunks);
}

describe("evidence pack", () => {
  it("holds the period's population, training, agreements, access and exceptions, with a signed manifest", async () => {
    const s = await seed();
    const { id, bytes, files } = await makePack(PERIOD);

    const population = csv(files.get("population.csv"));
    expect(population[0]).toBe("person_id,name,email,department,manager_name,manager_email,start_date,end_date,status");
    const text = population.join("\n");
    expect(text).toContain(s.stays.id);
    expect(text).toContain(`${s.leftMid.id},Leftmid`);
    expect(text).toContain("2026-03-15,departed");
    expect(text).not.toContain(s.leftBefore.id);
    expect(text).toContain(s.engineer.id);

    const attempts = csv(files.get("training/attempts.csv"));
    const stays = attempts.find((r) => r.includes(s.stays.id))!;
    expect(stays).toContain(",pass,90,80");
    const hidden = attempts.filter((r) => r.includes(s.private_.id));
    expect(hidden).toHaveLength(2);
    expect(hidden.join("\n")).toContain(",fail,not shared,80");
    expect(hidden.join("\n")).toContain(",pass,not shared,80");
    expect(hidden.join("\n")).not.toMatch(/,(70|85),/);

    expect(csv(files.get("training/certifications.csv"))[1]).toContain("in_force");
    const assigned = csv(files.get("training/assignments.csv"));
    expect(assigned).toHaveLength(3);
    expect(assigned.join("\n")).toContain("overdue");

    const signed = csv(files.get("agreements/signatures.csv"));
    expect(signed).toHaveLength(3);
    const pdfPath = `agreements/pdfs/2026-01-10-employee-nda-${s.signatureId}.pdf`;
    expect(signed.join("\n")).toContain(pdfPath);
    expect(files.get(pdfPath)!.subarray(0, 5).toString()).toBe("%PDF-");
    expect([...files.keys()].filter((p) => p.startsWith("agreements/pdfs/"))).toEqual([pdfPath]);

    const grants = csv(files.get("access/grants.csv"));
    expect(grants.map((r) => r.split(",")[5]).slice(1)).toEqual(["requested", "approved"]);
    const sample = csv(files.get("access/decisions-sample.csv"));
    expect(sample).toHaveLength(31);
    expect(files.get("exceptions.csv")).toBeDefined();
    expect(files.get("summary.pdf")!.subarray(0, 5).toString()).toBe("%PDF-");
    const summary = await PDFDocument.load(files.get("summary.pdf")!);
    expect(summary.getPageCount()).toBeGreaterThan(0);

    const manifest = JSON.parse(files.get("manifest.json")!.toString());
    expect(manifest).toMatchObject({ packId: id, period: { from: PERIOD.from, to: PERIOD.to }, overdueDays: 30 });
    expect(manifest.decisionSample.seed).toBe(id);
    expect(manifest.files.map((f: { path: string }) => f.path).sort()).toEqual(
      [...files.keys()].filter((p) => !p.startsWith("manifest.json")).sort(),
    );
    const check = verifyEvidencePack(bytes, [getSigningIdentity().certificatePem]);
    expect(check).toMatchObject({ ok: true, trusted: true });

    if (existsSync("/usr/bin/unzip")) {
      const dir = mkdtempSync(path.join(tmpdir(), "pack-"));
      writeFileSync(path.join(dir, "pack.zip"), bytes);
      expect(execFileSync("unzip", ["-t", path.join(dir, "pack.zip")]).toString()).toContain("No errors detected");
    }

    // The sample is drawn again the same way: the same pack id gives the same decisions.
    const ids = sample.slice(1).map((r) => r.split(",")[0]);
    const again = rowsOf<{ id: number }>(
      await database
        .db()
        .execute(
          sql`select id from access_decisions order by encode(sha256(convert_to(${id} || ':' || id::text, 'UTF8')), 'hex') limit 500`,
        ),
    ).map((r) => String(r.id));
    expect(ids).toEqual(again);
  });

  it("lists every person of an organisation larger than a page once, person by person, with each one's records", async () => {
    const db = database.db();
    const size = 1_234;
    const department = `d${randomUUID().slice(0, 6)}`;
    await db.insert(departments).values({ id: department, name: "Many" });
    const many = await db
      .insert(people)
      .values(
        Array.from({ length: size }, (_, i) => ({
          name: `Many ${i}`,
          email: `many.${String(i).padStart(4, "0")}.${department}@test.example`,
          departmentId: department,
          hireDate: "2025-01-01",
        })),
      )
      .returning({ id: people.id, email: people.email });
    // Two assignments each, given in reverse order so the file's order comes from the pack, not the table.
    for (const at_ of ["2026-03-01", "2026-02-01"])
      await db.insert(assignments).values(
        many.map((p) => ({
          personId: p.id,
          courseId: "data-protection-law",
          source: "rule" as const,
          assignedAt: at(at_),
          dueAt: at("2026-04-01"),
          completedAt: at(at_),
        })),
      );
    const { files } = await makePack({ ...PERIOD, department });
    const population = csv(files.get("population.csv")).slice(1);
    const emails = population.map((r) => r.split(",")[2]);
    expect(emails).toEqual(many.map((p) => p.email).sort());
    const rows = csv(files.get("training/assignments.csv"))
      .slice(1)
      .map((r) => r.split(","));
    expect(rows).toHaveLength(2 * size);
    // Person by person in e-mail order, and oldest first within each person.
    expect(rows.filter((_, i) => i % 2 === 0).map((r) => r[2])).toEqual(emails);
    expect(rows.every((r, i) => r[2] === rows[i - (i % 2)][2])).toBe(true);
    expect(rows.filter((_, i) => i % 2 === 0).every((r) => r[6].startsWith("2026-02-01"))).toBe(true);
  });

  it("stores the ZIP in encrypted parts that download whole, and refuses a pack with a part missing, moved or from another pack", async () => {
    const db = database.db();
    const viewer = await auditor();
    const zip = randomBytes(3 * 1024 + 5);
    const pieces = [zip.subarray(0, 1024), zip.subarray(1024, 2048), zip.subarray(2048)];
    const pack = async () => {
      const [row] = await db
        .insert(evidencePacks)
        .values({
          createdBy: viewer.id,
          createdByLabel: viewer.email,
          periodFrom: "2025-01-01",
          periodTo: `2025-01-${String(10 + Math.floor(Math.random() * 18))}`,
          overdueDays: Math.floor(Math.random() * 1000),
          status: "ready",
          zipBytes: zip.length,
          zipSha256: createHash("sha256").update(zip).digest("hex"),
        })
        .returning({ id: evidencePacks.id });
      await db.insert(evidencePackParts).values(
        pieces.map((piece, seq) => ({
          packId: row.id,
          seq,
          dataEnc: encryptBytes(piece, packPartContext(row.id, seq)),
        })),
      );
      return row.id;
    };
    const download = (id: string) => downloadEvidencePack(viewer, context(viewer.id), id);
    const whole = await pack();
    expect((await download(whole)).bytes.equals(zip)).toBe(true);

    const missing = await pack();
    await db.delete(evidencePackParts).where(and(eq(evidencePackParts.packId, missing), eq(evidencePackParts.seq, 1)));
    await expect(download(missing)).rejects.toThrow(/missing part 1/);

    // Parts 0 and 1 swapped: each is bound to its place, so neither opens where it now stands.
    const swapped = await pack();
    const parts = await db.select().from(evidencePackParts).where(eq(evidencePackParts.packId, swapped));
    const [first, second] = [parts.find((p) => p.seq === 0)!, parts.find((p) => p.seq === 1)!];
    await db.update(evidencePackParts).set({ dataEnc: second.dataEnc }).where(eq(evidencePackParts.id, first.id));
    await db.update(evidencePackParts).set({ dataEnc: first.dataEnc }).where(eq(evidencePackParts.id, second.id));
    await expect(download(swapped)).rejects.toThrow();

    // A part copied from another pack does not open either.
    const borrowed = await pack();
    const [theirs] = await db
      .select()
      .from(evidencePackParts)
      .where(and(eq(evidencePackParts.packId, whole), eq(evidencePackParts.seq, 2)));
    await db
      .update(evidencePackParts)
      .set({ dataEnc: theirs.dataEnc })
      .where(and(eq(evidencePackParts.packId, borrowed), eq(evidencePackParts.seq, 2)));
    await expect(download(borrowed)).rejects.toThrow();
  });

  it("keeps to a department when one is chosen", async () => {
    const { files } = await makePack({ ...PERIOD, department: "engineering" });
    const population = csv(files.get("population.csv")).slice(1);
    expect(population.length).toBeGreaterThan(0);
    expect(population.every((r) => r.includes(",Engineering,"))).toBe(true);
    const signed = csv(files.get("agreements/signatures.csv")).slice(1);
    expect(signed.length).toBeGreaterThan(0);
    expect(signed.every((r) => !r.includes("stays."))).toBe(true);
  });

  it("refuses a pack with one byte changed, a file added or missing, or a forged manifest", async () => {
    const { bytes } = await makePack({ from: "2026-02-01", to: "2026-05-31", overdueDays: 10 });
    const entries = new Map(readZip(bytes).map((e) => [e.path, e.content]));

    const population = Buffer.from(entries.get("population.csv")!);
    population[population.length - 3] ^= 1;
    expect(verifyEvidencePack(await rezip(bytes, { "population.csv": population }))).toMatchObject({
      ok: false,
      reason: expect.stringContaining("population.csv"),
    });

    const manifest = JSON.parse(entries.get("manifest.json")!.toString());
    manifest.files[0].sha256 = "0".repeat(64);
    const forged = await rezip(bytes, { "manifest.json": Buffer.from(JSON.stringify(manifest, null, 2) + "\n") });
    expect(verifyEvidencePack(forged)).toMatchObject({
      ok: false,
      reason: expect.stringContaining("signature does not verify"),
    });

    const chunks: Buffer[] = [];
    const writer = new ZipWriter((c) => void chunks.push(c));
    for (const [p, content] of entries) if (p !== "exceptions.csv") await writer.add(p, content);
    await writer.add("extra.txt", "not in the manifest");
    await writer.finish();
    expect(verifyEvidencePack(Buffer.concat(chunks))).toMatchObject({
      ok: false,
      reason: expect.stringContaining("exceptions.csv"),
    });

    const tampered = Buffer.from(bytes);
    tampered[100] ^= 0xff;
    expect(verifyEvidencePack(tampered).ok).toBe(false);
    expect(verifyEvidencePack(Buffer.from("not a zip"))).toMatchObject({ ok: false });
  });

  it("makes one pack of thirty simultaneous requests for the same period, and separate packs of different ones", async () => {
    const viewer = await auditor();
    const request = { from: "2026-03-01", to: "2026-03-31", overdueDays: 5 };
    const results = await Promise.all(
      Array.from({ length: 30 }, () => requestEvidencePack(viewer, context(viewer.id), request)),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const other = await requestEvidencePack(viewer, context(viewer.id), { ...request, department: "engineering" });
    expect(other.id).not.toBe(results[0].id);
    const db = database.db();
    const rows = await db
      .select({ id: evidencePacks.id })
      .from(evidencePacks)
      .where(eq(evidencePacks.createdBy, viewer.id));
    expect(rows).toHaveLength(2);
    const requested = rowsOf<{ n: number }>(
      await db.execute(
        sql`select count(*)::int as n from audit_events where action = 'evidence.requested' and actor_id = ${viewer.id}`,
      ),
    )[0].n;
    expect(requested).toBe(2);

    // Two runners racing: each pack is claimed once.
    const [a, b] = await Promise.all([claimEvidencePack(db), claimEvidencePack(db)]);
    expect(a?.id).not.toBe(b?.id);
    expect(await claimEvidencePack(db)).toBeNull();
    // A runner that died: its heartbeat goes stale and the pack is taken over, then made once.
    expect(await claimEvidencePack(db, new Date(Date.now() + STALE_AFTER_MS + 1000))).not.toBeNull();
    await runEvidencePacks({ now: () => new Date(Date.now() + 3 * STALE_AFTER_MS) });
    expect((await evidencePackStatus(viewer, results[0].id)).status).toBe("ready");
    // Once ready, the same request makes a new pack.
    expect((await requestEvidencePack(viewer, context(viewer.id), request)).created).toBe(true);
  });

  it("refuses bad requests and people who are not auditors or compliance admins", async () => {
    const viewer = await auditor();
    await expect(
      requestEvidencePack(viewer, context(viewer.id), { from: "2026-05-01", to: "2026-01-01" }),
    ).rejects.toMatchObject({ field: "to" });
    await expect(
      requestEvidencePack(viewer, context(viewer.id), { from: "2026-01-01", to: "2026-02-01", department: "nowhere" }),
    ).rejects.toMatchObject({ field: "department" });
    await expect(
      requestEvidencePack(viewer, context(viewer.id), { from: "2026-13-01", to: "2026-02-01" }),
    ).rejects.toMatchObject({ field: "from" });
    // The pattern fits and Date.parse takes it as 2 March; the calendar does not.
    await expect(
      requestEvidencePack(viewer, context(viewer.id), { from: "2026-02-01", to: "2026-02-30" }),
    ).rejects.toMatchObject({ field: "to", message: "Not a date in the calendar." });
    const { id } = await requestEvidencePack(viewer, context(viewer.id), { from: "2025-01-01", to: "2025-01-31" });
    await runEvidencePacks();
    for (const roles of [[], ["manager"]] as const) {
      const other = viewerOf(
        await createPerson(database.db(), { roles: [...roles], email: `x.${randomUUID().slice(0, 6)}@test.example` }),
      );
      await expect(requestEvidencePack(other, context(other.id), PERIOD)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(listEvidencePacks(other)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(evidencePackStatus(other, id)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(downloadEvidencePack(other, context(other.id), id)).rejects.toBeInstanceOf(ForbiddenError);
    }
    await expect(downloadEvidencePack(viewer, context(viewer.id), "not-a-uuid")).rejects.toMatchObject({
      code: "not_found",
    });
    const downloads = rowsOf<{ n: number }>(
      await database
        .db()
        .execute(sql`select count(*)::int as n from audit_events where action = 'evidence.downloaded'`),
    )[0].n;
    expect(downloads).toBeGreaterThan(0);
    expect(DAY).toBeGreaterThan(0);
  });
});
