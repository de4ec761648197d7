import "server-only";

import { sql } from "drizzle-orm";

import { chunksOf, writeInChunks } from "@/db/chunks";
import type { Tx } from "@/db/client";
import { selectRows } from "@/db/rows";
import { people } from "@/db/schema";
import { recordAuditBatch, type AuditContext, type AuditEntry } from "@/lib/audit/record";
import { queueWelcomes } from "@/lib/notify/welcome";
import { syncAssignments } from "@/lib/training/assignments";

import type { CheckedRow } from "./import-planner";
import { applyValues, type ImportSummary } from "./import-rules";
import { linkManagers } from "./link-managers";
import { auditChanges, type PersonSnapshot } from "./person-fields";

// Any constant works; two imports at once would otherwise plan against each other's stale view.
export const IMPORT_LOCK = 7_300_017;

/** Rows written per committed step of a large import: small enough for bounded memory, large enough for multi-row statements. */
export const IMPORT_CHUNK_ROWS = 1_000;

export type ChunkOptions = { context: AuditContext; invitedByName: string | null; now: Date };
export type ChunkResult = { created: number; updated: number };

/** Rows that write something: the ones a chunk counts. */
export const writes = (r: CheckedRow) => r.action === "create" || r.action === "update";

/** Where the chunk starting at `from` ends: after `size` rows that write, or at the end of the file. */
export function chunkEnd(rows: readonly CheckedRow[], from: number, size = IMPORT_CHUNK_ROWS): number {
  let n = 0;
  let i = from;
  while (i < rows.length && n < size) if (writes(rows[i++])) n++;
  return i;
}

type Current = PersonSnapshot & { id: string; manager_id: string | null };

/** The named people as they are now, found by email; one array parameter, whatever the count. */
async function peopleByEmail(tx: Tx, emails: string[]): Promise<Map<string, Current>> {
  const rows = await selectRows<{
    id: string;
    email: string;
    name: string;
    department_id: string | null;
    title: string | null;
    manager_id: string | null;
    manager_email: string | null;
    hire_date: string | Date | null;
    roles: string[];
  }>(
    tx,
    sql`select p.id, p.email, p.name, p.department_id, p.title, p.manager_id, m.email as manager_email,
               to_char(p.hire_date, 'YYYY-MM-DD') as hire_date, p.roles
          from people p left join people m on m.id = p.manager_id
         where p.email = any(${sql.param(emails)}::text[])`,
  );
  return new Map(
    rows.map((r) => [
      r.email,
      {
        id: r.id,
        email: r.email,
        name: r.name,
        departmentId: r.department_id,
        title: r.title,
        managerEmail: r.manager_email,
        manager_id: r.manager_id,
        hireDate: r.hire_date as string | null,
        roles: r.roles,
      },
    ]),
  );
}

/**
 * Applies some rows of a checked file inside the caller's transaction:
 * creates the new people (with their manager when the manager exists),
 * updates the changed ones in multi-row statements, assigns their training,
 * queues one welcome per new person and appends one audit event per person.
 * Each row is compared with the person as they are at this moment, so a row
 * applied before (a step retried after a crash) creates nothing and sends
 * nothing a second time.
 */
export async function applyImportChunk(
  tx: Tx,
  rows: readonly CheckedRow[],
  options: ChunkOptions,
): Promise<ChunkResult> {
  const planned = rows.filter(writes);
  if (planned.length === 0) return { created: 0, updated: 0 };
  const { now } = options;
  await tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`);
  const emails = new Set<string>();
  for (const r of planned) {
    emails.add(r.values.email);
    if (r.values.managerEmail) emails.add(r.values.managerEmail);
  }
  const current = await peopleByEmail(tx, [...emails]);
  const ids = new Map([...current].map(([email, p]) => [email, p.id]));

  const creates: PersonSnapshot[] = [];
  const updates: { before: Current; after: PersonSnapshot; changes: ReturnType<typeof auditChanges> }[] = [];
  for (const r of planned) {
    const before = current.get(r.values.email);
    if (!before) {
      creates.push(applyValues(null, r.values));
      continue;
    }
    const after = applyValues(before, r.values);
    const changes = auditChanges(before, after);
    if (Object.keys(changes).length > 0) updates.push({ before, after, changes });
  }

  // Nine values a row: chunked under the driver's bind-parameter limit.
  await writeInChunks(creates, 9, async (chunk) => {
    const inserted = await tx
      .insert(people)
      .values(
        chunk.map((p) => ({
          email: p.email,
          name: p.name,
          departmentId: p.departmentId,
          title: p.title,
          managerId: p.managerEmail ? (ids.get(p.managerEmail) ?? null) : null,
          hireDate: p.hireDate,
          roles: p.roles,
          createdAt: now,
          updatedAt: now,
        })),
      )
      .returning({ id: people.id, email: people.email });
    for (const row of inserted) ids.set(row.email, row.id);
  });
  // A manager created in this same step got an id only now; one in a later step is linked when the import finishes.
  await linkManagers(
    tx,
    creates
      .filter((p) => p.managerEmail && !current.has(p.managerEmail))
      .map((p) => ({ id: ids.get(p.email), managerId: ids.get(p.managerEmail!) })),
  );

  // Changed people in multi-row statements: seven array parameters each, whatever the number of rows.
  for (const chunk of chunksOf(updates, IMPORT_CHUNK_ROWS)) {
    const column = (pick: (u: (typeof chunk)[number]) => string | null | undefined) =>
      sql.param(chunk.map((u) => pick(u) ?? ""));
    await tx.execute(sql`
      update people set name = t.name, department_id = nullif(t.department_id, ''), title = nullif(t.title, ''),
                        manager_id = nullif(t.manager_id, '')::uuid, hire_date = nullif(t.hire_date, '')::date,
                        roles = string_to_array(t.roles, ','), updated_at = ${now.toISOString()}::timestamptz
        from unnest(${column((u) => u.before.id)}::uuid[], ${column((u) => u.after.name)}::text[],
                    ${column((u) => u.after.departmentId)}::text[], ${column((u) => u.after.title)}::text[],
                    ${column((u) =>
                      // A manager added later in the file keeps the person's current one until the import finishes.
                      u.after.managerEmail ? (ids.get(u.after.managerEmail) ?? u.before.manager_id) : null,
                    )}::text[],
                    ${column((u) => u.after.hireDate)}::text[], ${column((u) => u.after.roles.join(","))}::text[])
             as t(id, name, department_id, title, manager_id, hire_date, roles)
       where people.id = t.id`);
  }

  // New people, and people with a new department or roles, may have courses to take now.
  const touched = [...creates.map((p) => ids.get(p.email)!), ...updates.map((u) => u.before.id)];
  if (touched.length > 0) await syncAssignments(tx, { personIds: touched, now });

  // One welcome per new person — the invitation and what is due — rendered when it is sent.
  await queueWelcomes(
    tx,
    creates.map((p) => ({
      id: ids.get(p.email)!,
      email: p.email,
      name: p.name,
      departmentId: p.departmentId,
      roles: p.roles,
    })),
    options.invitedByName,
    now,
  );

  const events: AuditEntry[] = [];
  for (const p of creates)
    events.push({
      action: "person.created",
      targetType: "person",
      targetId: ids.get(p.email)!,
      data: { ...p, source: "import" },
    });
  for (const u of updates)
    events.push({
      action: "person.updated",
      targetType: "person",
      targetId: u.before.id,
      data: { changes: u.changes, source: "import" },
    });
  await recordAuditBatch(tx, options.context, events, now);
  return { created: creates.length, updated: updates.length };
}

/**
 * The import's last step, in one transaction: everyone the file names a
 * manager for is linked to them (people created in different steps find
 * each other here, in any row order), then the one `people.imported` event.
 */
export async function finishImport(
  tx: Tx,
  rows: readonly CheckedRow[],
  options: {
    context: AuditContext;
    now: Date;
    summary: ImportSummary;
    result: ChunkResult;
    fileSha256: string;
    jobId?: string;
  },
): Promise<void> {
  const managed = rows.filter((r) => r.action !== "invalid" && r.values.managerEmail);
  for (const chunk of chunksOf(managed, 10_000)) {
    await tx.execute(sql`
      update people set manager_id = m.id
        from unnest(${sql.param(chunk.map((r) => r.values.email))}::text[],
                    ${sql.param(chunk.map((r) => r.values.managerEmail!))}::text[]) as t(email, manager_email)
        join people m on m.email = t.manager_email
       where people.email = t.email and people.manager_id is distinct from m.id`);
  }
  await recordAuditBatch(
    tx,
    options.context,
    [
      {
        action: "people.imported",
        data: {
          ...options.summary,
          ...options.result,
          fileSha256: options.fileSha256,
          ...(options.jobId ? { jobId: options.jobId } : {}),
        },
      },
    ],
    options.now,
  );
}
