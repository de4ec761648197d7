import "server-only";

import { and, eq, gt, isNull, lte, sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { selectRows } from "@/db/rows";
import { assignments, certifications, people, type EmailCadence } from "@/db/schema";
import type { NudgeItem } from "@/emails/nudge";
import { agreementsForMany } from "@/lib/agreements/employee-agreements";
import { majorOf } from "@/lib/certification/status.rules";
import { getCourse } from "@/lib/content";
import { sha256Hex } from "@/lib/crypto/hash";
import { yieldToRequests } from "@/lib/event-loop";
import { effectiveCadence, ROUTINE_KINDS } from "@/lib/notify/cadence.rules";
import { holdForDigest, organisationCadence, type DigestEntry, type DigestReason } from "@/lib/notify/digests";
import { queueEmail, type QueueEmailInput } from "@/lib/notify/queue-email";
import type { EmailKind } from "@/lib/notify/templates";
import { addDays, DAY } from "@/lib/time";

import { inSweep, type Sweep } from "./sweep";

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
  /** Messages that gathered several notifications raised together for one person. */
  bundled: number;
  /** Notifications kept for a daily or weekly digest (lib/notify/digests.ts). */
  held: number;
};

const days = (ms: number) => Math.max(0, Math.floor(ms / DAY));

type Recipient = { id: string; name: string; email: string; choice: EmailCadence | null };

/**
 * A routine notification that may be due: its dedupe key, what it counts as,
 * who receives it, how it reads in a list, why it is due (checked again before
 * a digest goes out), and the message it is when sent alone.
 */
type Candidate = {
  key: string;
  kind: EmailKind;
  counts: keyof Counts;
  to: Recipient;
  item: NudgeItem;
  reason: DigestReason;
  queue: () => Promise<{ queued: boolean }>;
};
const KEYS_PER_READ = 5_000;
const COVER_KEYS_PER_READ = 50_000;
/** The reminders a welcome or a gathered message may stand for (lib/notify/welcome.ts). */
const COVERABLE = new RegExp(`^(${ROUTINE_KINDS.join("|")}):`);
/**
 * New messages one run queues at most. A new organisation's first run would
 * otherwise render tens of thousands at once inside the server; the rest go
 * out on the next runs, a minute apart, since what was not queued is proposed
 * again.
 */
export const MAX_NEW_REMINDERS_PER_RUN = 2_000;

/** The keys among `keys` already sent, gathered, covered by a welcome, or held for a digest. */
async function knownKeys(db: Executor, keys: string[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (let i = 0; i < keys.length; i += KEYS_PER_READ) {
    const slice = sql.param(keys.slice(i, i + KEYS_PER_READ));
    const rows = await selectRows<{ key: string }>(
      db,
      sql`select dedupe_key as key from outbox where dedupe_key = any(${slice}::text[])
          union all select key from digest_items where key = any(${slice}::text[])`,
    );
    for (const row of rows) known.add(row.key);
  }
  // Checked once per run for the keys not queued yet, as a hash join (an array-overlap test per row costs keys × covers).
  const unknown = keys.filter((key) => !known.has(key) && COVERABLE.test(key));
  for (let i = 0; i < unknown.length; i += COVER_KEYS_PER_READ) {
    const covered = await selectRows<{ key: string }>(
      db,
      sql`select c.k as key from (select unnest(covers) as k from outbox where covers is not null) c
            join unnest(${sql.param(unknown.slice(i, i + COVER_KEYS_PER_READ))}::text[]) as q(k) on q.k = c.k`,
    );
    for (const row of covered) known.add(row.key);
  }
  return known;
}

const urgency = { overdue: 0, due: 1, expiring: 2 } as const;

/** One line per thing: when a course is both newly assigned and already overdue, the overdue line is enough. */
function listed(notices: Candidate[]): NudgeItem[] {
  const byThing = new Map<string, NudgeItem>();
  for (const { item } of notices) {
    const thing = `${item.kind}:${item.path}:${item.title}`;
    const before = byThing.get(thing);
    if (!before || urgency[item.status] < urgency[before.status]) byThing.set(thing, item);
  }
  return [...byThing.values()].sort((a, b) => (a.date?.getTime() ?? Infinity) - (b.date?.getTime() ?? Infinity));
}

/**
 * Sends what is new, per recipient, as their cadence says. Most runs
 * re-propose messages that went out on an earlier run; their keys are looked
 * up a few thousand at a time rather than one by one. What is left for a
 * person with the "each" cadence goes out as its own message when it is one
 * notification, and as one message listing them all when a run raised several
 * (the gathered message `covers` their keys). For a daily or weekly cadence it
 * is held for the digest. At most `limit` new messages are rendered.
 */
async function queueNew(
  db: Executor,
  candidates: Candidate[],
  counts: Counts,
  limit: number,
  organisationDefault: EmailCadence,
  now: Date,
): Promise<void> {
  const known = await knownKeys(
    db,
    candidates.map((c) => c.key),
  );
  const byRecipient = new Map<string, Candidate[]>();
  for (const candidate of candidates) {
    if (known.has(candidate.key)) continue;
    known.add(candidate.key);
    const list = byRecipient.get(candidate.to.id);
    if (list) list.push(candidate);
    else byRecipient.set(candidate.to.id, [candidate]);
  }
  const held: DigestEntry[] = [];
  let queued = 0;
  for (const notices of byRecipient.values()) {
    const to = notices[0].to;
    if (effectiveCadence(to.choice, organisationDefault) !== "each") {
      for (const n of notices) held.push({ key: n.key, personId: to.id, item: n.item, reason: n.reason });
      continue;
    }
    if (queued >= limit) continue;
    // A message is rendered next, perhaps in the server's own process: let it answer its requests between them.
    await yieldToRequests();
    if (notices.length === 1) {
      if ((await notices[0].queue()).queued) {
        counts[notices[0].counts]++;
        queued++;
      }
      continue;
    }
    const keys = notices.map((n) => n.key).sort();
    const result = await queueEmail(db, {
      kind: "reminder-digest",
      props: { name: to.name, period: "each", items: listed(notices) },
      to: { email: to.email, personId: to.id },
      dedupeKey: `reminders:${to.id}:${sha256Hex(keys.join("\n")).slice(0, 32)}`,
      covers: keys,
      now,
    });
    if (result.queued) {
      for (const n of notices) counts[n.counts]++;
      counts.bundled++;
      queued++;
    }
  }
  counts.held += await holdForDigest(db, held, now);
}

/**
 * Queues every reminder that is due at `now`. Each notification has a dedupe
 * key (one per assignment and kind, per certification, per agreement
 * version), so running this any number of times — or on two workers at once —
 * raises each one once: sent alone, gathered with others raised in the same
 * run, or held for the person's digest. At most `maxNew` new messages per run
 * (MAX_NEW_REMINDERS_PER_RUN).
 */
export async function queueReminders(
  db: Executor,
  now = new Date(),
  options: { maxNew?: number; sweep?: Sweep } = {},
): Promise<Counts> {
  const counts: Counts = {
    assigned: 0,
    dueSoon: 0,
    overdue: 0,
    escalations: 0,
    expiring: 0,
    agreements: 0,
    bundled: 0,
    held: 0,
  };
  const candidates = await proposeReminders(db, now, options.sweep);
  const organisationDefault = await organisationCadence(db);
  await queueNew(db, candidates, counts, options.maxNew ?? MAX_NEW_REMINDERS_PER_RUN, organisationDefault, now);
  return counts;
}

/**
 * Every routine notification due at `now`, sent already or not: its dedupe
 * key, its kind and its recipient. The scale benchmark records these as sent
 * to stand for a deployment that has been running.
 */
export async function remindersDue(
  db: Executor,
  now = new Date(),
): Promise<{ key: string; kind: EmailKind; personId: string; email: string }[]> {
  return (await proposeReminders(db, now)).map((c) => ({
    key: c.key,
    kind: c.kind,
    personId: c.to.id,
    email: c.to.email,
  }));
}

/** The notifications that may be due at `now`, each with the message it is when sent alone. */
async function proposeReminders(db: Executor, now: Date, sweep?: Sweep): Promise<Candidate[]> {
  const open = await db
    .select({
      id: assignments.id,
      personId: assignments.personId,
      courseId: assignments.courseId,
      dueAt: assignments.dueAt,
      name: people.name,
      email: people.email,
      managerId: people.managerId,
      choice: people.reminderDigest,
    })
    .from(assignments)
    .innerJoin(people, eq(people.id, assignments.personId))
    .where(
      and(
        isNull(assignments.completedAt),
        isNull(assignments.cancelledAt),
        eq(people.status, "active"),
        inSweep(assignments.personId, sweep),
      ),
    );
  const managerIds = Array.from(new Set(open.map((a) => a.managerId).filter((m): m is string => Boolean(m))));
  const managerRows = managerIds.length
    ? await db
        .select({
          id: people.id,
          name: people.name,
          email: people.email,
          status: people.status,
          choice: people.reminderDigest,
        })
        .from(people)
        .where(inIds(people.id, managerIds))
    : [];
  const managers = new Map(managerRows.filter((m) => m.status === "active").map((m) => [m.id, m]));
  const candidates: Candidate[] = [];
  const propose = <K extends EmailKind>(
    counter: keyof Counts,
    notice: { to: Recipient; item: NudgeItem; reason: DigestReason },
    input: Omit<QueueEmailInput<K>, "to" | "now">,
  ) =>
    candidates.push({
      key: input.dedupeKey,
      kind: input.kind,
      counts: counter,
      ...notice,
      queue: () => queueEmail(db, { ...input, to: { email: notice.to.email, personId: notice.to.id }, now }),
    });

  for (const a of open) {
    const course = getCourse(a.courseId);
    if (!course) continue;
    const coursePath = `/courses/${course.id}`;
    const to = { id: a.personId, name: a.name, email: a.email, choice: a.choice };
    const reason = { type: "assignment", id: a.id } as const;
    const item = (status: NudgeItem["status"]): NudgeItem => ({
      title: course.title,
      kind: "course",
      status,
      date: a.dueAt,
      path: coursePath,
    });
    const left = a.dueAt.getTime() - now.getTime();
    propose(
      "assigned",
      { to, item: item(left > 0 ? "due" : "overdue"), reason },
      {
        kind: "course-assigned",
        props: {
          name: a.name,
          courseTitle: course.title,
          courseSummary: course.summary,
          coursePath,
          dueAt: a.dueAt,
          estimatedMinutes: course.estimatedMinutes,
        },
        dedupeKey: `course-assigned:${a.id}`,
      },
    );
    if (left > 0 && left <= DUE_SOON_DAYS * DAY) {
      propose(
        "dueSoon",
        { to, item: item("due"), reason },
        {
          kind: "course-due-soon",
          props: {
            name: a.name,
            courseTitle: course.title,
            coursePath,
            dueAt: a.dueAt,
            daysLeft: Math.ceil(left / DAY),
          },
          dedupeKey: `course-due-soon:${a.id}`,
        },
      );
    }
    if (left <= 0) {
      propose(
        "overdue",
        { to, item: item("overdue"), reason },
        {
          kind: "course-overdue",
          props: { name: a.name, courseTitle: course.title, coursePath, dueAt: a.dueAt, daysOverdue: days(-left) },
          dedupeKey: `course-overdue:${a.id}`,
        },
      );
      const manager = a.managerId ? managers.get(a.managerId) : undefined;
      if (manager && -left >= ESCALATE_AFTER_DAYS * DAY) {
        propose(
          "escalations",
          {
            to: { id: manager.id, name: manager.name, email: manager.email, choice: manager.choice },
            item: { ...item("overdue"), title: `${a.name}: ${course.title}`, path: "/team" },
            reason,
          },
          {
            kind: "escalation",
            props: {
              managerName: manager.name,
              reportName: a.name,
              courseTitle: course.title,
              dueAt: a.dueAt,
              daysOverdue: days(-left),
              teamPath: "/team",
            },
            dedupeKey: `escalation:${a.id}:${manager.id}`,
          },
        );
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
      choice: people.reminderDigest,
    })
    .from(certifications)
    .innerJoin(people, eq(people.id, certifications.personId))
    .where(
      and(
        eq(people.status, "active"),
        inSweep(certifications.personId, sweep),
        gt(certifications.expiresAt, now),
        lte(certifications.expiresAt, addDays(now, EXPIRY_WARNING_DAYS)),
      ),
    );
  for (const c of expiring) {
    const course = getCourse(c.courseId);
    if (!course) continue;
    const coursePath = `/courses/${course.id}`;
    propose(
      "expiring",
      {
        to: { id: c.personId, name: c.name, email: c.email, choice: c.choice },
        item: { title: course.title, kind: "certification", status: "expiring", date: c.expiresAt, path: coursePath },
        reason: { type: "certification", id: c.id },
      },
      {
        kind: "certification-expiring",
        props: {
          name: c.name,
          courseTitle: course.title,
          coursePath,
          expiresAt: c.expiresAt,
          daysLeft: Math.ceil((c.expiresAt.getTime() - now.getTime()) / DAY),
        },
        dedupeKey: `certification-expiring:${c.id}`,
      },
    );
  }

  const active = await db
    .select({
      id: people.id,
      name: people.name,
      email: people.email,
      departmentId: people.departmentId,
      roles: people.roles,
      choice: people.reminderDigest,
    })
    .from(people)
    .where(and(eq(people.status, "active"), inSweep(people.id, sweep)));
  const agreements = await agreementsForMany(db, active, now);
  for (const person of active) {
    for (const item of agreements.get(person.id)!) {
      if (item.standing === "signed" || item.standing === "expiring") continue;
      const period =
        item.standing === "renewal_due"
          ? `renewal-${item.signed?.renewalDueAt?.toISOString().slice(0, 10)}`
          : `v${majorOf(item.template.version)}`;
      const agreementPath = `/agreements/${item.template.id}`;
      propose(
        "agreements",
        {
          to: { id: person.id, name: person.name, email: person.email, choice: person.choice },
          item: {
            title: item.template.title,
            kind: "agreement",
            status: "due",
            date: item.signed?.renewalDueAt ?? null,
            path: agreementPath,
          },
          reason: { type: "agreement", templateId: item.template.id },
        },
        {
          kind: "agreement-to-sign",
          props: {
            name: person.name,
            agreementTitle: item.template.title,
            version: item.template.version,
            agreementPath,
            isNewVersion: item.standing === "new_version",
          },
          dedupeKey: `agreement-to-sign:${person.id}:${item.template.id}:${period}`,
        },
      );
    }
  }
  return candidates;
}
