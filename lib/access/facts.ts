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

type PersonFacts = Pick<DecisionInput, "person" | "grants" | "certifications" | "signatures"> & {
  grantsByRole: Map<string, DecisionInput["grants"]>;
};

export function accessRoles(): AccessRole[] {
  return getContent().accessRoles;
}

export function accessRole(id: string): AccessRole | null {
  return accessRoles().find((r) => r.id === id) ?? null;
}

/**
 * One row of the facts read. Each kind fills the columns it needs; times are
 * milliseconds since the epoch (whole, as a Date keeps them), which both
 * drivers return as numbers, so nothing is parsed from text or JSON.
 * - release: a course id, t1 its current major's release;
 * - revision: a the access revision, b the number of published content versions;
 * - person: a e-mail, b status;
 * - grant: a id, b role, c status, t1–t4 requested, decided, ends, revoked;
 * - certification: a course, b version, t1 issued, t2 expires;
 * - signature: a agreement, b version, c outcome, t1 signed, t2 renewal due.
 */
type FactRow = {
  kind: "release" | "revision" | "person" | "grant" | "certification" | "signature";
  person_id: string | null;
  a: string;
  b: string | null;
  c: string | null;
  t1: number | null;
  t2: number | null;
  t3: number | null;
  t4: number | null;
};

const time = (ms: number | null) => (ms === null ? null : new Date(ms));

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
export async function loadFactsFor(db: Executor, wanted: FactsWanted[], options: { asOf?: Date } = {}) {
  const read = () => readFacts(db, wanted, options);
  const first = await read();
  // A course or agreement published since this process loaded its content: decide from the published one.
  if (first.contentPublications === publicationCount(contentRevision())) return first;
  await refreshContent(db);
  return read();
}

async function readFacts(db: Executor, wanted: FactsWanted[], { asOf }: { asOf?: Date } = {}) {
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
  // Whole milliseconds, as a Date holds them (JavaScript truncates finer digits the same way).
  const ms = (column: SQL) => sql`floor(extract(epoch from ${column}) * 1000)::float8`;
  const rows = await selectRows<FactRow>(
    db,
    sql`
    with req as (select distinct ref, role_id from unnest(${sql.param(refs)}::text[], ${sql.param(roleIds)}::text[]) as t(ref, role_id)),
    p as (select id, email, status from people where email = any(${sql.param(emails)}::text[])
          union select id, email, status from people where id = any(${sql.param(ids)}::uuid[])),
    keys as (select id, email as key from p union all select id, id::text from p),
    want as (select distinct keys.id as person_id, req.role_id from req join keys on keys.key = req.ref),
    rc as (select * from unnest(${courses.roles}::text[], ${courses.items}::text[]) as t(role_id, course_id)),
    ra as (select * from unnest(${agreements.roles}::text[], ${agreements.items}::text[]) as t(role_id, agreement_id)),
    cm as (select t.course_id, t.major, t.grace_days, r.released_at
             from unnest(${sql.param(content.courses.map((c) => c.id))}::text[], ${sql.param(content.courses.map((c) => majorOf(c.version)))}::int[], ${sql.param(content.courses.map((c) => c.graceDays))}::int[]) as t(course_id, major, grace_days)
             left join course_releases r on r.course_id = t.course_id and r.major = t.major),
    am as (select * from unnest(${sql.param(content.agreements.map((a) => a.id))}::text[], ${sql.param(content.agreements.map((a) => majorOf(a.version)))}::int[]) as t(agreement_id, major)),
    wp as (select w.person_id, array_agg(distinct w.role_id) as roles,
             array_remove(array_agg(distinct rc.course_id), null) as courses, array_remove(array_agg(distinct ra.agreement_id), null) as agreements
           from want w left join rc on rc.role_id = w.role_id left join ra on ra.role_id = w.role_id group by w.person_id)
    select 'release' as kind, null::uuid as person_id, cm.course_id as a, null::text as b, null::text as c,
           ${ms(sql`cm.released_at`)} as t1, null::float8 as t2, null::float8 as t3, null::float8 as t4
      from cm where cm.released_at is not null
    union all
    select 'revision', null, revision::text, (select count(*) from content_versions where state = 'published')::text, null, null, null, null, null
      from access_revision
    union all
    select 'person', p.id, p.email, p.status::text, null, null, null, null, null from p
    union all
    select 'grant', p.id, g.id::text, g.role_id, g.status::text, ${ms(sql`g.requested_at`)}, ${ms(sql`g.decided_at`)}, ${ms(sql`g.ends_at`)}, ${ms(sql`g.revoked_at`)}
      from p join wp on wp.person_id = p.id
      cross join lateral (select * from access_grants g where g.person_id = p.id and g.role_id = any(wp.roles)
        ${asOf ? sql`and g.status in ('approved', 'revoked') and g.decided_at <= ${at}` : sql``}) g
    union all
    select 'certification', p.id, c.course_id, c.course_version, null, ${ms(sql`c.issued_at`)}, ${ms(sql`c.expires_at`)}, null, null
      from p join wp on wp.person_id = p.id
      cross join lateral (select ${asOf ? certificationsAsOf : sql`c.* from certifications c where c.person_id = p.id and c.course_id = any(wp.courses)`}) c
    union all
    select 'signature', p.id, s.agreement_id, s.agreement_version, s.outcome::text, ${ms(sql`s.signed_at`)}, ${ms(sql`s.renewal_due_at`)}, null, null
      from p join wp on wp.person_id = p.id
      cross join lateral (select ${asOf ? signaturesAsOf : sql`s.* from signatures s where s.person_id = p.id and s.agreement_id = any(wp.agreements)`}) s`,
  );

  const releases = new Map<string, Date>();
  const persons = new Map<string, PersonFacts>();
  const resolved = new Map<string, string>();
  let revision = 0;
  let contentPublications = 0;
  const factsOf = (personId: string) => {
    let p = persons.get(personId);
    if (!p) {
      p = { person: { status: "active" }, grants: [], grantsByRole: new Map(), certifications: [], signatures: [] };
      persons.set(personId, p);
    }
    return p;
  };
  for (const r of rows) {
    switch (r.kind) {
      case "revision":
        revision = Number(r.a);
        contentPublications = Number(r.b);
        break;
      case "release":
        releases.set(r.a, time(r.t1)!);
        break;
      case "person":
        factsOf(r.person_id!).person = { status: r.b as PersonFacts["person"]["status"] };
        resolved.set(r.a, r.person_id!);
        resolved.set(r.person_id!, r.person_id!);
        break;
      case "grant": {
        const p = factsOf(r.person_id!);
        const grant = {
          id: r.a,
          roleId: r.b!,
          status: r.c as GrantFacts["status"],
          requestedAt: time(r.t1)!,
          decidedAt: time(r.t2),
          endsAt: time(r.t3),
          revokedAt: time(r.t4),
        };
        p.grants.push(grant);
        const ofRole = p.grantsByRole.get(grant.roleId);
        if (ofRole) ofRole.push(grant);
        else p.grantsByRole.set(grant.roleId, [grant]);
        break;
      }
      case "certification":
        factsOf(r.person_id!).certifications.push({
          courseId: r.a,
          courseVersion: r.b!,
          issuedAt: time(r.t1)!,
          expiresAt: time(r.t2)!,
        });
        break;
      case "signature":
        factsOf(r.person_id!).signatures.push({
          agreementId: r.a,
          agreementVersion: r.b!,
          signedAt: time(r.t1)!,
          renewalDueAt: time(r.t2),
          outcome: r.c as "signed" | "declined",
        });
        break;
    }
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
