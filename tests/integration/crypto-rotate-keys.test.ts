import { randomBytes } from "node:crypto";

import { eq, getTableColumns, getTableName, is } from "drizzle-orm";
import { PgTable } from "drizzle-orm/pg-core";
import { afterAll, describe, expect, it } from "vitest";

import * as schema from "@/db/schema";
import { evidencePackParts, evidencePacks, people, signatures } from "@/db/schema";
import { openSigning, signAsEmployee } from "@/lib/agreements/employee-agreements";
import { startMfaEnrolment } from "@/lib/auth/mfa";
import { decryptBytes, decryptText, encryptBytes, keyIdOf, UnknownKeyError } from "@/lib/crypto/encryption";
import { sha256Hex } from "@/lib/crypto/hash";
import { ROTATED_COLUMNS, rotateEncryptionKeys } from "@/lib/crypto/rotate-keys";
import { resetEnvForTests } from "@/lib/env";
import { downloadEvidencePack, requestEvidencePack, runEvidencePacks } from "@/lib/evidence/packs";
import { forgetLrsConfig, lrsConfig } from "@/lib/xapi/lrs-config";
import { saveLrsSettings } from "@/lib/xapi/manage-lrs";

import { consentToSign } from "../helpers/consent";
import { context, createPerson, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const originalKey = process.env.DATA_ENCRYPTION_KEY!;
const newKey = Buffer.alloc(32, 9).toString("base64");
const oldKeyId = keyIdOf(Buffer.from(originalKey, "base64"));
const newKeyId = keyIdOf(Buffer.from(newKey, "base64"));

function useKeys(current: string, old: string[] = []) {
  process.env.DATA_ENCRYPTION_KEY = current;
  process.env.DATA_ENCRYPTION_OLD_KEYS = old.join(",");
  resetEnvForTests();
}

afterAll(() => useKeys(originalKey));

describe("key rotation", () => {
  it("re-encrypts every value under the new key; the old key works until then; an unknown key id is a clear error", async () => {
    const db = database.db();
    const person = viewerOf(await createPerson(db, { name: "Rosa Rotate" }));
    await startMfaEnrolment(person);
    const opened = await openSigning(person, "employee-nda", "10.0.0.1");
    await consentToSign(person, { ...context(person.id), ip: "10.0.0.1" }, "employee-nda", opened.ceremony.id);
    const { signatureId } = await signAsEmployee(
      person,
      { ...context(person.id), ip: "10.0.0.1" },
      {
        agreementId: "employee-nda",
        ceremonyId: opened.ceremony.id,
        password: TEST_PASSWORD,
        typedName: "Rosa Rotate",
      },
    );

    const admin = viewerOf(await createPerson(db, { name: "Lena LRS", roles: ["compliance_admin"] }));
    await saveLrsSettings(admin, context(admin.id), {
      endpoint: "http://127.0.0.1:9/xapi/",
      username: "key",
      password: "lrs-secret",
    });

    useKeys(newKey, [originalKey]);
    const [before] = await db.select({ pdf: signatures.pdfEnc }).from(signatures);
    expect(decryptBytes(before.pdf!, `signature:${signatureId}`).subarray(0, 5).toString()).toBe("%PDF-");

    const report = await rotateEncryptionKeys(db, { batchSize: 2 });
    expect(report.columns["signatures.pdf_enc"]).toBeGreaterThanOrEqual(1);
    expect(report.columns["people.mfa_pending_secret_enc"]).toBeGreaterThanOrEqual(1);
    expect(report.columns["outbox.attachments_enc"]).toBeGreaterThanOrEqual(1);
    expect(report.columns["lrs_settings.secret_enc"]).toBe(1);
    expect((await rotateEncryptionKeys(db)).columns["signatures.pdf_enc"]).toBe(0);

    useKeys(newKey);
    const [after] = await db.select({ pdf: signatures.pdfEnc }).from(signatures);
    expect(after.pdf!.split(".")[1]).toBe(report.keyId);
    expect(decryptBytes(after.pdf!, `signature:${signatureId}`).subarray(0, 5).toString()).toBe("%PDF-");
    const [row] = await db
      .select({ pending: people.mfaPendingSecretEnc, id: people.id })
      .from(people)
      .where(eq(people.id, person.id));
    expect(decryptText(row.pending!, `mfa:${row.id}`)).toMatch(/^[A-Z2-7]+$/);
    expect(() => decryptBytes(before.pdf!, `signature:${signatureId}`)).toThrow(UnknownKeyError);
    forgetLrsConfig();
    expect(await lrsConfig(db, { fresh: true })).toMatchObject({ password: "lrs-secret", secretUnreadable: false });
  });

  it("knows every encrypted column of the schema", () => {
    const encrypted = Object.values(schema as Record<string, unknown>)
      .filter((value): value is PgTable => is(value, PgTable))
      .flatMap((table) =>
        Object.values(getTableColumns(table))
          .filter((column) => column.name.endsWith("_enc"))
          .map((column) => `${getTableName(table)}.${column.name}`),
      );
    expect(encrypted.length).toBeGreaterThan(5);
    expect([...ROTATED_COLUMNS].sort()).toEqual(expect.arrayContaining(encrypted.sort()));
  });
});

describe("key rotation of stored evidence packs", () => {
  /** A ready pack whose ZIP is `size` random bytes, stored as the pack runner stores it, under the current key. */
  async function storedPack(createdBy: string, size: number) {
    const zip = randomBytes(size);
    const [row] = await database
      .db()
      .insert(evidencePacks)
      .values({
        createdBy,
        createdByLabel: "Auditor",
        periodFrom: "2026-01-01",
        periodTo: "2026-06-30",
        overdueDays: size,
        status: "ready",
      })
      .returning({ id: evidencePacks.id });
    await database
      .db()
      .update(evidencePacks)
      .set({ zipEnc: encryptBytes(zip, `evidence-pack:${row.id}`), zipBytes: zip.length, zipSha256: sha256Hex(zip) })
      .where(eq(evidencePacks.id, row.id));
    return { id: row.id, sha256: sha256Hex(zip) };
  }

  /** The key of a pack's stored ZIP: its single value, or the one key all its parts share. */
  const keyIdOfPack = async (id: string) => {
    const db = database.db();
    const [row] = await db.select({ zip: evidencePacks.zipEnc }).from(evidencePacks).where(eq(evidencePacks.id, id));
    if (row.zip) return row.zip.split(".")[1];
    const parts = await db
      .select({ data: evidencePackParts.dataEnc })
      .from(evidencePackParts)
      .where(eq(evidencePackParts.packId, id));
    const keys = [...new Set(parts.map((p) => p.data.split(".")[1]))];
    return keys.length === 1 ? keys[0] : `mixed: ${keys.join(", ")}`;
  };

  it("re-encrypts each pack under the new key, one at a time; downloads give the same bytes and SHA-256; a rerun after a crash finishes", async () => {
    useKeys(originalKey);
    const db = database.db();
    const auditor = viewerOf(await createPerson(db, { name: "Aude Auditor", roles: ["auditor"] }));
    // One pack as the runner makes it, and larger ones stored directly.
    const { id: generated } = await requestEvidencePack(auditor, context(auditor.id), {
      from: "2026-01-01",
      to: "2026-03-31",
    });
    expect(await runEvidencePacks()).toMatchObject({ generated: 1, failed: 0 });
    const packs = [
      {
        id: generated,
        sha256: (
          await db.select({ s: evidencePacks.zipSha256 }).from(evidencePacks).where(eq(evidencePacks.id, generated))
        )[0].s!,
      },
      await storedPack(auditor.id, 3 * 1024 * 1024),
      await storedPack(auditor.id, 700 * 1024),
    ];
    const downloaded = async (id: string) => (await downloadEvidencePack(auditor, context(auditor.id), id)).bytes;
    const before = new Map<string, string>();
    for (const pack of packs) before.set(pack.id, sha256Hex(await downloaded(pack.id)));
    for (const pack of packs) expect(before.get(pack.id)).toBe(pack.sha256);

    useKeys(newKey, [originalKey]);
    // A crash after the first pack: the rotation stops with one pack under the new key.
    const progress: number[] = [];
    await expect(
      rotateEncryptionKeys(db, {
        onProgress: (column, done) => {
          if (column !== "evidence_packs.zip_enc") return;
          progress.push(done);
          throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    expect(progress).toEqual([1]);
    // The runner's pack is stored in parts, rotated before the older single-value packs.
    const keyIds = await Promise.all(packs.map((p) => keyIdOfPack(p.id)));
    expect(keyIds[0]).toBe(newKeyId);
    expect(keyIds.slice(1).filter((k) => k === newKeyId)).toHaveLength(1);
    expect(keyIds.slice(1).filter((k) => k === oldKeyId)).toHaveLength(1);

    // The rerun skips the pack already rotated and reports the rest, batch by batch.
    const seen: number[] = [];
    const report = await rotateEncryptionKeys(db, {
      onProgress: (column, done) => column === "evidence_packs.zip_enc" && seen.push(done),
    });
    expect(report.columns["evidence_packs.zip_enc"]).toBe(1);
    expect(report.columns["evidence_pack_parts.data_enc"]).toBe(0);
    expect(seen).toEqual([1]);
    expect((await rotateEncryptionKeys(db)).columns["evidence_packs.zip_enc"]).toBe(0);

    // Without the old key every pack still downloads, byte for byte, and matches its recorded SHA-256.
    useKeys(newKey);
    for (const pack of packs) {
      expect(await keyIdOfPack(pack.id)).toBe(report.keyId);
      const [row] = await db
        .select({ s: evidencePacks.zipSha256, n: evidencePacks.zipBytes })
        .from(evidencePacks)
        .where(eq(evidencePacks.id, pack.id));
      const bytes = await downloaded(pack.id);
      expect(sha256Hex(bytes)).toBe(before.get(pack.id));
      expect(row.s).toBe(pack.sha256);
      expect(bytes.length).toBe(row.n);
    }
  });

  it("refuses to rewrite a pack whose bytes no longer match its recorded SHA-256", async () => {
    useKeys(originalKey);
    const db = database.db();
    const someone = await createPerson(db, { name: "Aude Other", roles: ["auditor"] });
    const pack = await storedPack(someone.id, 1024);
    await db
      .update(evidencePacks)
      .set({ zipSha256: "0".repeat(64) })
      .where(eq(evidencePacks.id, pack.id));
    useKeys(newKey, [originalKey]);
    await expect(rotateEncryptionKeys(db)).rejects.toThrow(/does not match its recorded SHA-256/);
    expect(await keyIdOfPack(pack.id)).toBe(oldKeyId);
  });
});
