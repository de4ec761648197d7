import "server-only";

import { and, eq, gt, isNotNull, like, not, sql } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";

import type { Executor } from "@/db/client";
import {
  certifications,
  evidencePackParts,
  evidencePacks,
  identityProviders,
  lrsSettings,
  outbox,
  people,
  signatures,
  webhooks,
} from "@/db/schema";

import { currentKeyId, decryptBytes, encryptBytes } from "./encryption";
import { sha256Hex } from "./hash";

/** Every encrypted column, with the associated data each value is bound to. */
type Target = {
  name: string;
  table: PgTable;
  id: PgColumn;
  column: PgColumn;
  context: (row: Record<string, unknown>) => string;
  extra?: Record<string, PgColumn>;
  /** Rows per batch when values are large (default: the caller's batch size). */
  batchSize?: number;
  /** Checks the decrypted value before it is written again; throws when it is not what was recorded. */
  check?: (plain: Buffer, row: Record<string, unknown>) => void;
};

const TARGETS: Target[] = [
  {
    name: "people.mfa_secret_enc",
    table: people,
    id: people.id,
    column: people.mfaSecretEnc,
    context: (r) => `mfa:${r.id}`,
  },
  {
    name: "people.mfa_pending_secret_enc",
    table: people,
    id: people.id,
    column: people.mfaPendingSecretEnc,
    context: (r) => `mfa:${r.id}`,
  },
  {
    name: "signatures.pdf_enc",
    table: signatures,
    id: signatures.id,
    column: signatures.pdfEnc,
    context: (r) => `signature:${r.id}`,
  },
  {
    name: "certifications.pdf_enc",
    table: certifications,
    id: certifications.id,
    column: certifications.pdfEnc,
    context: (r) => `certificate:${r.id}`,
  },
  {
    name: "signatures.signature_image_enc",
    table: signatures,
    id: signatures.id,
    column: signatures.signatureImageEnc,
    context: (r) => `signature-image:${r.id}`,
  },
  {
    name: "outbox.attachments_enc",
    table: outbox,
    id: outbox.id,
    column: outbox.attachmentsEnc,
    context: (r) => `outbox:${r.dedupeKey}`,
    extra: { dedupeKey: outbox.dedupeKey },
  },
  {
    name: "outbox.payload_enc",
    table: outbox,
    id: outbox.id,
    column: outbox.payloadEnc,
    context: (r) => `outbox-payload:${r.dedupeKey}`,
    extra: { dedupeKey: outbox.dedupeKey },
  },
  {
    name: "webhooks.secret_enc",
    table: webhooks,
    id: webhooks.id,
    column: webhooks.secretEnc,
    context: (r) => `webhook:${r.id}`,
  },
  {
    name: "identity_providers.secret_enc",
    table: identityProviders,
    id: identityProviders.id,
    column: identityProviders.secretEnc,
    context: (r) => `identity-provider:${r.id}`,
  },
  {
    name: "lrs_settings.secret_enc",
    table: lrsSettings,
    id: lrsSettings.id,
    column: lrsSettings.secretEnc,
    context: (r) => `lrs-settings:${r.connectionId}`,
    extra: { connectionId: lrsSettings.connectionId },
  },
  {
    // Packs are stored in parts of a few MiB, each bound to its pack and place (lib/evidence/packs.ts).
    name: "evidence_pack_parts.data_enc",
    table: evidencePackParts,
    id: evidencePackParts.id,
    column: evidencePackParts.dataEnc,
    context: (r) => `evidence-pack:${r.packId}:part:${r.seq}`,
    extra: { packId: evidencePackParts.packId, seq: evidencePackParts.seq },
    batchSize: 4,
  },
  {
    // A pack made before parts holds its whole ZIP: one row per batch, so one pack at a time is in memory.
    name: "evidence_packs.zip_enc",
    table: evidencePacks,
    id: evidencePacks.id,
    column: evidencePacks.zipEnc,
    context: (r) => `evidence-pack:${r.id}`,
    extra: { zipSha256: evidencePacks.zipSha256 },
    batchSize: 1,
    // The pack's recorded SHA-256 is what auditors were given: the bytes must still be those.
    check: (plain, r) => {
      if (r.zipSha256 && sha256Hex(plain) !== r.zipSha256)
        throw new Error(`evidence_packs.zip_enc: pack ${String(r.id)} does not match its recorded SHA-256`);
    },
  },
];

/** The encrypted columns rotation rewrites, as `table.column`. */
export const ROTATED_COLUMNS = TARGETS.map((t) => t.name);

export type RotationReport = { keyId: string; columns: Record<string, number> };

/**
 * Re-encrypts every value not yet under the current key, in batches, each
 * batch in its own transaction. Values under an old key keep decrypting until
 * they are rewritten, so the app stays up during rotation; running it again
 * after an interruption picks up where it stopped.
 */
export async function rotateEncryptionKeys(
  db: Executor,
  options: { batchSize?: number; onProgress?: (column: string, done: number) => void } = {},
): Promise<RotationReport> {
  const keyId = currentKeyId();
  const report: RotationReport = { keyId, columns: {} };
  for (const target of TARGETS) {
    const batchSize = target.batchSize ?? options.batchSize ?? 100;
    let done = 0;
    let after = "";
    for (;;) {
      const rows = (await db
        .select({ id: target.id, value: target.column, ...(target.extra ?? {}) })
        .from(target.table)
        .where(
          and(isNotNull(target.column), not(like(target.column, `v1.${keyId}.%`)), gt(sql`${target.id}::text`, after)),
        )
        .orderBy(sql`${target.id}::text`)
        .limit(batchSize)) as Record<string, unknown>[];
      if (rows.length === 0) break;
      await db.transaction(async (tx) => {
        for (const row of rows) {
          const context = target.context(row);
          const plain = decryptBytes(row.value as string, context);
          target.check?.(plain, row);
          const fresh = encryptBytes(plain, context);
          // Only the value read: "v1.<key>.<iv>." names it (the IV is random), so a value written
          // meanwhile is not overwritten, and the old value is not sent back in full.
          const read = (row.value as string).split(".", 3).join(".") + ".";
          await tx
            .update(target.table)
            .set({ [columnKey(target)]: fresh })
            .where(and(eq(target.id, row.id as string), sql`left(${target.column}, ${read.length}) = ${read}`));
        }
      });
      done += rows.length;
      after = String(rows[rows.length - 1].id);
      options.onProgress?.(target.name, done);
    }
    report.columns[target.name] = done;
  }
  return report;
}

/** The drizzle property name of the target column (e.g. "mfaSecretEnc" for mfa_secret_enc). */
function columnKey(target: Target): string {
  const entry = Object.entries(target.table).find(([, value]) => value === target.column);
  if (!entry) throw new Error(`Unknown column ${target.name}`);
  return entry[0];
}
