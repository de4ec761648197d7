import type { Metadata } from "next";
import Link from "next/link";

import { LearnerStateBadge } from "@/components/learner-state-badge";
import { Badge, type Tone } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/gate";
import { may } from "@/lib/auth/permissions";
import { myToDo, type MyToDo } from "@/lib/dashboard/my-to-do";
import type { ToDoItem, Urgency } from "@/lib/dashboard/to-do.rules";
import { waitingOnMe, type WaitingOnMe } from "@/lib/dashboard/waiting-on-me";
import { formatDate, listInWords, plural, relativeDays } from "@/lib/format";

export const metadata: Metadata = { title: "Dashboard" };

const GROUPS: { urgency: Urgency; heading: string; tone: Tone }[] = [
  { urgency: "overdue", heading: "Overdue", tone: "danger" },
  { urgency: "soon", heading: "Due soon or needed for access", tone: "warning" },
  { urgency: "later", heading: "Later", tone: "neutral" },
];

const linkClass = "font-medium text-brand-800 underline-offset-2 hover:underline";
const moreClass = "mt-3 inline-block text-sm font-medium text-brand-700 underline underline-offset-2";

function ToDoRow({ item, tone, now }: { item: ToDoItem; tone: Tone; now: Date }) {
  const needed = item.unlocks.length ? ` to use ${listInWords(item.unlocks)}` : "";
  return (
    <li className="flex flex-wrap items-start justify-between gap-x-3 gap-y-1 py-3" data-kind={item.kind}>
      <div className="min-w-0 flex-1 basis-60">
        <Link href={item.href} className={linkClass}>
          {item.title}
          {needed}
        </Link>
        <p className="mt-0.5 text-xs text-slate-600">
          {item.dueAt ? `${item.dueWord} ${formatDate(item.dueAt)} (${relativeDays(item.dueAt, now)})` : "No due date"}
          {item.blocksGranted && " · you have been granted access but cannot use it until this is done"}
        </p>
      </div>
      <Badge tone={tone}>{item.status}</Badge>
    </li>
  );
}

function ToDoList({ items, now, next }: { items: ToDoItem[]; now: Date; next: MyToDo["next"] }) {
  if (items.length === 0) {
    return (
      <div className="rounded-lg border border-dashed border-emerald-300 bg-emerald-50 px-6 py-8 text-center">
        <p className="font-medium text-emerald-900">You’re all set</p>
        <p className="mt-1 text-sm text-emerald-800">
          {next
            ? `Nothing needs you now. Next: ${next.what} on ${formatDate(next.at)} (${relativeDays(next.at, now)}).`
            : "Nothing needs you now. New assignments and renewals will appear here with their due dates."}
        </p>
      </div>
    );
  }
  return (
    <div className="space-y-5">
      {GROUPS.map(({ urgency, heading, tone }) => {
        const group = items.filter((i) => i.urgency === urgency);
        if (group.length === 0) return null;
        const id = `todo-${urgency}`;
        return (
          <section key={urgency} aria-labelledby={id}>
            <h3 id={id} className="text-xs font-semibold tracking-wide text-slate-600 uppercase">
              {heading} ({group.length})
            </h3>
            <ul className="divide-y divide-slate-100">
              {group.map((item) => (
                <ToDoRow key={item.href} item={item} tone={tone} now={now} />
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
}

function ApprovalsCard({ approvals, now }: { approvals: NonNullable<WaitingOnMe["approvals"]>; now: Date }) {
  return (
    <Card title="Access requests waiting for you" description={plural(approvals.total, "request")}>
      {approvals.total === 0 ? (
        <p className="text-sm text-slate-600">No requests are waiting for your decision.</p>
      ) : (
        <>
          <ul className="space-y-3 text-sm">
            {approvals.oldest.map((r) => (
              <li key={r.id}>
                <Link href={`/access/approvals#request-${r.id}`} className={linkClass}>
                  {r.name}: {r.roleName}
                </Link>
                <p className="text-xs text-slate-600">
                  Asked {relativeDays(r.requestedAt, now)} ·{" "}
                  {r.requirementsMet ? "requirements met" : `${plural(r.missing.length, "requirement")} missing`}
                </p>
              </li>
            ))}
          </ul>
          <Link href="/access/approvals" className={moreClass}>
            {approvals.total > approvals.oldest.length
              ? `Review all ${plural(approvals.total, "request")}`
              : "Open the approvals page"}
          </Link>
        </>
      )}
    </Card>
  );
}

function TeamCard({ team, now }: { team: NonNullable<WaitingOnMe["team"]>; now: Date }) {
  return (
    <Card
      title="Your team"
      description={
        team.overduePeople ? `${plural(team.overduePeople, "person", "people")} with overdue training` : undefined
      }
    >
      {team.people.length === 0 ? (
        <p className="text-sm text-slate-600">Nobody on your team is overdue.</p>
      ) : (
        <>
          <ul className="space-y-3 text-sm">
            {team.people.map((p) => (
              <li key={p.id}>
                <Link href={`/people/${p.id}`} className={linkClass}>
                  {p.name}
                </Link>
                <p className="text-xs text-slate-600">
                  {plural(p.overdue, "course")} overdue, the oldest since {formatDate(p.oldestDueAt)} (
                  {relativeDays(p.oldestDueAt, now)})
                </p>
              </li>
            ))}
          </ul>
          <Link href="/team?status=overdue" className={moreClass}>
            See everyone overdue
          </Link>
        </>
      )}
    </Card>
  );
}

function AdminCard({ admin }: { admin: NonNullable<WaitingOnMe["admin"]> }) {
  return (
    <Card title="Organisation">
      <ul className="space-y-2 text-sm">
        <li>
          <Link href="/admin/corrections" className={linkClass}>
            {plural(admin.openCorrections, "correction request")} open
          </Link>
        </li>
        <li>
          <Link href="/admin/people/import" className={linkClass}>
            {plural(admin.importsReady, "people import")} checked and waiting to be applied
          </Link>
        </li>
        <li>
          <Link href="/admin/overview" className={linkClass}>
            Organisation overview
          </Link>
        </li>
      </ul>
    </Card>
  );
}

function AuditCard() {
  return (
    <Card title="Audit">
      <ul className="space-y-2 text-sm">
        <li>
          <Link href="/audit" className={linkClass}>
            Audit log and integrity check
          </Link>
        </li>
        <li>
          <Link href="/audit/exceptions" className={linkClass}>
            Exceptions report
          </Link>
        </li>
        <li>
          <Link href="/audit/data-events" className={linkClass}>
            Data operations reported by other systems
          </Link>
        </li>
      </ul>
    </Card>
  );
}

function CertificationsCard({ certified }: { certified: MyToDo["certified"] }) {
  return (
    <Card title="Your certifications">
      {certified.length === 0 ? (
        <p className="text-sm text-slate-600">None yet: pass a course quiz to earn one.</p>
      ) : (
        <ul className="space-y-3 text-sm">
          {certified.map(({ course, state, certification }) => (
            <li key={course.id} className="flex items-start justify-between gap-2">
              <div>
                <Link href={`/courses/${course.id}`} className={linkClass}>
                  {course.title}
                </Link>
                <p className="text-xs text-slate-600">Until {formatDate(certification!.expiresAt)}</p>
              </div>
              <LearnerStateBadge state={state} />
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function summary(items: ToDoItem[], waiting: WaitingOnMe): string {
  const overdue = items.filter((i) => i.urgency === "overdue").length;
  const parts = [
    items.length === 0
      ? "You have nothing to do right now."
      : `${plural(items.length, "thing")} to do${overdue ? `, ${overdue} overdue` : ""}.`,
  ];
  if (waiting.approvals?.total)
    parts.push(
      `${plural(waiting.approvals.total, "access request")} ${waiting.approvals.total === 1 ? "waits" : "wait"} for your decision.`,
    );
  return parts.join(" ");
}

export default async function DashboardPage() {
  const viewer = await requireViewer("page:/dashboard");
  const now = new Date();
  const [todo, waiting] = await Promise.all([myToDo(viewer, now), waitingOnMe(viewer, now)]);
  const firstName = viewer.name.split(" ")[0];
  const auditor = may(viewer, "oversee") && !may(viewer, "administer");
  // On a narrow screen, what others wait for comes before the person's own list when something waits.
  const waitingFirst = Boolean(waiting.approvals?.total || waiting.team?.overduePeople);
  const waitingCards = (waiting.approvals || waiting.team || waiting.admin || auditor) && (
    <div className="space-y-6 lg:col-start-3 lg:row-start-1">
      {waiting.approvals && <ApprovalsCard approvals={waiting.approvals} now={now} />}
      {waiting.team && <TeamCard team={waiting.team} now={now} />}
      {waiting.admin && <AdminCard admin={waiting.admin} />}
      {(auditor || waiting.admin) && <AuditCard />}
    </div>
  );
  return (
    <>
      <PageHeader title={`Welcome, ${firstName}`} description={summary(todo.items, waiting)} />
      <div className="grid items-start gap-6 lg:grid-cols-3">
        {waitingFirst && waitingCards}
        <Card
          title="Your to-do list"
          description="Courses, agreements and renewals, most urgent first."
          className="lg:col-span-2 lg:col-start-1 lg:row-span-2 lg:row-start-1"
        >
          <ToDoList items={todo.items} now={now} next={todo.next} />
        </Card>
        {!waitingFirst && waitingCards}
        <div className="space-y-6 lg:col-start-3">
          <CertificationsCard certified={todo.certified} />
          {!viewer.mfaEnabled && (
            <Card title="Protect your account">
              <p className="text-sm text-slate-600">Two-factor authentication is off.</p>
              <Link href="/account/mfa" className={moreClass}>
                Turn it on
              </Link>
            </Card>
          )}
        </div>
      </div>
    </>
  );
}
