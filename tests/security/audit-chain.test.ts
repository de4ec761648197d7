import { generateKeyPairSync, X509Certificate } from "node:crypto";

import { asc, desc, eq, sql } from "drizzle-orm";
import forge from "node-forge";
import { beforeEach, describe, expect, it } from "vitest";

import { auditCheckpoints, auditEvents } from "@/db/schema";
import { eventHash, GENESIS_HASH } from "@/lib/audit/canonical";
import { checkpointFileText, openCheckpoint, signCheckpoint } from "@/lib/audit/checkpoint-file";
import { AuditChainBrokenError, createAuditCheckpoint, trustedCertificates } from "@/lib/audit/checkpoints";
import { checkAgainstCheckpointFile, checkAuditIntegrity, latestCheckpoint } from "@/lib/audit/integrity";
import { recordAudit } from "@/lib/audit/record";
import { verifyAuditChain } from "@/lib/audit/verify";

import { context } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * An attacker with write access to the database (any SQL) and the source code,
 * but not AUDIT_CHAIN_KEY nor the sealing key, tries to hide what the audit log
 * recorded. The defender holds a checkpoint file downloaded earlier.
 */
const database = withTestDatabase();

async function record(n: number, from = 0) {
  for (let i = 0; i < n; i++)
    await database
      .db()
      .transaction((tx) =>
        recordAudit(tx, context(), { action: "auth.signed_out_everywhere", data: { sessions: from + i } }),
      );
}

/** A checkpoint signed now, as the file an auditor keeps outside the database. */
async function checkpointFile(): Promise<{ text: string; headId: number; eventCount: number }> {
  const row = await createAuditCheckpoint(database.db(), { trigger: "manual", requestedBy: context() });
  const [stored] = await database
    .db()
    .select({ document: auditCheckpoints.document })
    .from(auditCheckpoints)
    .where(eq(auditCheckpoints.id, row!.id));
  return { text: stored.document, headId: row!.headId, eventCount: row!.eventCount };
}

const allEvents = () => database.db().select().from(auditEvents).orderBy(asc(auditEvents.id));

/** What an attacker without the key can do: recompute every hash from `fromId` on with the public, unkeyed algorithm. */
async function rehashWithoutKey(fromId: number, keepKeyId: boolean) {
  const rows = await allEvents();
  let previous = GENESIS_HASH;
  for (const row of rows) {
    if (row.id < fromId) {
      previous = row.hash;
      continue;
    }
    const fields = {
      at: row.at,
      actorId: row.actorId,
      actorLabel: row.actorLabel,
      action: row.action,
      targetType: row.targetType,
      targetId: row.targetId,
      ip: row.ip,
      userAgent: row.userAgent,
      data: row.data,
      prevHash: previous,
    };
    const hash = eventHash(fields);
    await database
      .db()
      .execute(
        sql`update audit_events set prev_hash = ${previous}, hash = ${hash}, key_id = ${keepKeyId ? row.keyId : null} where id = ${row.id}`,
      );
    previous = hash;
  }
}

beforeEach(async () => {
  await database.db().execute(sql`truncate audit_events, audit_checkpoints restart identity`);
});

describe("the audit chain under attack", () => {
  it("seals every new event with the chain key: the hash anyone can compute does not match it", async () => {
    await record(3);
    const rows = await allEvents();
    expect(rows.every((r) => /^[0-9a-f]{12}$/.test(r.keyId ?? ""))).toBe(true);
    for (const row of rows) expect(eventHash({ ...row })).not.toBe(row.hash);
    expect(await verifyAuditChain(database.db())).toEqual({ ok: true, count: 3 });
  });

  it("truncating the newest events: the checkpoint names the missing head and how many events went", async () => {
    await record(30);
    const file = await checkpointFile();
    expect(file).toMatchObject({ headId: 31, eventCount: 31 });
    await record(5, 100);
    expect((await checkAgainstCheckpointFile(database.db(), file.text)).ok).toBe(true);

    // The newest 8 events (#29 to #36) and every checkpoint row in the database go.
    await database.db().execute(sql`delete from audit_events where id > 28`);
    await database.db().execute(sql`delete from audit_checkpoints`);
    // What is left is a perfectly good chain on its own.
    expect(await verifyAuditChain(database.db())).toEqual({ ok: true, count: 28 });

    const report = await checkAgainstCheckpointFile(database.db(), file.text);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      "Event #31, the head of the checkpoint (31 events through #31), is missing: the log now ends at #28 with 28 events. 3 events (#29 to #31) were deleted from the end.",
    ]);
  });

  it("deleting an event before the head and re-linking the rest without the key fails", async () => {
    await record(12);
    const file = await checkpointFile();
    await database.db().execute(sql`delete from audit_events where id = 5`);
    await rehashWithoutKey(6, true);
    const report = await checkAgainstCheckpointFile(database.db(), file.text);
    expect(report.ok).toBe(false);
    expect(report.problems.join("\n")).toMatch(/#6 breaks the chain: its contents do not match its hash/);
  });

  it("rewriting an event and recomputing every later hash without the key fails, however it is done", async () => {
    await record(20);
    const file = await checkpointFile();
    await record(3, 100);
    const target = 10;
    await database.db().execute(sql`update audit_events set data = '{"i": 999}'::jsonb where id = ${target}`);

    // Keeping the key ids: the recomputed hashes are not the keyed ones.
    await rehashWithoutKey(target, true);
    let report = await checkAgainstCheckpointFile(database.db(), file.text);
    expect(report.problems.join("\n")).toMatch(/Audit event #10 breaks the chain: its contents do not match its hash/);

    // Passing the rewritten events off as written before the chain was keyed.
    await rehashWithoutKey(target, false);
    expect(await verifyAuditChain(database.db())).toMatchObject({
      ok: false,
      brokenId: target,
      reason: "unkeyed_after_keyed",
    });

    // Passing the whole log off as unkeyed: it chains, but not to what was signed.
    await rehashWithoutKey(1, false);
    expect(await verifyAuditChain(database.db())).toEqual({ ok: true, count: 24 });
    report = await checkAgainstCheckpointFile(database.db(), file.text);
    expect(report.ok).toBe(false);
    expect(report.problems).toContain(
      `Event #${file.headId} no longer has the hash the checkpoint signed: the history up to it was changed.`,
    );
    expect(report.problems.join("\n")).toMatch(
      /Events up to #24 carry no chain key and no signed checkpoint covers them/,
    );

    // The database's own checkpoint says the same, and no new checkpoint is signed over the rewrite.
    expect(
      (await checkAuditIntegrity(database.db(), { full: false, checkpoint: await latestCheckpoint(database.db()) })).ok,
    ).toBe(false);
    await expect(createAuditCheckpoint(database.db(), { trigger: "manual", requestedBy: context() })).rejects.toThrow(
      AuditChainBrokenError,
    );
    expect(await database.db().$count(auditCheckpoints)).toBe(1);

    // With the checkpoints deleted as well, unkeyed events nobody signed are refused.
    await database.db().execute(sql`delete from audit_checkpoints`);
    report = await checkAuditIntegrity(database.db(), {
      full: true,
      checkpoint: await latestCheckpoint(database.db()),
    });
    expect(report.problems).toEqual([
      "Events up to #24 carry no chain key and no signed checkpoint covers them, so anyone with database access could have rewritten them.",
    ]);
  });

  it("with only SQL access, an event appended after keyed ones is refused: unkeyed, under a guessed key id, or an unknown one", async () => {
    await record(5);
    const [last] = await database.db().select().from(auditEvents).orderBy(desc(auditEvents.id)).limit(1);
    const forged = {
      at: new Date(),
      actorId: null,
      actorLabel: "system",
      action: "person.roles_changed",
      targetType: null,
      targetId: null,
      ip: null,
      userAgent: null,
      data: { roles: ["compliance_admin"] },
      prevHash: last.hash,
    };
    const insert = (keyId: string | null, hash: string) =>
      database
        .db()
        .execute(
          sql`insert into audit_events (at, actor_label, action, data, prev_hash, hash, key_id) values (${forged.at.toISOString()}, 'system', ${forged.action}, ${JSON.stringify(forged.data)}::jsonb, ${last.hash}, ${hash}, ${keyId})`,
        );

    await insert(null, eventHash(forged));
    expect(await verifyAuditChain(database.db())).toMatchObject({
      ok: false,
      brokenId: 6,
      reason: "unkeyed_after_keyed",
      count: 5,
    });

    await database.db().execute(sql`delete from audit_events where id = 6`);
    await insert(last.keyId, eventHash(forged));
    expect(await verifyAuditChain(database.db())).toMatchObject({ ok: false, brokenId: 7, reason: "hash_mismatch" });

    await database.db().execute(sql`delete from audit_events where id = 7`);
    await insert("0123456789ab", eventHash(forged));
    expect(await verifyAuditChain(database.db())).toMatchObject({
      ok: false,
      brokenId: 8,
      reason: "unknown_key",
      keyId: "0123456789ab",
    });
  });

  it("a checkpoint file with any one byte edited is refused, and so is one signed by another certificate", async () => {
    await record(4);
    const { text } = await checkpointFile();
    const trusted = trustedCertificates();
    expect(openCheckpoint(text, trusted)).toMatchObject({ ok: true, statement: { headId: 5, eventCount: 5 } });
    const bytes = Buffer.from(text);
    const accepted: number[] = [];
    for (let i = 0; i < bytes.length; i++) {
      const edited = Buffer.from(bytes);
      edited[i] ^= 0x01;
      if (openCheckpoint(edited.toString("utf8"), trusted).ok) accepted.push(i);
    }
    expect(accepted, "byte positions whose edit was accepted").toEqual([]);

    // The edited file is refused before the log is even read.
    const edited = text.replace(/"eventCount": 5/, '"eventCount": 6');
    expect(await checkAgainstCheckpointFile(database.db(), edited)).toMatchObject({
      ok: false,
      problems: ["Refused: The checkpoint's signature does not verify: the file was modified after it was signed."],
    });

    // A well-formed checkpoint signed with the attacker's own key and certificate.
    const statement = { ...JSON.parse(text).statement, eventCount: 2 };
    const forged = checkpointFileText(signCheckpoint(statement, attackerIdentity()));
    const verdict = openCheckpoint(forged, trusted);
    expect(verdict).toMatchObject({ ok: false, code: "untrusted" });
    expect(!verdict.ok && verdict.problem).toMatch(
      /not this organisation's sealing certificate \(SHA-256 fingerprint [0-9A-F:]+\)/,
    );
  });
});

function attackerIdentity() {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKey.export({ type: "spki", format: "pem" }).toString());
  cert.serialNumber = "01";
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: "commonName", value: "Brightline Support document sealing" }]);
  cert.setIssuer([{ name: "commonName", value: "Brightline Support document sealing" }]);
  cert.sign(
    forge.pki.privateKeyFromPem(pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString()),
    forge.md.sha256.create(),
  );
  return {
    privateKey: pair.privateKey,
    certificatePem: new X509Certificate(forge.pki.certificateToPem(cert)).toString(),
  };
}
