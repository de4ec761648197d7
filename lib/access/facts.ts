import "server-only";
import { inArray, or, sql } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { people } from "@/db/schema";
import { getContent } from "@/lib/content";
import type { AccessRole } from "@/lib/content/load";
import { decideAccess, type Decision, type DecisionInput, type GrantFacts } from "./decide";

type PersonFacts = Pick<DecisionInput, "person" | "grants" | "certifications" | "signatures"> & { grantsByRole: Map<string, DecisionInput["grants"]> };

export function accessRoles(): AccessRole[] {
  return getContent().accessRoles;
}

export function accessRole(id: string): AccessRole | null {
  return accessRoles().find((r) => r.id === id) ?? null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type FactRow =
  | { kind: "release"; person_id: null; row: { courseId: string; releasedAt: string } }
  | { kind: "person"; person_id: string; row: { email: string; status: "active" | "suspended" | "departed" } }
  | { kind: "grant"; person_id: string; row: { roleId: string; status: GrantFacts["status"]; requestedAt: string; decidedAt: string | null; endsAt: string | null; revokedAt: string | null } }
  | { kind: "certification"; person_id: string; row: { courseId: string; courseVersion: string; issuedAt: string; expiresAt: string } }
  | { kind: "signature"; person_id: string; row: { agreementId: string; agreementVersion: string; signedAt: string; renewalDueAt: string | null; outcome: "signed" | "declined" } };

const date = (value: string) => new Date(value);
const maybeDate = (value: string | null) => (value === null ? null : new Date(value));

/**
 * Everything the decision needs about the people named by `refs` (emails or
 * ids), in one statement whatever the number of people or roles: who they
 * are, their grants, certifications and signatures, and the current course
 * releases. `resolved` maps each reference (emails lower-cased) to a person id.
 */
export async function loadFactsFor(db: Executor, refs: string[]) {
  const emails = Array.from(new Set(refs.filter((r) => !UUID.test(r)).map((r) => r.toLowerCase())));
  const ids = Array.from(new Set(refs.filter((r) => UUID.test(r)).map((r) => r.toLowerCase())));
  const named = or(emails.length ? inArray(people.email, emails) : undefined, ids.length ? inArray(people.id, ids) : undefined) ?? sql`false`;
  const result = await db.execute(sql`
    with p as (select ${people.id} as id, ${people.email} as email, ${people.status} as status from ${people} where ${named})
    select 'release' as kind, null::uuid as person_id, json_build_object('courseId', r.course_id, 'releasedAt', r.released_at) as row
      from (select distinct on (course_id) course_id, released_at from course_releases order by course_id, major desc) r
    union all
    select 'person', p.id, json_build_object('email', p.email, 'status', p.status) from p
    union all
    select 'grant', g.person_id, json_build_object('roleId', g.role_id, 'status', g.status, 'requestedAt', g.requested_at, 'decidedAt', g.decided_at, 'endsAt', g.ends_at, 'revokedAt', g.revoked_at)
      from access_grants g join p on p.id = g.person_id
    union all
    select 'certification', c.person_id, json_build_object('courseId', c.course_id, 'courseVersion', c.course_version, 'issuedAt', c.issued_at, 'expiresAt', c.expires_at)
      from certifications c join p on p.id = c.person_id
    union all
    select 'signature', s.person_id, json_build_object('agreementId', s.agreement_id, 'agreementVersion', s.agreement_version, 'signedAt', s.signed_at, 'renewalDueAt', s.renewal_due_at, 'outcome', s.outcome)
      from signatures s join p on p.id = s.person_id`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as FactRow[];

  const { courses, agreements } = getContent();
  const releases = new Map<string, Date>();
  const persons = new Map<string, PersonFacts>();
  const resolved = new Map<string, string>();
  for (const r of rows) {
    if (r.kind === "release") releases.set(r.row.courseId, date(r.row.releasedAt));
    else if (r.kind === "person") {
      persons.set(r.person_id, { person: { status: r.row.status }, grants: [], grantsByRole: new Map(), certifications: [], signatures: [] });
      resolved.set(r.row.email, r.person_id);
      resolved.set(r.person_id, r.person_id);
    }
  }
  for (const r of rows) {
    const p = r.person_id ? persons.get(r.person_id) : undefined;
    if (!p) continue;
    if (r.kind === "grant") {
      const g = { roleId: r.row.roleId, status: r.row.status, requestedAt: date(r.row.requestedAt), decidedAt: maybeDate(r.row.decidedAt), endsAt: maybeDate(r.row.endsAt), revokedAt: maybeDate(r.row.revokedAt) };
      p.grants.push(g);
      p.grantsByRole.set(g.roleId, [...(p.grantsByRole.get(g.roleId) ?? []), g]);
    } else if (r.kind === "certification") {
      p.certifications.push({ courseId: r.row.courseId, courseVersion: r.row.courseVersion, issuedAt: date(r.row.issuedAt), expiresAt: date(r.row.expiresAt) });
    } else if (r.kind === "signature") {
      p.signatures.push({ agreementId: r.row.agreementId, agreementVersion: r.row.agreementVersion, signedAt: date(r.row.signedAt), renewalDueAt: maybeDate(r.row.renewalDueAt), outcome: r.row.outcome });
    }
  }
  const courseFacts = new Map(courses.map((c) => [c.id, { id: c.id, version: c.version, graceDays: c.graceDays, currentMajorReleasedAt: releases.get(c.id) ?? null }]));
  const agreementFacts = new Map(agreements.map((a) => [a.id, { id: a.id, version: a.version }]));
  return { resolved, facts: { persons, courses: courseFacts, agreements: agreementFacts } };
}

/** Everything the decision needs for a set of people (by id); see loadFactsFor. */
export async function loadDecisionFacts(db: Executor, personIds: string[]) {
  return (await loadFactsFor(db, personIds)).facts;
}

export type Facts = Awaited<ReturnType<typeof loadDecisionFacts>>;

export function decisionFor(facts: Facts, personId: string, role: AccessRole, now: Date): Decision {
  const p = facts.persons.get(personId);
  if (!p) return { allow: false, reasons: ["no_grant"], valid_until: null };
  return decideAccess({
    person: p.person,
    role,
    grants: p.grantsByRole.get(role.id) ?? [],
    certifications: p.certifications,
    signatures: p.signatures,
    courses: facts.courses,
    agreements: facts.agreements,
    now,
  });
}
