import { asc, getTableName, sql } from "drizzle-orm";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";

import type { Executor } from "@/db/client";
import * as schema from "@/db/schema";
import { canonicalJson } from "@/lib/audit/canonical";
import { sha256Hex } from "@/lib/crypto/hash";

/** Every table, parents before children, so a restore can insert in this order. */
export const BACKUP_TABLES: PgTable[] = [
  schema.departments,
  schema.people,
  schema.organisationSettings,
  schema.identityProviders,
  schema.ssoIdentities,
  schema.ssoReplays,
  schema.ssoHandoffs,
  schema.passwordTokens,
  schema.correctionRequests,
  schema.loginAttempts,
  schema.recoveryCodes,
  schema.sessions,
  schema.passkeys,
  schema.webauthnChallenges,
  schema.attemptCounters,
  schema.auditEvents,
  schema.auditCheckpoints,
  schema.courseReleases,
  schema.assignments,
  schema.lessonProgress,
  schema.quizAttempts,
  schema.certifications,
  schema.outbox,
  schema.digestItems,
  schema.importJobs,
  schema.evidencePacks,
  schema.evidencePackParts,
  schema.signatures,
  schema.signingCeremonies,
  schema.partners,
  schema.partnerSigningRequests,
  schema.accessGrants,
  schema.apiClients,
  schema.scimIdentities,
  schema.scimGroups,
  schema.scimGroupMembers,
  schema.scimGroupMappings,
  schema.rateLimits,
  schema.accessDecisions,
  schema.dataOperationEvents,
  schema.webhooks,
  schema.webhookDeliveries,
];

export const tableName = (table: PgTable) => getTableName(table);

/** Rows in primary-key order, so a checksum is the same on any driver. */
export async function readTable(db: Executor, table: PgTable): Promise<Record<string, unknown>[]> {
  const config = getTableConfig(table);
  const keys = config.primaryKeys[0]?.columns ?? config.columns.filter((c) => c.primary);
  const order = (keys.length ? keys : config.columns.slice(0, 1)).map((c) => asc(c));
  return (await db
    .select()
    .from(table)
    .orderBy(...order)) as Record<string, unknown>[];
}

export function checksum(rows: unknown[]): string {
  return sha256Hex(canonicalJson(rows));
}

export async function tableChecksums(db: Executor): Promise<Record<string, { rows: number; sha256: string }>> {
  const out: Record<string, { rows: number; sha256: string }> = {};
  for (const table of BACKUP_TABLES) {
    const rows = await readTable(db, table);
    out[tableName(table)] = { rows: rows.length, sha256: checksum(rows) };
  }
  return out;
}

/** Tables with a serial id whose sequence must move past the restored rows. */
export const SERIAL_TABLES = [
  "login_attempts",
  "audit_events",
  "audit_checkpoints",
  "access_decisions",
  "data_operation_events",
];

export async function resetSequences(db: Executor) {
  for (const name of SERIAL_TABLES) {
    await db.execute(
      sql.raw(
        `select setval(pg_get_serial_sequence('${name}', 'id'), coalesce((select max(id) from ${name}), 0) + 1, false)`,
      ),
    );
  }
}
