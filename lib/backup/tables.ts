import { createHash, type Hash } from "node:crypto";

import { asc, getTableColumns, getTableName, sql, type Column } from "drizzle-orm";
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
  schema.contentVersions,
  schema.scormPackages,
  schema.scormPackageFiles,
  schema.contentSettings,
  schema.assignments,
  schema.lessonProgress,
  schema.quizAttempts,
  schema.scormScoData,
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
  schema.xapiStatements,
  schema.lrsSettings,
  schema.schedulerSweeps,
];

export const tableName = (table: PgTable) => getTableName(table);

/** Rows in primary-key order, so a checksum is the same on any driver. The whole table in one query: small tables and tests only. */
export async function readTable(db: Executor, table: PgTable): Promise<Record<string, unknown>[]> {
  const order = primaryKeyColumns(table).map((c) => asc(c));
  return (await db
    .select()
    .from(table)
    .orderBy(...order)) as Record<string, unknown>[];
}

/** Rows per page when a table is read in pages. */
export const PAGE_SIZE = 2_000;

/** The table's own primary-key columns (not the copies getTableConfig gives for a composite key). */
function primaryKeyColumns(table: PgTable): Column[] {
  const config = getTableConfig(table);
  const names = (config.primaryKeys[0]?.columns ?? config.columns.filter((c) => c.primary)).map((c) => c.name);
  const columns = Object.values(getTableColumns(table));
  const keys = names.map((name) => columns.find((c) => c.name === name)!);
  if (!keys.length) throw new Error(`Table ${tableName(table)} has no primary key to read it in pages by.`);
  return keys;
}

// A cursor value comes back as text and is cast to the key's type, so a key is compared exactly
// (microseconds of a timestamp included) whatever JavaScript would make of it.
const SERIAL_TYPES: Record<string, string> = { smallserial: "smallint", serial: "integer", bigserial: "bigint" };
const castType = (column: Column) => SERIAL_TYPES[column.getSQLType()] ?? column.getSQLType();

/**
 * The table in pages of `pageSize` rows, in primary-key order: keyset pagination on the key
 * columns, so every page is one index range scan however deep into the table it is.
 */
export async function* readPages(
  db: Executor,
  table: PgTable,
  pageSize = PAGE_SIZE,
): AsyncGenerator<Record<string, unknown>[]> {
  const keys = primaryKeyColumns(table);
  const columns = getTableColumns(table);
  const fields = Object.keys(columns);
  const cursorFields = Object.fromEntries(keys.map((k, i) => [`cursor${i}`, sql<string>`${k}::text`]));
  let after: string[] | undefined;
  for (;;) {
    const where = after
      ? sql`(${sql.join(keys, sql`, `)}) > (${sql.join(
          after.map((v, i) => sql`cast(${v} as ${sql.raw(castType(keys[i]))})`),
          sql`, `,
        )})`
      : undefined;
    const found = (await db
      .select({ ...columns, ...cursorFields })
      .from(table)
      .where(where)
      .orderBy(...keys.map((k) => asc(k)))
      .limit(pageSize)) as Record<string, unknown>[];
    if (!found.length) return;
    yield found.map((r) => Object.fromEntries(fields.map((f) => [f, r[f]])));
    if (found.length < pageSize) return;
    const last = found[found.length - 1];
    after = keys.map((_, i) => String(last[`cursor${i}`]));
  }
}

export function checksum(rows: unknown[]): string {
  return sha256Hex(canonicalJson(rows));
}

/**
 * `checksum(rows)` computed a row at a time: the same bytes canonicalJson gives for the array ("[" rows joined by "," "]"), hashed piece by piece.
 * A table's rows share their columns, so the sorted keys are worked out once and reused for
 * every row with the same keys in the same order; any other value takes canonicalJson itself.
 */
export class TableHash {
  private readonly hash: Hash = createHash("sha256").update("[");
  private keys: string[] = [];
  private sorted: { key: string; label: string }[] = [];
  rows = 0;

  add(row: unknown): void {
    if (this.rows++ > 0) this.hash.update(",");
    this.hash.update(this.encode(row));
  }

  private encode(row: unknown): string {
    if (row === null || typeof row !== "object" || Array.isArray(row) || row instanceof Date) return canonicalJson(row);
    const record = row as Record<string, unknown>;
    const keys = Object.keys(record);
    if (!sameKeys(keys, this.keys)) {
      this.keys = keys;
      this.sorted = [...keys]
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        .map((key) => ({ key, label: `${JSON.stringify(key)}:` }));
    }
    let out = "";
    for (const { key, label } of this.sorted) {
      const value = record[key];
      if (value === undefined) continue;
      const encoded =
        value === null
          ? "null"
          : typeof value !== "object"
            ? JSON.stringify(value)
            : value instanceof Date
              ? JSON.stringify(value.toISOString())
              : canonicalJson(value);
      out += out ? `,${label}${encoded}` : `${label}${encoded}`;
    }
    return `{${out}}`;
  }

  digest(): string {
    return this.hash.update("]").digest("hex");
  }
}

function sameKeys(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export async function tableChecksums(
  db: Executor,
  pageSize = PAGE_SIZE,
): Promise<Record<string, { rows: number; sha256: string }>> {
  const out: Record<string, { rows: number; sha256: string }> = {};
  for (const table of BACKUP_TABLES) {
    const hash = new TableHash();
    for await (const page of readPages(db, table, pageSize)) for (const row of page) hash.add(row);
    out[tableName(table)] = { rows: hash.rows, sha256: hash.digest() };
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
