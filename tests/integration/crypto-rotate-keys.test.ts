import { afterAll, describe, expect, it } from "vitest";

import { people, signatures } from "@/db/schema";
import { openSigning, signAsEmployee } from "@/lib/agreements/employee-agreements";
import { startMfaEnrolment } from "@/lib/auth/mfa";
import { decryptBytes, decryptText, UnknownKeyError } from "@/lib/crypto/encryption";
import { rotateEncryptionKeys } from "@/lib/crypto/rotate-keys";
import { resetEnvForTests } from "@/lib/env";

import { consentToSign } from "../helpers/consent";
import { context, createPerson, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const originalKey = process.env.DATA_ENCRYPTION_KEY!;
const newKey = Buffer.alloc(32, 9).toString("base64");

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

    useKeys(newKey, [originalKey]);
    const [before] = await db.select({ pdf: signatures.pdfEnc }).from(signatures);
    expect(decryptBytes(before.pdf!, `signature:${signatureId}`).subarray(0, 5).toString()).toBe("%PDF-");

    const report = await rotateEncryptionKeys(db, { batchSize: 2 });
    expect(report.columns["signatures.pdf_enc"]).toBeGreaterThanOrEqual(1);
    expect(report.columns["people.mfa_pending_secret_enc"]).toBeGreaterThanOrEqual(1);
    expect(report.columns["outbox.attachments_enc"]).toBeGreaterThanOrEqual(1);
    expect((await rotateEncryptionKeys(db)).columns["signatures.pdf_enc"]).toBe(0);

    useKeys(newKey);
    const [after] = await db.select({ pdf: signatures.pdfEnc }).from(signatures);
    expect(after.pdf!.split(".")[1]).toBe(report.keyId);
    expect(decryptBytes(after.pdf!, `signature:${signatureId}`).subarray(0, 5).toString()).toBe("%PDF-");
    const [row] = await db.select({ pending: people.mfaPendingSecretEnc, id: people.id }).from(people);
    expect(decryptText(row.pending!, `mfa:${row.id}`)).toMatch(/^[A-Z2-7]+$/);
    expect(() => decryptBytes(before.pdf!, `signature:${signatureId}`)).toThrow(UnknownKeyError);
  });
});
