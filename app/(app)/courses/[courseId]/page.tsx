import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { ActionButton } from "@/components/action-button";
import { DueDateLine } from "@/components/calendar/add-to-calendar-link";
import { LearnerStateBadge } from "@/components/learner-state-badge";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { ProgressBar } from "@/components/ui/progress-bar";
import { getDb } from "@/db/client";
import { requireViewer } from "@/lib/auth/gate";
import { getCourse } from "@/lib/content";
import { formatDate, formatDateTime, plural } from "@/lib/format";
import { attemptHistory, quizAllowance } from "@/lib/training/attempts";
import { learnerCourse } from "@/lib/training/learner-course";
import { learnerOverview } from "@/lib/training/learner-overview";

import { startPackage, startQuiz } from "../actions";

type Params = { params: Promise<{ courseId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: getCourse((await params).courseId)?.title ?? "Course" };
}

/** Said when every attempt (a quiz's or a package's run) is used: when the next one opens. */
function AttemptsUsed({ limit, retryAt }: { limit: number; retryAt: Date }) {
  return (
    <p role="status" className="text-sm text-amber-800">
      You have used {limit === 1 ? "your attempt" : `all ${limit} attempts`}. You can try again after{" "}
      {formatDateTime(retryAt)}.
    </p>
  );
}

export default async function CoursePage({ params }: Params) {
  const viewer = await requireViewer("page:/courses/[courseId]");
  const { courseId } = await params;
  const course = await learnerCourse(await getDb(), viewer.id, courseId);
  if (!course) notFound();
  const [overview, attempts, allowance] = await Promise.all([
    learnerOverview(viewer),
    attemptHistory(viewer.id, course.id),
    quizAllowance(viewer.id, course.id),
  ]);
  const item = overview.find((i) => i.course.id === course.id)!;
  const { progress, certification } = item;
  const allRead = progress.completed.size === course.lessons.length;
  const inProgress = attempts.find((a) => a.status === "in_progress");
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link href="/courses" className="hover:underline">
          Courses
        </Link>{" "}
        / {course.title}
      </nav>
      <PageHeader
        title={course.title}
        description={course.summary}
        actions={<LearnerStateBadge state={item.state} />}
      />
      {item.dueAt && <DueDateLine label="Due" date={item.dueAt} href={`/courses/${course.id}/calendar`} />}
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card title="What you will learn">
            <ul className="list-disc space-y-1 pl-5 text-sm text-slate-700">
              {course.objectives.map((o) => (
                <li key={o}>{o}</li>
              ))}
            </ul>
          </Card>
          {course.package ? (
            <Card
              title="The course"
              description={`An interactive course · about ${plural(course.estimatedMinutes, "minute")}`}
            >
              <p className="text-sm text-slate-700">
                It plays here, in Clearance, and keeps your place: leave at any time and continue later, on any device.{" "}
                You are certified when it reports that you passed (or completed it, where it has no test).
              </p>
              <div className="mt-4">
                {inProgress ? (
                  <Link href={`/courses/${course.id}/play/${inProgress.id}`} className={buttonClass("primary")}>
                    Continue where you left off
                  </Link>
                ) : !allowance.allowed ? (
                  <AttemptsUsed limit={course.attemptLimit} retryAt={allowance.retryAt} />
                ) : (
                  <ActionButton
                    action={startPackage}
                    fields={{ courseId: course.id }}
                    label={
                      certification ? "Take the course again" : attempts.length ? "Start again" : "Start the course"
                    }
                    pendingLabel="Opening…"
                  />
                )}
              </div>
            </Card>
          ) : (
            <Card
              title="Lessons"
              description={`${progress.completed.size} of ${course.lessons.length} read · about ${plural(course.estimatedMinutes, "minute")} in all`}
            >
              <ProgressBar value={progress.percent} label={`Course progress: ${progress.percent}%`} />
              <ol className="mt-4 divide-y divide-slate-100">
                {course.lessons.map((lesson, i) => {
                  const done = progress.completed.has(lesson.slug);
                  return (
                    <li key={lesson.slug} className="flex items-center justify-between gap-3 py-3">
                      <Link
                        href={`/courses/${course.id}/lessons/${lesson.slug}`}
                        className="text-sm font-medium text-slate-800 hover:underline"
                      >
                        {i + 1}. {lesson.title}
                      </Link>
                      {done ? <Badge tone="success">Read</Badge> : <Badge>Not read</Badge>}
                    </li>
                  );
                })}
              </ol>
              <div className="mt-4">
                <Link
                  href={`/courses/${course.id}/lessons/${progress.resumeSlug}`}
                  className={buttonClass(allRead ? "secondary" : "primary")}
                >
                  {progress.completed.size === 0
                    ? "Start the course"
                    : allRead
                      ? "Review lessons"
                      : "Continue where you left off"}
                </Link>
              </div>
            </Card>
          )}
        </div>
        <div className="space-y-6">
          {!course.package && (
            <Card title="Quiz">
              <p className="text-sm text-slate-600">
                {plural(course.questionsPerAttempt, "question")}, pass mark {course.passMark}%.{" "}
                {plural(course.attemptLimit, "attempt")}, then a {course.cooldownHours}-hour wait.
              </p>
              <div className="mt-4">
                {inProgress ? (
                  <Link href={`/courses/${course.id}/attempts/${inProgress.id}`} className={buttonClass("primary")}>
                    Continue the quiz
                  </Link>
                ) : !allRead ? (
                  <p className="text-sm text-slate-500">Read every lesson to unlock the quiz.</p>
                ) : !allowance.allowed ? (
                  <AttemptsUsed limit={course.attemptLimit} retryAt={allowance.retryAt} />
                ) : (
                  <ActionButton
                    action={startQuiz}
                    fields={{ courseId: course.id }}
                    label={certification ? "Retake the quiz" : "Take the quiz"}
                    pendingLabel="Preparing questions…"
                  />
                )}
              </div>
            </Card>
          )}
          <Card title="Certification">
            {certification ? (
              <>
                <dl className="space-y-2 text-sm">
                  <div className="flex justify-between gap-2">
                    <dt className="text-slate-500">Issued</dt>
                    <dd>{formatDate(certification.issuedAt)}</dd>
                  </div>
                  <div className="flex justify-between gap-2">
                    <dt className="text-slate-500">Expires</dt>
                    <dd>{formatDate(certification.expiresAt)}</dd>
                  </div>
                  <div className="flex justify-between gap-2">
                    <dt className="text-slate-500">Version</dt>
                    <dd>v{certification.courseVersion}</dd>
                  </div>
                </dl>
                <p className="pt-2 text-sm">
                  <a
                    href={`/certificates/${certification.id}`}
                    className="font-medium text-brand-700 underline underline-offset-2"
                  >
                    Download certificate (PDF)
                  </a>
                </p>
              </>
            ) : (
              <p className="text-sm text-slate-600">
                Not certified yet. Valid for {plural(course.validityMonths, "month")} once you pass.
              </p>
            )}
          </Card>
          {attempts.some((a) => a.status === "submitted") && (
            <Card title="Your attempts">
              <ul className="space-y-2 text-sm">
                {attempts
                  .filter((a) => a.status === "submitted")
                  .map((a) => (
                    <li key={a.id} className="flex items-center justify-between gap-2">
                      {a.kind === "quiz" ? (
                        <Link href={`/courses/${course.id}/attempts/${a.id}`} className="hover:underline">
                          {formatDateTime(a.submittedAt!)}
                        </Link>
                      ) : (
                        <span>{formatDateTime(a.submittedAt!)}</span>
                      )}
                      <Badge tone={a.passed ? "success" : "danger"}>
                        {a.scorePercent === null ? "" : `${a.scorePercent}% `}
                        {a.passed ? "passed" : "failed"}
                      </Badge>
                    </li>
                  ))}
              </ul>
            </Card>
          )}
        </div>
      </div>
    </>
  );
}
