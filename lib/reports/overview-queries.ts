import "server-only";

import { sql, type SQL } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { selectRows } from "@/db/rows";
import { addDays } from "@/lib/time";

import {
  NOW_BIT,
  type CompletionGroup,
  type CoursePlan,
  type MajorStep,
  type NamedAudience,
  type OverdueGroup,
  type OverviewAggregates,
  type PeopleGroup,
  type SignatureGroup,
} from "./overview-aggregates";
import { trendDates, type OverviewAgreement } from "./overview.rules";

/**
 * The overview's aggregates, counted by PostgreSQL: each query returns a few
 * hundred grouped rows at most, whatever the organisation's size, instead of
 * every certification, assignment and signature. The rules are those of
 * overview.rules.ts; tests/model/overview-reference.ts computes them row by
 * row as the reference (see the integration test).
 *
 * Timestamps are compared at millisecond precision, as the JavaScript rules
 * see them once read.
 */

/**
 * The trend's month ends as boundaries: the first moment of the month after
 * each of points 0–10, so width_bucket says how many month ends lie before a
 * timestamp. Read once per statement through the `b` row.
 */
function bounds(now: Date): SQL {
  const starts = trendDates(now)
    .slice(0, 11)
    .map((at) => new Date(at.getTime() + 1).toISOString());
  return sql`b as materialized (select ${`{${starts.join(",")}}`}::text::timestamptz[] as starts)`;
}

/**
 * The points (see overview-aggregates.ts) at which something that holds from
 * `from` until just before `until` (open-ended when null) holds: month ends
 * from the first on or after `from` to the last before `until`, and `now`.
 * The JavaScript rules see timestamps to the millisecond, so "x ≤ now" reads
 * "x < now + 1 ms" here.
 */
function pointMask(from: SQL, until: SQL | null, now: Date): SQL {
  const next = sql`${new Date(now.getTime() + 1).toISOString()}::timestamptz`;
  const lo = sql`width_bucket(${from}, b.starts)`;
  const hi = until ? sql`coalesce(width_bucket(${until}, b.starts) - 1, 10)` : sql`10`;
  const months = sql`(case when ${lo} <= ${hi} then (1 << (${hi} + 1)) - (1 << ${lo}) else 0 end)`;
  const untilNow = until ? sql` and (${until} is null or ${until} >= ${next})` : sql``;
  return sql`(${months} | case when ${from} < ${next}${untilNow} then ${NOW_BIT}::int else 0 end)`;
}

/** When a person starts counting: the hire date, or when their record was made. */
const personStart = sql`coalesce(p.hire_date::timestamp at time zone 'UTC', p.created_at)`;
/**
 * In-post people with their points; suspended people never count, departed
 * ones until the day they left (never without a date). `named`: the keys of
 * the named audiences that cover each (by e-mail address, or by an access role
 * held now).
 */
const people = (now: Date, named: NamedAudience[]) => sql`${named.length ? namedKeys(named, now) : sql``}
ppl as materialized (
  select p.id, p.department_id, p.roles, p.status, ${pointMask(personStart, sql`case when p.status = 'departed' then p.departed_at end`, now)} as mask,
    ${named.length ? sql`coalesce(nk.keys, '{}')` : sql`'{}'::text[]`} as named
  from people p cross join b ${named.length ? sql`left join nk on nk.person_id = p.id` : sql``}
  where p.status <> 'suspended' and (p.status <> 'departed' or p.departed_at is not null)
)`;

/**
 * `nk`: for each person some named audience covers, the keys of those that
 * do, in order. Set-based (one pass over the named addresses and one over the
 * grants held at `now`), not a look-up per person.
 */
const namedKeys = (named: NamedAudience[], now: Date) => sql`
nam as materialized (select * from jsonb_to_recordset(${JSON.stringify(named)}::text::jsonb) as x(key text, people text[], "accessRoles" text[])),
nk as materialized (
  select person_id, array_agg(key order by key) as keys from (
    select p.id as person_id, n.key from nam n join people p on lower(p.email) = any(n.people)
    union
    select g.person_id, n.key from nam n join access_grants g on g.role_id = any(n."accessRoles")
    where g.status = 'approved' and g.revoked_at is null and (g.ends_at is null or g.ends_at > ${now.toISOString()}::timestamptz)
  ) covered
  group by person_id
),`;

const coursesTable = (plans: CoursePlan[]) =>
  sql`(select * from jsonb_to_recordset(${JSON.stringify(plans)}::text::jsonb) as x(id text, index integer, everyone boolean, departments text[], "appRoles" text[], live integer))`;
const inCourseAudience = sql`(crs.everyone or p.department_id = any(crs.departments) or p.roles && crs."appRoles" or ('course:' || crs.id) = any(p.named))`;
const certMajor = sql`split_part(c.course_version, '.', 1)::int`;
const before = (at: Date) => sql`${new Date(at.getTime() + 1).toISOString()}::timestamptz`;

/** In-post people by department, roles and the points they were in post at. */
async function peopleGroups(db: Executor, now: Date, named: NamedAudience[]): Promise<PeopleGroup[]> {
  const result = await selectRows<PeopleGroup>(
    db,
    sql`
    with ${bounds(now)}, ${people(now, named)}
    select p.department_id as "departmentId", d.name as "departmentName", p.roles, p.named, p.mask, count(*)::int as n
    from ppl p left join departments d on d.id = p.department_id
    where p.mask <> 0
    group by 1, 2, 3, 4, 5`,
  );
  return result;
}

/**
 * Completion and overdue, from one pass over certifications grouped by
 * (person, course). Completion: a pair is held at the points of its
 * certifications, less those at which a newer major superseded them, AND-ed
 * with the person's and the course's points. Overdue, for people in post:
 * open assignments past due, and those a sync would create already overdue,
 * so the figure is right without writing first (or any job having run).
 * syncAssignments creates one for an active person without an open
 * assignment of a course that applies when the latest certification is
 * expired, or of an older major past its grace period ("stale"); a first
 * assignment is due at least a day ahead (dueDays ≥ 1), so never overdue.
 */
async function trainingGroups(
  db: Executor,
  plans: CoursePlan[],
  steps: MajorStep[],
  named: NamedAudience[],
  now: Date,
): Promise<{ completion: CompletionGroup[]; overdue: OverdueGroup[] }> {
  const [w30, w60, w90] = [30, 60, 90].map((days) => before(addDays(now, days)));
  const open = sql`a.completed_at is null and a.cancelled_at is null`;
  const all = await selectRows<(CompletionGroup & OverdueGroup) & { kind: "held" | "due" }>(
    db,
    sql`
    with ${bounds(now)}, ${people(now, named)},
    steps as (select * from jsonb_to_recordset(${JSON.stringify(steps)}::text::jsonb) as x(course integer, lo integer, hi integer, mask integer, replaced boolean)),
    crs as materialized (select * from ${coursesTable(plans)} crs),
    pairs as (
      select person_id, course, bit_or(mask) as mask, max(expires_at) filter (where mask & ${NOW_BIT}::int <> 0) as until,
        max(issued_at) as latest, max(issued_at) filter (where stale) as latest_stale
      from (
        select c.person_id, s.course, c.issued_at, c.expires_at, ${pointMask(sql`c.issued_at`, sql`c.expires_at`, now)} & s.mask as mask,
          s.replaced or c.expires_at < ${before(now)} as stale
        from certifications c cross join b
        join crs on crs.id = c.course_id
        join steps s on s.course = crs.index and ${certMajor} >= s.lo and ${certMajor} < s.hi
        offset 0
      ) certs
      group by 1, 2
    ),
    held as materialized (
      select pr.person_id, crs.id as course_id, p.department_id, p.status, p.mask as in_post, pr.mask & p.mask & crs.live as mask, pr.until, pr.latest = pr.latest_stale as stale
      from pairs pr join ppl p on p.id = pr.person_id join crs on crs.index = pr.course
      where ${inCourseAudience}
    ),
    -- EXCEPT rather than NOT EXISTS: a hashed set operation whatever the statistics of fresh assignments say.
    unassigned as (
      select h.person_id, h.course_id from held h where h.stale and h.status = 'active' and h.in_post & ${NOW_BIT}::int <> 0
      except
      select a.person_id, a.course_id from assignments a where ${open}
    ),
    due as (
      select a.person_id, a.course_id, p.department_id from assignments a join ppl p on p.id = a.person_id
      where ${open} and a.due_at < ${before(now)} and p.mask & ${NOW_BIT}::int <> 0
      union all
      select u.person_id, u.course_id, p.department_id from unassigned u join ppl p on p.id = u.person_id
    )
    select 'held' as kind, course_id as "courseId", department_id as "departmentId", mask,
      case when until < ${w30} then 30 when until < ${w60} then 60 when until < ${w90} then 90 end as within, false as total, count(*)::int as n, 0 as people
    from held where mask <> 0
    group by 2, 3, 4, 5
    union all
    select 'due', course_id, department_id, 0, null, grouping(course_id) = 1, count(*)::int, count(distinct person_id)::int
    from due
    group by grouping sets ((course_id, department_id), ())`,
  );
  return { completion: all.filter((r) => r.kind === "held"), overdue: all.filter((r) => r.kind === "due") };
}

/** The newest signature of each in-post person and employee agreement: in force, or due again (new major or renewal date reached). */
async function signatureGroups(
  db: Executor,
  agreements: OverviewAgreement[],
  named: NamedAudience[],
  now: Date,
): Promise<SignatureGroup[]> {
  const templates = agreements.map((a) => ({ id: a.id, major: Number(a.version.split(".")[0]) }));
  const result = await selectRows<SignatureGroup>(
    db,
    sql`
    with ${bounds(now)}, ${people(now, named)},
    latest as (
      select distinct on (s.person_id, s.agreement_id) s.person_id, s.agreement_id, split_part(s.agreement_version, '.', 1)::int as major, s.renewal_due_at
      from signatures s
      where s.audience = 'employee' and s.person_id is not null and s.outcome = 'signed'
      order by s.person_id, s.agreement_id, s.signed_at desc
    )
    select l.agreement_id as "agreementId", p.department_id as "departmentId", p.roles, p.named,
      case when l.major < t.major or l.renewal_due_at < ${before(now)} then 'renewal' else 'signed' end as standing, count(*)::int as n
    from latest l join jsonb_to_recordset(${JSON.stringify(templates)}::text::jsonb) as t(id text, major integer) on t.id = l.agreement_id
    join ppl p on p.id = l.person_id
    where p.mask & ${NOW_BIT}::int <> 0
    group by 1, 2, 3, 4, 5`,
  );
  return result;
}

/** All four sets of aggregates, read side by side. */
export async function overviewAggregates(
  db: Executor,
  plans: CoursePlan[],
  steps: MajorStep[],
  agreements: OverviewAgreement[],
  named: NamedAudience[],
  now: Date,
): Promise<OverviewAggregates> {
  const [people, training, signatures] = await Promise.all([
    peopleGroups(db, now, named),
    trainingGroups(db, plans, steps, named, now),
    signatureGroups(db, agreements, named, now),
  ]);
  return { people, ...training, signatures };
}
