import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

import { setDatabaseForTests } from "@/db/client";
import { people } from "@/db/schema";
import { createAuditCheckpoint } from "@/lib/audit/checkpoints";
import { checkAuditIntegrity, latestCheckpoint } from "@/lib/audit/integrity";
import { recordAudit } from "@/lib/audit/record";
import { startMfaEnrolment } from "@/lib/auth/mfa";
import { BackupError, createBackup, restoreBackup } from "@/lib/backup/backup";
import { tableChecksums } from "@/lib/backup/tables";
import { currentKeyId, decryptText, keyIdOf } from "@/lib/crypto/encryption";
import { rotateEncryptionKeys } from "@/lib/crypto/rotate-keys";
import { resetEnvForTests } from "@/lib/env";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { openTestDatabase, withTestDatabase } from "../helpers/test-database";

/**
 * Backups outlive data keys: a backup made before a rotation must restore
 * while its key is kept in DATA_ENCRYPTION_OLD_KEYS, and without that key the
 * refusal must say which key to find.
 */
const source = withTestDatabase();
const originalKey = process.env.DATA_ENCRYPTION_KEY!;
const newKey = Buffer.alloc(32, 13).toString("base64");
const originalKeyId = keyIdOf(Buffer.from(originalKey, "base64"));

function useKeys(current: string, old: string[] = []) {
  process.env.DATA_ENCRYPTION_KEY = current;
  process.env.DATA_ENCRYPTION_OLD_KEYS = old.join(",");
  resetEnvForTests();
}

afterAll(() => useKeys(originalKey));

/** Restores into a fresh empty database, runs `check` on it, and closes it. */
async function restoreInto<T>(
  file: Buffer,
  check: (db: Awaited<ReturnType<typeof openTestDatabase>>["db"]) => Promise<T>,
): Promise<T> {
  const target = await openTestDatabase();
  try {
    await restoreBackup(target.db, file);
    return await check(target.db);
  } finally {
    await target.close();
  }
}

describe("backups across a data-key rotation", () => {
  it("restores a backup made under a key that was rotated out while it is kept as an old key, with the audit chain intact", async () => {
    const db = source.db();
    const person = viewerOf(await createPerson(db, { name: "Rosa Rotate" }));
    await startMfaEnrolment(person);
    for (let i = 0; i < 3; i++)
      await recordAudit(db, context(person.id), { action: "auth.signed_out_everywhere", data: { sessions: i } });
    await createAuditCheckpoint(db, { trigger: "manual", requestedBy: context(person.id) });
    const before = await tableChecksums(db);
    const { file } = await createBackup(db);
    expect(file.subarray(0, 200).toString()).toContain(`"keyId":"${originalKeyId}"`);

    // Rotation: new current key, the old one kept, every value re-encrypted.
    useKeys(newKey, [originalKey]);
    await rotateEncryptionKeys(db);
    expect(currentKeyId()).not.toBe(originalKeyId);

    const restored = await restoreInto(file, async (target) => {
      expect(await tableChecksums(target)).toEqual(before);
      // The restored values are still under the old key, which decrypts them until keys:rotate runs on this database.
      const [row] = await target
        .select({ id: people.id, pending: people.mfaPendingSecretEnc })
        .from(people)
        .where(eq(people.id, person.id));
      expect(row.pending!.split(".")[1]).toBe(originalKeyId);
      expect(decryptText(row.pending!, `mfa:${row.id}`)).toMatch(/^[A-Z2-7]+$/);
      expect((await rotateEncryptionKeys(target)).columns["people.mfa_pending_secret_enc"]).toBe(1);
      // The audit chain verifies with the chain key, which the data-key rotation does not touch, and new events and checkpoints follow on.
      setDatabaseForTests({ db: target, driver: source.driver(), close: async () => {} });
      try {
        await recordAudit(target, context(null), { action: "auth.signed_out" });
        await createAuditCheckpoint(target, { trigger: "manual", requestedBy: context(null) });
      } finally {
        setDatabaseForTests(undefined);
      }
      return checkAuditIntegrity(target, { full: true, checkpoint: await latestCheckpoint(target) });
    });
    expect(restored).toMatchObject({ ok: true, events: 6, problems: [], checkpoint: { id: 2, eventCount: 6 } });
  });

  it("without the old key, refuses and names the key id the backup needs", async () => {
    useKeys(originalKey);
    const { file } = await createBackup(source.db());
    useKeys(newKey);
    const target = await openTestDatabase();
    try {
      const refusal = restoreBackup(target.db, file);
      await expect(refusal).rejects.toThrow(BackupError);
      await expect(refusal).rejects.toThrow(
        `This backup was made with data key ${originalKeyId}, which is not configured. Put that key in DATA_ENCRYPTION_OLD_KEYS`,
      );
    } finally {
      await target.close();
    }
  });

  it("a header that names another configured key is refused as modified, not decrypted under it", async () => {
    useKeys(originalKey);
    const { file } = await createBackup(source.db());
    useKeys(newKey, [originalKey]);
    const swapped = Buffer.from(
      file.toString("latin1").replace(`"keyId":"${originalKeyId}"`, `"keyId":"${currentKeyId()}"`),
      "latin1",
    );
    const target = await openTestDatabase();
    try {
      await expect(restoreBackup(target.db, swapped)).rejects.toThrow(/modified or truncated/);
    } finally {
      await target.close();
    }
  });
});
