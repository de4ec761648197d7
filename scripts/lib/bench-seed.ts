import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

import type { Sql } from "postgres";

import { accessRoles } from "@/lib/access/facts";
import { renewalDueFor } from "@/lib/agreements/signing.rules";
import { expiryFor } from "@/lib/certification/status.rules";
import { getContent } from "@/lib/content";
import { addDays, DAY } from "@/lib/time";

/**
 * A synthetic organisation for the access benchmark: people with a history of
 * grants, certifications and signatures, shaped so decisions come out mixed
 * (allowed, and denied for each kind of reason). Deterministic for a seed.
 */

/** mulberry32: a small seeded generator, so two runs seed (and ask) the same; numbers in [0, 1). */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Value = string | number | boolean | Date | null | undefined;

// COPY's text format: tab-separated, \N for null, backslash escapes.
const field = (v: Value) =>
  v === null || v === undefined
    ? "\\N"
    : (v instanceof Date ? v.toISOString() : String(v)).replace(
        /[\\\t\n\r]/g,
        (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!,
      );

/** Bulk-loads rows with COPY: far faster than INSERTs for a few hundred thousand rows. */
async function copyRows(sql: Sql, table: string, rows: Record<string, Value>[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]);
  const stream = await sql.unsafe(`copy ${table} (${columns.join(", ")}) from stdin`).writable();
  const lines = function* () {
    for (let i = 0; i < rows.length; i += 1000)
      yield rows
        .slice(i, i + 1000)
        .map((r) => `${columns.map((c) => field(r[c])).join("\t")}\n`)
        .join("");
  };
  await pipeline(Readable.from(lines()), stream);
}

export type SeedCounts = {
  people: number;
  roles: number;
  grants: number;
  certifications: number;
  quizAttempts: number;
  signatures: number;
};

export async function seedBenchOrganisation(
  sql: Sql,
  options: { people: number; now: Date; seed?: number; onProgress?: (done: number) => void },
): Promise<{ counts: SeedCounts; emails: string[] }> {
  const rnd = seededRandom(options.seed ?? 42);
  const { now } = options;
  const ago = (maxDays: number, minDays = 0) => new Date(now.getTime() - (minDays + rnd() * (maxDays - minDays)) * DAY);
  const { courses, agreements } = getContent();
  const employeeAgreements = agreements.filter((a) => a.audience === "employee");
  const roles = accessRoles();
  const counts: SeedCounts = {
    people: 0,
    roles: roles.length,
    grants: 0,
    certifications: 0,
    quizAttempts: 0,
    signatures: 0,
  };
  const emails: string[] = [];

  const depts = ["support", "engineering", "sales", "finance", "people", "legal"];
  await copyRows(
    sql,
    "departments",
    depts.map((id) => ({ id, name: id[0].toUpperCase() + id.slice(1) })),
  );

  // People go in slices so memory stays flat whatever the size.
  const SLICE = 2500;
  for (let start = 0; start < options.people; start += SLICE) {
    const personRows: Record<string, Value>[] = [];
    const grantRows: Record<string, Value>[] = [];
    const attemptRows: Record<string, Value>[] = [];
    const certRows: Record<string, Value>[] = [];
    const sigRows: Record<string, Value>[] = [];

    for (let i = start; i < Math.min(options.people, start + SLICE); i++) {
      const id = randomUUID();
      const email = `person${String(i).padStart(5, "0")}@bench.example`;
      const roll = rnd();
      personRows.push({
        id,
        email,
        name: `Bench Person ${i}`,
        department_id: depts[i % depts.length],
        title: "Support engineer",
        status: roll < 0.02 ? "suspended" : roll < 0.03 ? "departed" : "active",
        hire_date: "2022-01-10",
      });
      emails.push(email);

      // About twenty grant records a person over the six roles: history as well as the grant that counts.
      const grant = (
        roleId: string,
        status: string,
        decidedAt: Date | null,
        extra: { ends_at?: Date; revoked_at?: Date } = {},
      ) =>
        grantRows.push({
          person_id: id,
          role_id: roleId,
          status,
          justification: "bench",
          requested_at: decidedAt ?? ago(30),
          decided_at: decidedAt,
          ends_at: extra.ends_at ?? null,
          revoked_at: extra.revoked_at ?? null,
        });
      for (const role of roles) {
        grant(role.id, "revoked", ago(700, 400), { revoked_at: ago(380, 300) });
        grant(role.id, "denied", ago(600, 200));
        if (rnd() < 0.5) {
          const ended = ago(500, 250);
          grant(role.id, "approved", ended, { ends_at: addDays(ended, 90) });
        }
        const current = rnd();
        const decided = ago(200, 1);
        if (current < 0.55) grant(role.id, "approved", decided, { ends_at: addDays(decided, role.maxGrantDays) });
        else if (current < 0.65) grant(role.id, "requested", null);
        else if (current < 0.7) grant(role.id, "revoked", decided, { revoked_at: ago(1) });
      }

      for (const course of courses) {
        const certify = (issuedAt: Date) => {
          const attemptId = randomUUID();
          attemptRows.push({
            id: attemptId,
            person_id: id,
            course_id: course.id,
            course_version: course.version,
            status: "submitted",
            drawn: "[]",
            question_count: 10,
            pass_mark: course.passMark,
            passed: true,
            score_percent: 90,
            correct_count: 9,
            started_at: issuedAt,
            submitted_at: issuedAt,
          });
          certRows.push({
            person_id: id,
            course_id: course.id,
            course_version: course.version,
            attempt_id: attemptId,
            issued_at: issuedAt,
            expires_at: expiryFor(issuedAt, course.validityMonths),
            verification_code: randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase(),
          });
        };
        const validityDays = course.validityMonths * 30;
        if (rnd() < 0.6) certify(ago(validityDays * 2.2, validityDays * 1.1)); // an earlier, expired cycle
        const state = rnd();
        if (state < 0.85)
          certify(ago(validityDays - 2, 1)); // current, some within the expiry warning window
        else if (state < 0.93) certify(ago(validityDays + 120, validityDays + 5)); // lapsed
      }

      for (const agreement of employeeAgreements) {
        const sign = (signedAt: Date) =>
          sigRows.push({
            agreement_id: agreement.id,
            agreement_version: agreement.version,
            agreement_title: agreement.title,
            audience: "employee",
            person_id: id,
            outcome: "signed",
            signer_name: `Bench Person ${i}`,
            signer_email: email,
            auth_method: "password",
            ip: "127.0.0.1",
            user_agent: "bench",
            text_sha256: "0".repeat(64),
            body_snapshot: "",
            events: "[]",
            signed_at: signedAt,
            renewal_due_at: renewalDueFor(signedAt, agreement.renewalMonths),
          });
        const renewalDays = Math.max(agreement.renewalMonths, 12) * 30;
        if (rnd() < 0.5) sign(ago(renewalDays * 2, renewalDays * 1.2));
        const state = rnd();
        if (state < 0.9) sign(ago(renewalDays - 2, 1));
        else if (state < 0.95) sign(ago(renewalDays + 90, renewalDays + 5)); // renewal overdue
      }
    }

    await copyRows(sql, "people", personRows);
    await copyRows(sql, "access_grants", grantRows);
    await copyRows(sql, "quiz_attempts", attemptRows);
    await copyRows(sql, "certifications", certRows);
    await copyRows(sql, "signatures", sigRows);
    counts.people += personRows.length;
    counts.grants += grantRows.length;
    counts.quizAttempts += attemptRows.length;
    counts.certifications += certRows.length;
    counts.signatures += sigRows.length;
    options.onProgress?.(counts.people);
  }
  return { counts, emails };
}

/**
 * A year of history on top of a seeded organisation: an assignment for each
 * certification issued in the last year (nine in ten completed) and
 * `decisionsPerPerson` logged access decisions a person over the year.
 */
export async function seedYearOfHistory(
  sql: Sql,
  options: { now: Date; decisionsPerPerson: number },
): Promise<{ assignments: number; decisions: number }> {
  const year = `'${options.now.toISOString()}'::timestamptz - interval '365 days'`;
  await sql.unsafe(`insert into assignments (person_id, course_id, source, assigned_at, due_at, completed_at)
    select person_id, course_id, 'rule', issued_at - interval '20 days', issued_at + interval '10 days',
           case when random() < 0.9 then issued_at end
      from certifications where issued_at > ${year}`);
  await sql.unsafe(`insert into access_decisions (at, person_id, subject, role_id, allow, reasons)
    select ${year} + random() * interval '365 days', p.id, p.email, 'customer-pii-read', random() < 0.8,
           case when random() < 0.8 then '{}'::text[] else '{course_missing}'::text[] end
      from people p, generate_series(1, ${Math.trunc(options.decisionsPerPerson)})`);
  await sql`analyze`;
  const [{ assignments, decisions }] = await sql<{ assignments: number; decisions: number }[]>`
    select (select count(*)::int from assignments) as assignments, (select count(*)::int from access_decisions) as decisions`;
  return { assignments, decisions };
}
