import type { RoleView } from "@/lib/access/my-access";
import type { AgreementItem } from "@/lib/agreements/employee-agreements";
import { majorOf } from "@/lib/certification/status.rules";
import { DAY } from "@/lib/time";
import type { LearnerCourse } from "@/lib/training/learner-overview";

/**
 * One person's to-do list: the courses, agreements and renewals they must act
 * on, and for each data-access role they hold or asked for, what stands in
 * its way. Pure: a function of what the person's pages already read, and `now`.
 */

export type Urgency = "overdue" | "soon" | "later";
export type ToDoKind = "course" | "agreement" | "access";

export type ToDoItem = {
  /** The page that does it; also what makes two items the same thing. */
  href: string;
  kind: ToDoKind;
  /** What to do, in the imperative: "Sign the “Employee Confidentiality Agreement”". */
  title: string;
  /** A few words on where it stands: "Overdue", "Due soon", "Renewal due". */
  status: string;
  urgency: Urgency;
  /** The date that makes it urgent (due, expiry, renewal, lapse), when there is one. */
  dueAt: Date | null;
  dueWord: "Due" | "Expires" | "Expired" | "Renew by" | "Lapses";
  /** Data-access roles this unblocks, by name. */
  unlocks: string[];
  /** Roles it unblocks that are already granted (so the person cannot use a role they were given). */
  blocksGranted: boolean;
};

export type NextDue = { what: string; at: Date } | null;

/** Due within this many days counts as "soon". */
export const SOON_DAYS = 7;
/** A held role is flagged this many days before it lapses. */
export const LAPSE_WARNING_DAYS = 30;

const RANK: Record<Urgency, number> = { overdue: 0, soon: 1, later: 2 };

function byDate(dueAt: Date | null, now: Date): Urgency {
  if (!dueAt) return "later";
  if (dueAt.getTime() <= now.getTime()) return "overdue";
  return dueAt.getTime() - now.getTime() <= SOON_DAYS * DAY ? "soon" : "later";
}

const moreUrgent = (a: Urgency, b: Urgency): Urgency => (RANK[a] <= RANK[b] ? a : b);

function courseItem({ course, state, dueAt, certification }: LearnerCourse, now: Date): ToDoItem | null {
  const href = `/courses/${course.id}`;
  const renewal = certification && ["expiring", "expired", "superseded"].includes(certification.status);
  // Certified at an older major version, still within its grace period: the new version is what is due.
  const olderMajor = certification !== null && majorOf(certification.courseVersion) < majorOf(course.version);
  const title =
    renewal || (olderMajor && dueAt)
      ? certification!.status === "superseded" || olderMajor
        ? `Take the new version of “${course.title}”`
        : `Renew your certification in “${course.title}”`
      : `Complete the course “${course.title}”`;
  const base = { href, kind: "course" as const, title, unlocks: [], blocksGranted: false };
  if (dueAt) {
    const urgency = byDate(dueAt, now);
    const status =
      urgency === "overdue"
        ? "Overdue"
        : urgency === "soon"
          ? "Due soon"
          : state === "in_progress"
            ? "In progress"
            : "Not started";
    return { ...base, status, urgency, dueAt, dueWord: "Due" };
  }
  if (!certification || !renewal) return null;
  if (certification.status === "expiring") {
    const urgency = byDate(certification.expiresAt, now);
    return { ...base, status: "Expiring", urgency, dueAt: certification.expiresAt, dueWord: "Expires" };
  }
  const expired = certification.status === "expired";
  return {
    ...base,
    status: expired ? "Expired" : "New version",
    urgency: "overdue",
    dueAt: expired ? certification.expiresAt : null,
    dueWord: "Expired",
  };
}

const AGREEMENT_STATUS = {
  to_sign: "To sign",
  new_version: "New version to sign",
  renewal_due: "Renewal due",
  expiring: "Renew soon",
} as const;

function agreementItem({ template, standing, signed }: AgreementItem, now: Date): ToDoItem | null {
  if (standing === "signed") return null;
  const title =
    standing === "to_sign" ? `Sign the “${template.title}”` : `Sign the current version of the “${template.title}”`;
  const dueAt = standing === "renewal_due" || standing === "expiring" ? (signed?.renewalDueAt ?? null) : null;
  return {
    href: `/agreements/${template.id}`,
    kind: "agreement",
    title,
    status: AGREEMENT_STATUS[standing],
    urgency: standing === "renewal_due" ? "overdue" : byDate(dueAt, now),
    dueAt,
    dueWord: "Renew by",
    unlocks: [],
    blocksGranted: false,
  };
}

/**
 * What a role needs attaches to the item that provides it (or becomes one):
 * a role already granted but blocked makes its requirements overdue, a
 * requested one makes them due soon. A held role about to lapse is an item
 * of its own, pointing at the access page.
 */
function addRoleNeeds(items: Map<string, ToDoItem>, roles: RoleView[], now: Date) {
  for (const view of roles) {
    if (view.state === "blocked" || view.state === "requested") {
      const granted = view.state === "blocked";
      for (const need of view.missing) {
        if (!need.href) continue;
        const existing = items.get(need.href);
        const item: ToDoItem = existing ?? {
          href: need.href,
          kind: need.href.startsWith("/agreements/") ? "agreement" : "course",
          title: need.text,
          status: "Needed for access",
          urgency: "later",
          dueAt: null,
          dueWord: "Due",
          unlocks: [],
          blocksGranted: false,
        };
        item.unlocks = [...item.unlocks, view.role.name];
        item.blocksGranted ||= granted;
        const raised = moreUrgent(item.urgency, granted ? "overdue" : "soon");
        // Made more urgent by the role than by its own date: the badge says why.
        if (raised !== item.urgency) item.status = granted ? "Blocks your access" : "Needed for access";
        item.urgency = raised;
        items.set(need.href, item);
      }
    }
    const until = view.decision.valid_until;
    if (view.state === "held" && until && until.getTime() - now.getTime() <= LAPSE_WARNING_DAYS * DAY) {
      const href = `/access#role-${view.role.id}`;
      items.set(href, {
        href,
        kind: "access",
        title: `Keep “${view.role.name}”: renew what it needs before it lapses`,
        status: "Lapses soon",
        urgency: byDate(until, now),
        dueAt: until,
        dueWord: "Lapses",
        unlocks: [],
        blocksGranted: false,
      });
    }
  }
}

/** Most urgent first: overdue, then due soon, then the rest; within each, the earliest date first. */
export function compareToDo(a: ToDoItem, b: ToDoItem): number {
  const time = (d: Date | null) => d?.getTime() ?? Infinity;
  return (
    RANK[a.urgency] - RANK[b.urgency] ||
    Number(b.blocksGranted) - Number(a.blocksGranted) ||
    time(a.dueAt) - time(b.dueAt) ||
    a.title.localeCompare(b.title)
  );
}

export function buildToDo(
  input: { courses: LearnerCourse[]; agreements: AgreementItem[]; roles: RoleView[] },
  now: Date,
): ToDoItem[] {
  const items = new Map<string, ToDoItem>();
  for (const c of input.courses) {
    const item = courseItem(c, now);
    if (item) items.set(item.href, item);
  }
  for (const a of input.agreements) {
    const item = agreementItem(a, now);
    if (item) items.set(item.href, item);
  }
  addRoleNeeds(items, input.roles, now);
  return [...items.values()].sort(compareToDo);
}

/** With nothing to do: the next date something will be (a certification's expiry, an agreement's renewal, a grant's end). */
export function nextDue(
  input: { courses: LearnerCourse[]; agreements: AgreementItem[]; roles: RoleView[] },
  now: Date,
): NextDue {
  const candidates: NextDue[] = [
    ...input.courses.map((c) =>
      c.certification
        ? { what: `your certification in “${c.course.title}” expires`, at: c.certification.expiresAt }
        : null,
    ),
    ...input.agreements.map((a) =>
      a.signed?.renewalDueAt
        ? { what: `the “${a.template.title}” is due for renewal`, at: a.signed.renewalDueAt }
        : null,
    ),
    ...input.roles.map((r) =>
      r.state === "held" && r.decision.valid_until
        ? { what: `“${r.role.name}” lapses`, at: r.decision.valid_until }
        : null,
    ),
  ];
  return (
    candidates
      .filter((c): c is NonNullable<NextDue> => c !== null && c.at.getTime() > now.getTime())
      .sort((a, b) => a.at.getTime() - b.at.getTime())[0] ?? null
  );
}
