import type { Metadata } from "next";
import Link from "next/link";

import { LearnerStateBadge } from "@/components/learner-state-badge";
import { PageHeader } from "@/components/ui/card";
import { ProgressBar } from "@/components/ui/progress-bar";
import { requireViewer } from "@/lib/auth/gate";
import { formatDate, plural } from "@/lib/format";
import { learnerOverview } from "@/lib/training/learner-overview";

export const metadata: Metadata = { title: "Courses" };

export default async function CoursesPage() {
  const viewer = await requireViewer("page:/courses");
  const items = await learnerOverview(viewer);
  return (
    <>
      <PageHeader
        title="Courses"
        description="Law and policy training. Pass a course's quiz to be certified; certifications expire and are renewed on schedule."
      />
      <ul className="grid gap-5 md:grid-cols-2">
        {items.map(({ course, state, dueAt, progress, certification }) => (
          <li key={course.id} className="flex flex-col rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
            <div className="flex items-start justify-between gap-3">
              <h2 className="font-semibold text-slate-900">
                <Link href={`/courses/${course.id}`} className="hover:underline">
                  {course.title}
                </Link>
              </h2>
              <LearnerStateBadge state={state} />
            </div>
            <p className="mt-2 flex-1 text-sm leading-6 text-slate-600">{course.summary}</p>
            <p className="mt-3 text-xs text-slate-500">
              {course.package ? "Interactive course" : plural(course.lessons.length, "lesson")} · about{" "}
              {course.estimatedMinutes} min · v{course.version}
              {dueAt && ` · due ${formatDate(dueAt)}`}
              {certification && ` · certified until ${formatDate(certification.expiresAt)}`}
            </p>
            <ProgressBar
              className="mt-3"
              value={progress.percent}
              label={`${course.title}: ${progress.percent}% of lessons read`}
            />
          </li>
        ))}
      </ul>
    </>
  );
}
