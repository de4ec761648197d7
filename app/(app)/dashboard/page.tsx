import type { Metadata } from "next";
import Link from "next/link";

import { LearnerStateBadge } from "@/components/learner-state-badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { ProgressBar } from "@/components/ui/progress-bar";
import { requireViewer } from "@/lib/auth/gate";
import { formatDate, relativeDays } from "@/lib/format";
import { learnerOverview } from "@/lib/training/learner-overview";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const viewer = await requireViewer("page:/dashboard");
  const now = new Date();
  const items = await learnerOverview(viewer, now);
  const todo = items.filter((i) => i.dueAt);
  const certified = items.filter((i) => i.certification && !i.dueAt);
  const overdue = todo.filter((i) => i.state === "overdue").length;
  const firstName = viewer.name.split(" ")[0];
  return (
    <>
      <PageHeader
        title={`Welcome, ${firstName}`}
        description={
          todo.length === 0
            ? "You are up to date with everything assigned to you."
            : `${todo.length} course${todo.length === 1 ? "" : "s"} to complete${overdue ? `, ${overdue} overdue` : ""}.`
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <Card title="To do" description="Assigned to you, most urgent first." className="lg:col-span-2">
          {todo.length === 0 ? (
            <EmptyState title="Nothing is due right now">
              New assignments and renewals will appear here with their due dates.
            </EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100">
              {todo.map(({ course, state, dueAt, progress }) => (
                <li key={course.id} className="py-4 first:pt-0 last:pb-0">
                  <div className="flex flex-wrap items-start justify-between gap-2">
                    <div>
                      <Link href={`/courses/${course.id}`} className="font-medium text-slate-900 hover:underline">
                        {course.title}
                      </Link>
                      <p className="text-xs text-slate-500">
                        Due {formatDate(dueAt!)} ({relativeDays(dueAt!, now)}) · about {course.estimatedMinutes} min
                      </p>
                    </div>
                    <LearnerStateBadge state={state} />
                  </div>
                  <ProgressBar
                    className="mt-2"
                    value={progress.percent}
                    label={`${course.title}: ${progress.percent}% of lessons read`}
                  />
                </li>
              ))}
            </ul>
          )}
        </Card>
        <div className="space-y-6">
          <Card title="Your certifications">
            {certified.length === 0 ? (
              <EmptyState title="No certifications yet">Pass a course quiz to earn one.</EmptyState>
            ) : (
              <ul className="space-y-3 text-sm">
                {certified.map(({ course, state, certification }) => (
                  <li key={course.id} className="flex items-start justify-between gap-2">
                    <div>
                      <Link href={`/courses/${course.id}`} className="font-medium text-slate-900 hover:underline">
                        {course.title}
                      </Link>
                      <p className="text-xs text-slate-500">Until {formatDate(certification!.expiresAt)}</p>
                    </div>
                    <LearnerStateBadge state={state} />
                  </li>
                ))}
              </ul>
            )}
          </Card>
          {!viewer.mfaEnabled && (
            <Card title="Protect your account">
              <p className="text-sm text-slate-600">Two-factor authentication is off.</p>
              <Link
                href="/account/mfa"
                className="mt-2 inline-block text-sm font-medium text-brand-700 underline underline-offset-2"
              >
                Turn it on
              </Link>
            </Card>
          )}
        </div>
      </div>
    </>
  );
}
