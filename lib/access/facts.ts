import "server-only";

import { sql, type SQL } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { selectRows } from "@/db/rows";
import { majorOf } from "@/lib/certification/status.rules";
import { contentRevision, getContent } from "@/lib/content";
import type { AccessRole } from "@/lib/content/load";
import { publicationCount, refreshContent } from "@/lib/content/published";
import { isUuid } from "@/lib/ids";

import { decideAccess, type Decision, type DecisionInput, type GrantFacts } from "./decide.rules";

/** A grant as the decision reads it, with the role it is for. */
type RoleGrant = DecisionInput["grants"][number] & { roleId: string };

export type PersonFacts = Pick<DecisionInput, "person" | "certifications" | "signatures"> & {
  grants: RoleGrant[];
  grantsByRole: Map<string, DecisionInput["grants"]>;
};

export function accessRoles(): AccessRole[] {
  return getContent().accessRoles;
}

export function accessRole(id: string): AccessRole | null {
  return accessRoles().find((r) => r.id === id) ?? null;
}

type GrantRow = {
  id: string;
  roleId: string;
  status: GrantFacts["status"];
  requestedAt: string;
  decidedAt: string | null;
  endsAt: string | null;
  revokedAt: string | null;
};
type CertificationRow = { courseId: string; courseVersion: string; issuedAt: string; expiresAt: string };
type SignatureRow = {
  agreementId: string;
  agreementVersion: string;
  signedAt: string;
  renewalDueAt: string | null;
  outcome: "signed" | "declined";
};
type FactRow =
  | { kind: "release"; person_id: null; row: { courseId: string; releasedAt: string } }
  | { kind: "revision"; person_id: null; row: { revision: string; content: number | string } }
  | {
      kind: "person";
      person_id: string;
      row: {
        email: string;
        status: "active" | "suspended" | "departed";
        grants: GrantRow[] | null;
        certifications: CertificationRow[] | null;
        signatures: SignatureRow[] | null;
      };
    };

const date = (value: string) => new Date(value);
const maybeDate = (value: string | null) => (value === null ? null : new Date(value));

/** A question the facts are for: a person (email or id) and the role asked about; every role when undefined, none when null. */
export type FactsWanted = { user: string; role?: string | null };

/**
 * Everything the decisions need about the people named in `wanted` (emails
 * or ids), in one statement whatever their number: who they are, and for
 * each (person, role) asked about, the role's grants and the certifications
 * and signatures of the courses and agreements it requires — nothing else —
 * plus the release of each course's major version as loaded here (from which
 * older majors' grace periods run; recorded at start-up). People are found
 * by e-mail and by id in two branches, so each can use its index (one
 * condition over both made PostgreSQL read the whole people table for every
 * shared read). Each (person, role) is read through the
 * indexes on (person, role), (person, course) and (person, agreement), so a
 * check costs a few index lookups whatever the size of the tables.
 * `resolved` maps each reference (emails lower-cased) to a person id;
 * `revision` is the access revision (db/schema/access.ts) of the same snapshot:
 * the facts reflect every change up to it and none after.
 *
 * With `asOf`, only what decides at that moment is read: approved or revoked
 * grants decided by then, of each required course the certification that
 * counts longest then (else the newest), and of each required agreement the
 * valid signature renewing last (else any signature). The decision at `asOf`
 * is the same as from the whole history (see decide.rules.ts), for one row per
 * requirement.
 */
/**
 * (person id, role) pairs whose facts the caller already holds as read at
 * access revision `revision` (see facts-cache.ts): if the database is still at
 * that revision they are left out of the read (the person is still read: who
 * they are and their status); if it has moved on, everything is read.
 */
export type KnownFacts = { revision: number; personIds: string[]; roleIds: string[] };

export type ReadOptions = { asOf?: Date; known?: KnownFacts };

export async function loadFactsFor(db: Executor, wanted: FactsWanted[], options: ReadOptions = {}) {
  const read = () => readFacts(db, wanted, options);
  const first = await read();
  // A course or agreement published since this process loaded its content: decide from the published one.
  if (first.contentPublications === publicationCount(contentRevision())) return first;
  await refreshContent(db);
  return read();
}

async function readFacts(db: Executor, wanted: FactsWanted[], { asOf, known }: ReadOptions = {}) {
  const catalogue = accessRoles();
  const refs: string[] = [];
  const roleIds: string[] = [];
  const named = new Set<string>();
  for (const w of wanted) {
    const ref = w.user.toLowerCase();
    named.add(ref);
    for (const role of w.role === undefined ? catalogue.map((r) => r.id) : w.role === null ? [] : [w.role]) {
      refs.push(ref);
      roleIds.push(role);
    }
  }
  const emails = [...named].filter((r) => !isUuid(r));
  const ids = [...named].filter(isUuid);
  const needs = (pick: (role: AccessRole) => string[]) => {
    const pairs = catalogue.flatMap((role) => pick(role).map((item) => [role.id, item] as const));
    return { roles: sql.param(pairs.map(([role]) => role)), items: sql.param(pairs.map(([, item]) => item)) };
  };
  const content = getContent();
  const at = asOf ? sql`${asOf.toISOString()}::timestamptz` : sql`null`;
  const courses = needs((r) => r.courses);
  const agreements = needs((r) => r.agreements);
  const major = (column: SQL) => sql`substring(${column} from '^[0-9]+')::int`;
  // As of a moment, of each required course the certification that counts longest (an older major stops at the end of its grace period), else the newest.
  const stops = sql`least(c.expires_at, case when ${major(sql`c.course_version`)} < cm.major then cm.released_at + cm.grace_days * interval '86400 seconds' end)`;
  const certificationsAsOf = sql`distinct on (c.course_id) c.* from certifications c left join cm on cm.course_id = c.course_id
    where c.person_id = p.id and c.course_id = any(wp.courses) and c.issued_at <= ${at}
    order by c.course_id, case when ${stops} > ${at} then ${stops} end desc nulls last, c.issued_at desc, ${major(sql`c.course_version`)} desc`;
  // As of a moment, of each required agreement the valid signature renewing last, else any signature (then none counts).
  const signaturesAsOf = sql`distinct on (s.agreement_id) s.* from signatures s left join am on am.agreement_id = s.agreement_id
    where s.person_id = p.id and s.agreement_id = any(wp.agreements) and s.outcome = 'signed' and s.signed_at <= ${at}
    order by s.agreement_id, case when ${major(sql`s.agreement_version`)} >= am.major and s.renewal_due_at > ${at} then s.renewal_due_at end desc nulls last`;
  const rows = await selectRows<FactRow>(
    db,
    sql`
    with req as (select distinct ref, role_id from unnest(${sql.param(refs)}::text[], ${sql.param(roleIds)}::text[]) as t(ref, role_id)),
    p as (select id, email, status from people where email = any(${sql.param(emails)}::text[])
          union select id, email, status from people where id = any(${sql.param(ids)}::uuid[])),
    keys as (select id, email as key from p union all select id, id::text from p),
    known as (select * from unnest(${sql.param(known?.personIds ?? [])}::uuid[], ${sql.param(known?.roleIds ?? [])}::text[]) as t(person_id, role_id)
              where ${known?.revision ?? -1}::bigint = (select revision from access_revision)),
    want as (select distinct keys.id as person_id, req.role_id from req join keys on keys.key = req.ref
             where not exists (select 1 from known where known.person_id = keys.id and known.role_id = req.role_id)),
    rc as (select * from unnest(${courses.roles}::text[], ${courses.items}::text[]) as t(role_id, course_id)),
    ra as (select * from unnest(${agreements.roles}::text[], ${agreements.items}::text[]) as t(role_id, agreement_id)),
    cm as (select t.course_id, t.major, t.grace_days, r.released_at
             from unnest(${sql.param(content.courses.map((c) => c.id))}::text[], ${sql.param(content.courses.map((c) => majorOf(c.version)))}::int[], ${sql.param(content.courses.map((c) => c.graceDays))}::int[]) as t(course_id, major, grace_days)
             left join course_releases r on r.course_id = t.course_id and r.major = t.major),
    am as (select * from unnest(${sql.param(content.agreements.map((a) => a.id))}::text[], ${sql.param(content.agreements.map((a) => majorOf(a.version)))}::int[]) as t(agreement_id, major)),
    wp as (select w.person_id, array_agg(distinct w.role_id) as roles,
             array_remove(array_agg(distinct rc.course_id), null) as courses, array_remove(array_agg(distinct ra.agreement_id), null) as agreements
           from want w left join rc on rc.role_id = w.role_id left join ra on ra.role_id = w.role_id group by w.person_id)
    select 'release' as kind, null::uuid as person_id, json_build_object('courseId', cm.course_id, 'releasedAt', cm.released_at) as row from cm where cm.released_at is not null
    union all
    select 'revision', null, json_build_object('revision', revision::text, 'content', (select count(*) from content_versions where state = 'published')) from access_revision
    union all
    select 'person', p.id, json_build_object('email', p.email, 'status', p.status,
      'grants', case when wp.person_id is not null then (select json_agg(json_build_object('id', g.id, 'roleId', g.role_id, 'status', g.status, 'requestedAt', g.requested_at, 'decidedAt', g.decided_at, 'endsAt', g.ends_at, 'revokedAt', g.revoked_at))
        from access_grants g where g.person_id = p.id and g.role_id = any(wp.roles) ${asOf ? sql`and g.status in ('approved', 'revoked') and g.decided_at <= ${at}` : sql``}) end,
      'certifications', case when wp.person_id is not null then (select json_agg(json_build_object('courseId', c.course_id, 'courseVersion', c.course_version, 'issuedAt', c.issued_at, 'expiresAt', c.expires_at))
        from (select ${asOf ? certificationsAsOf : sql`c.* from certifications c where c.person_id = p.id and c.course_id = any(wp.courses)`}) c) end,
      'signatures', case when wp.person_id is not null then (select json_agg(json_build_object('agreementId', s.agreement_id, 'agreementVersion', s.agreement_version, 'signedAt', s.signed_at, 'renewalDueAt', s.renewal_due_at, 'outcome', s.outcome))
        from (select ${asOf ? signaturesAsOf : sql`s.* from signatures s where s.person_id = p.id and s.agreement_id = any(wp.agreements)`}) s) end)
      from p left join wp on wp.person_id = p.id`,
  );

  const releases = new Map<string, Date>();
  const persons = new Map<string, PersonFacts>();
  const resolved = new Map<string, string>();
  let revision = 0;
  let contentPublications = 0;
  for (const r of rows) {
    if (r.kind === "revision") {
      revision = Number(r.row.revision);
      contentPublications = Number(r.row.content);
      continue;
    }
    if (r.kind === "release") {
      releases.set(r.row.courseId, date(r.row.releasedAt));
      continue;
    }
    const grants = (r.row.grants ?? []).map((g) => ({
      id: g.id,
      roleId: g.roleId,
      status: g.status,
      requestedAt: date(g.requestedAt),
      decidedAt: maybeDate(g.decidedAt),
      endsAt: maybeDate(g.endsAt),
      revokedAt: maybeDate(g.revokedAt),
    }));
    persons.set(r.person_id, {
      person: { status: r.row.status },
      grants,
      grantsByRole: byRole(grants),
      certifications: (r.row.certifications ?? []).map((c) => ({
        courseId: c.courseId,
        courseVersion: c.courseVersion,
        issuedAt: date(c.issuedAt),
        expiresAt: date(c.expiresAt),
      })),
      signatures: (r.row.signatures ?? []).map((x) => ({
        agreementId: x.agreementId,
        agreementVersion: x.agreementVersion,
        signedAt: date(x.signedAt),
        renewalDueAt: maybeDate(x.renewalDueAt),
        outcome: x.outcome,
      })),
    });
    resolved.set(r.row.email, r.person_id);
    resolved.set(r.person_id, r.person_id);
  }
  const courseFacts = new Map(
    content.courses.map((c) => [
      c.id,
      { id: c.id, version: c.version, graceDays: c.graceDays, currentMajorReleasedAt: releases.get(c.id) ?? null },
    ]),
  );
  const agreementFacts = new Map(content.agreements.map((a) => [a.id, { id: a.id, version: a.version }]));
  return {
    resolved,
    revision,
    contentPublications,
    facts: { persons, courses: courseFacts, agreements: agreementFacts },
  };
}

function byRole(grants: RoleGrant[]): Map<string, DecisionInput["grants"]> {
  const map = new Map<string, DecisionInput["grants"]>();
  for (const g of grants) {
    const list = map.get(g.roleId);
    if (list) list.push(g);
    else map.set(g.roleId, [g]);
  }
  return map;
}

/**
 * One person's facts read for different roles from the same snapshot (the
 * parts of a large batch), as one: every grant once, and for each course or
 * agreement the certifications or signatures the first read found for it,
 * or else the second's. Where both read a course or agreement they read the
 * same rows, as they read the same snapshot with the same rules.
 */
export function mergePersonFacts(a: PersonFacts, b: PersonFacts): PersonFacts {
  const grantIds = new Set(a.grants.map((g) => g.id));
  const courses = new Set(a.certifications.map((c) => c.courseId));
  const agreements = new Set(a.signatures.map((s) => s.agreementId));
  const grants = [...a.grants, ...b.grants.filter((g) => !grantIds.has(g.id))];
  return {
    person: a.person,
    grants,
    grantsByRole: byRole(grants),
    certifications: [...a.certifications, ...b.certifications.filter((c) => !courses.has(c.courseId))],
    signatures: [...a.signatures, ...b.signatures.filter((s) => !agreements.has(s.agreementId))],
  };
}

/** Everything the decision needs for a set of people (by id); see loadFactsFor. */
export async function loadDecisionFacts(db: Executor, personIds: string[], roleId?: string) {
  return (
    await loadFactsFor(
      db,
      personIds.map((user) => ({ user, role: roleId })),
    )
  ).facts;
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
