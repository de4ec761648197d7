import "server-only";

import { and, eq, gt, isNull, lte, sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { selectRows } from "@/db/rows";
import { assignments, certifications, outbox, people } from "@/db/schema";
import type { NudgeItem } from "@/emails/nudge";
import { agreementsForMany } from "@/lib/agreements/employee-agreements";
import { majorOf } from "@/lib/certification/status.rules";
import { getCourse } from "@/lib/content";
import { isoDate } from "@/lib/format";
import { queueEmail, type QueueEmailInput } from "@/lib/notify/queue-email";
import type { EmailKind } from "@/lib/notify/templates";
import { addDays, DAY } from "@/lib/time";

export const DUE_SOON_DAYS = 7;
export const ESCALATE_AFTER_DAYS = 7;
export const EXPIRY_WARNING_DAYS = 30;

type Counts = {
  assigned: number;
  dueSoon: number;
  overdue: number;
  escalations: number;
  expiring: number;
  agreements: number;
  digests: number;
};
type DigestItem = NudgeItem;

/** The period a digest covers: the UTC day, or the Monday that starts the UTC week. */
export function digestPeriod(digest: "daily" | "weekly", now: Date): string {
  if (digest === "daily") return isoDate(now);
  const monday = new Date(
    Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7)),
  );
  return `week-${isoDate(monday)}`;
}

const days = (ms: number) => Math.max(0, Math.floor(ms / DAY));

/** A reminder that may be due: its dedupe key, what it counts as, and how to queue it. */
type Candidate = { key: string; counts: keyof Counts; queue: () => Promise<{ queued: boolean }> };
const KEYS_PER_READ = 5_000;
const COVER_KEYS_PER_READ = 50_000;
/** The reminders a welcome message may stand for (lib/notify/welcome.ts). */
const COVERABLE = /^(course-assigned|course-due-soon|course-overdue|agreement-to-sign):/;
/**
 * New messages one run queues at most. A new organisation's first run would
 * otherwise render tens of thousands at once inside the server; the rest go
 * out on the next runs, a minute apart, since what was not queued is proposed
 * again.
 */
export const MAX_NEW_REMINDERS_PER_RUN = 2_000;

/**
 * Queues the candidates not queued before, up to `limit`. Most runs re-propose
 * messages that went out on an earlier run; their keys are looked up a few
 * thousand at a time rather than one by one, and only new messages are
 * rendered and inserted (queueEmail checks its key again, and the unique key
 * settles a race).
 */
async function queueNew(db: Executor, candidates: Candidate[], counts: Counts, limit: number): Promise<void> {
  const known = new Set<string>();
  for (let i = 0; i < candidates.length; i += KEYS_PER_READ) {
    const keys = candidates.slice(i, i + KEYS_PER_READ).map((c) => c.key);
    const rows = await db
      .select({ key: outbox.dedupeKey })
      .from(outbox)
      .where(sql`${outbox.dedupeKey} = any(${sql.param(keys)}::text[])`);
    for (const row of rows) known.add(row.key);
  }
  // A welcome stands for the "assigned" and "please sign" messages it listed. Checked once per run for
  // the keys not queued yet, as a hash join (an array-overlap test per row costs keys × covers).
  const unknown = candidates.map((c) => c.key).filter((key) => !known.has(key) && COVERABLE.test(key));
  for (let i = 0; i < unknown.length; i += COVER_KEYS_PER_READ) {
    const covered = await selectRows<{ key: string }>(
      db,
      sql`select c.k as key from (select unnest(covers) as k from outbox where covers is not null) c
            join unnest(${sql.param(unknown.slice(i, i + COVER_KEYS_PER_READ))}::text[]) as q(k) on q.k = c.k`,
    );
    for (const row of covered) known.add(row.key);
  }
  let queued = 0;
  for (const candidate of candidates) {
    if (queued >= limit) break;
    if (known.has(candidate.key)) continue;
    known.add(candidate.key);
    if ((await candidate.queue()).queued) {
      counts[candidate.counts]++;
      queued++;
    }
  }
}

/**
 * Queues every reminder that is due at `now`. Each message has a dedupe key
 * (one per assignment and kind, per certification, per agreement version), so
 * running this any number of times — or on two workers at once — sends each
 * reminder once. At most `maxNew` new messages per run (MAX_NEW_REMINDERS_PER_RUN).
 */
export async function queueReminders(
  db: Executor,
  now = new Date(),
  options: { maxNew?: number } = {},
): Promise<Counts> {
  const counts: Counts = {
    assigned: 0,
    dueSoon: 0,
    overdue: 0,
    escalations: 0,
    expiring: 0,
    agreements: 0,
    digests: 0,
  };
  // People who chose a daily or weekly digest get their reminders gathered into one email per period.
  const digests = new Map<string, { name: string; email: string; digest: "daily" | "weekly"; items: DigestItem[] }>();
  const digestOf = (p: { personId: string; name: string; email: string; digest: "each" | "daily" | "weekly" }) => {
    if (p.digest === "each") return null;
    if (!digests.has(p.personId))
      digests.set(p.personId, { name: p.name, email: p.email, digest: p.digest, items: [] });
    return digests.get(p.personId)!;
  };
  const open = await db
    .select({
      id: assignments.id,
      personId: assignments.personId,
      courseId: assignments.courseId,
      dueAt: assignments.dueAt,
      name: people.name,
      email: people.email,
      managerId: people.managerId,
      digest: people.reminderDigest,
    })
    .from(assignments)
    .innerJoin(people, eq(people.id, assignments.personId))
    .where(and(isNull(assignments.completedAt), isNull(assignments.cancelledAt), eq(people.status, "active")));
  const managerIds = Array.from(new Set(open.map((a) => a.managerId).filter((m): m is string => Boolean(m))));
  const managerRows = managerIds.length
    ? await db
        .select({ id: people.id, name: people.name, email: people.email, status: people.status })
        .from(people)
        .where(inIds(people.id, managerIds))
    : [];
  const managers = new Map(managerRows.filter((m) => m.status === "active").map((m) => [m.id, m]));
  const candidates: Candidate[] = [];
  const propose = <K extends EmailKind>(counter: keyof Counts, input: QueueEmailInput<K>) =>
    candidates.push({ key: input.dedupeKey, counts: counter, queue: () => queueEmail(db, input) });

  for (const a of open) {
    const course = getCourse(a.courseId);
    if (!course) continue;
    const coursePath = `/courses/${course.id}`;
    const to = { email: a.email, personId: a.personId };
    const left = a.dueAt.getTime() - now.getTime();
    propose("assigned", {
      kind: "course-assigned",
      props: {
        name: a.name,
        courseTitle: course.title,
        courseSummary: course.summary,
        coursePath,
        dueAt: a.dueAt,
        estimatedMinutes: course.estimatedMinutes,
      },
      to,
      dedupeKey: `course-assigned:${a.id}`,
      now,
    });
    const digest = digestOf(a);
    if (digest && left <= DUE_SOON_DAYS * DAY)
      digest.items.push({
        title: course.title,
        kind: "course",
        status: left > 0 ? "due" : "overdue",
        date: a.dueAt,
        path: coursePath,
      });
    if (!digest && left > 0 && left <= DUE_SOON_DAYS * DAY) {
      propose("dueSoon", {
        kind: "course-due-soon",
        props: { name: a.name, courseTitle: course.title, coursePath, dueAt: a.dueAt, daysLeft: Math.ceil(left / DAY) },
        to,
        dedupeKey: `course-due-soon:${a.id}`,
        now,
      });
    }
    if (left <= 0) {
      if (!digest)
        propose("overdue", {
          kind: "course-overdue",
          props: { name: a.name, courseTitle: course.title, coursePath, dueAt: a.dueAt, daysOverdue: days(-left) },
          to,
          dedupeKey: `course-overdue:${a.id}`,
          now,
        });
      const manager = a.managerId ? managers.get(a.managerId) : undefined;
      if (manager && -left >= ESCALATE_AFTER_DAYS * DAY) {
        propose("escalations", {
          kind: "escalation",
          props: {
            managerName: manager.name,
            reportName: a.name,
            courseTitle: course.title,
            dueAt: a.dueAt,
            daysOverdue: days(-left),
            teamPath: "/team",
          },
          to: { email: manager.email, personId: manager.id },
          dedupeKey: `escalation:${a.id}:${manager.id}`,
          now,
        });
      }
    }
  }

  const expiring = await db
    .select({
      id: certifications.id,
      courseId: certifications.courseId,
      expiresAt: certifications.expiresAt,
      personId: people.id,
      name: people.name,
      email: people.email,
      digest: people.reminderDigest,
    })
    .from(certifications)
    .innerJoin(people, eq(people.id, certifications.personId))
    .where(
      and(
        eq(people.status, "active"),
        gt(certifications.expiresAt, now),
        lte(certifications.expiresAt, addDays(now, EXPIRY_WARNING_DAYS)),
      ),
    );
  for (const c of expiring) {
    const course = getCourse(c.courseId);
    if (!course) continue;
    const digest = digestOf(c);
    if (digest) {
      digest.items.push({
        title: course.title,
        kind: "certification",
        status: "expiring",
        date: c.expiresAt,
        path: `/courses/${course.id}`,
      });
      continue;
    }
    propose("expiring", {
      kind: "certification-expiring",
      props: {
        name: c.name,
        courseTitle: course.title,
        coursePath: `/courses/${course.id}`,
        expiresAt: c.expiresAt,
        daysLeft: Math.ceil((c.expiresAt.getTime() - now.getTime()) / DAY),
      },
      to: { email: c.email, personId: c.personId },
      dedupeKey: `certification-expiring:${c.id}`,
      now,
    });
  }

  const active = await db
    .select({
      id: people.id,
      name: people.name,
      email: people.email,
      departmentId: people.departmentId,
      roles: people.roles,
      digest: people.reminderDigest,
    })
    .from(people)
    .where(eq(people.status, "active"));
  const agreements = await agreementsForMany(db, active, now);
  for (const person of active) {
    for (const item of agreements.get(person.id)!) {
      if (item.standing === "signed" || item.standing === "expiring") continue;
      const digest = digestOf({ personId: person.id, name: person.name, email: person.email, digest: person.digest });
      if (digest) {
        digest.items.push({
          title: item.template.title,
          kind: "agreement",
          status: "due",
          date: item.signed?.renewalDueAt ?? null,
          path: `/agreements/${item.template.id}`,
        });
        continue;
      }
      const period =
        item.standing === "renewal_due"
          ? `renewal-${item.signed?.renewalDueAt?.toISOString().slice(0, 10)}`
          : `v${majorOf(item.template.version)}`;
      propose("agreements", {
        kind: "agreement-to-sign",
        props: {
          name: person.name,
          agreementTitle: item.template.title,
          version: item.template.version,
          agreementPath: `/agreements/${item.template.id}`,
          isNewVersion: item.standing === "new_version",
        },
        to: { email: person.email, personId: person.id },
        dedupeKey: `agreement-to-sign:${person.id}:${item.template.id}:${period}`,
        now,
      });
    }
  }
  for (const [personId, d] of digests) {
    if (d.items.length === 0) continue;
    propose("digests", {
      kind: "reminder-digest",
      props: { name: d.name, period: d.digest, items: d.items },
      to: { email: d.email, personId },
      dedupeKey: `reminder-digest:${personId}:${digestPeriod(d.digest, now)}`,
      now,
    });
  }
  await queueNew(db, candidates, counts, options.maxNew ?? MAX_NEW_REMINDERS_PER_RUN);
  return counts;
}
