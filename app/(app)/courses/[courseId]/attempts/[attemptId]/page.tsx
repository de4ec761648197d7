import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/card";
import { Alert } from "@/components/ui/field";
import { requireViewer } from "@/lib/auth/gate";
import { getCourse } from "@/lib/content";
import { NotFoundError } from "@/lib/errors";
import { formatDateTime, plural } from "@/lib/format";
import { isUuid } from "@/lib/ids";
import { getAttempt } from "@/lib/training/attempts";
import type { Allowance } from "@/lib/training/quiz.rules";

import { QuizForm } from "./quiz-form";

export const metadata: Metadata = { title: "Quiz" };

export default async function AttemptPage({ params }: { params: Promise<{ courseId: string; attemptId: string }> }) {
  const viewer = await requireViewer("page:/courses/[courseId]/attempts/[attemptId]");
  const { courseId, attemptId } = await params;
  const course = getCourse(courseId);
  if (!course || !isUuid(attemptId)) notFound();
  const attempt = await getAttempt(viewer, attemptId).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  if (attempt.courseId !== course.id) notFound();

  if (attempt.status === "in_progress") {
    return (
      <div className="mx-auto max-w-3xl">
        <PageHeader
          title={`Quiz: ${course.title}`}
          description={`Answer ${attempt.questions.length === 1 ? "the question" : `all ${attempt.questions.length} questions`}. You need ${attempt.passMark}% to pass. Answers are checked on the server when you submit.`}
        />
        <QuizForm attemptId={attempt.id} courseId={course.id} questions={attempt.questions} />
      </div>
    );
  }

  const { grade, review, revealed, allowance } = attempt;
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader title={`Quiz result: ${course.title}`} />
      <div className="mb-6">
        <Alert tone={grade.passed ? "success" : "error"}>
          <p>
            <strong>
              {grade.passed ? "Passed" : "Not passed"} — {grade.scorePercent}%
            </strong>{" "}
            ({grade.correctCount} of {grade.questionCount} right; pass mark {attempt.passMark}%).
          </p>
          <p className="mt-1">
            {grade.passed ? `You are certified for ${course.title}.` : nextAttemptText(allowance, course.cooldownHours)}
          </p>
        </Alert>
        {!revealed && (
          <p className="mt-3 text-sm text-slate-600">
            Each answer is marked right or wrong with its explanation. The correct options are shown once you pass, so a
            retake tests what you learned rather than what you remember.
          </p>
        )}
      </div>
      <div className="mb-8 flex flex-wrap gap-3">
        <Link href={`/courses/${course.id}`} className={buttonClass(grade.passed ? "primary" : "secondary")}>
          Back to the course
        </Link>
        {attempt.certificationId && (
          <a href={`/certificates/${attempt.certificationId}`} className={buttonClass("secondary")}>
            Download certificate (PDF)
          </a>
        )}
      </div>
      <h2 className="mb-3 text-lg font-semibold text-slate-900">Your answers</h2>
      <ol className="space-y-4">
        {review.map((q, i) => (
          <li key={q.id} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
            <div className="flex flex-wrap items-start justify-between gap-x-3 gap-y-2">
              <p className="min-w-0 flex-1 basis-56 font-medium text-slate-900">
                {i + 1}. {q.prompt}
              </p>
              <Badge tone={q.isCorrect ? "success" : "danger"}>{q.isCorrect ? "Right" : "Wrong"}</Badge>
            </div>
            <ul className="mt-3 space-y-1 text-sm">
              {q.options.map((o) => (
                <li
                  key={o.id}
                  className={`flex flex-wrap items-baseline gap-x-2 rounded px-2 py-1 ${o.correct ? "bg-emerald-50 text-emerald-900" : o.chosen ? (q.isCorrect ? "bg-emerald-50 text-emerald-900" : "bg-red-50 text-red-900") : "text-slate-700"}`}
                >
                  <span>{o.text}</span>
                  {o.chosen && <span className="text-xs font-semibold">(your answer)</span>}
                  {o.correct && <span className="text-xs font-semibold">(right answer)</span>}
                </li>
              ))}
            </ul>
            <p className="mt-3 text-sm text-slate-700">
              <span className="font-medium text-slate-900">Why: </span>
              {q.explanation}
            </p>
          </li>
        ))}
      </ol>
    </div>
  );
}

/** After a failed attempt: how many tries are left before the wait, or when the next one opens. */
function nextAttemptText(allowance: Allowance | null, cooldownHours: number): string {
  if (!allowance) return "";
  if (!allowance.allowed)
    return `You have no attempts left for now. You can try again after ${formatDateTime(allowance.retryAt)}.`;
  const wait = cooldownHours > 0 ? ` before a ${cooldownHours}-hour wait` : "";
  return `Review the explanations below and try again: ${plural(allowance.remaining, "attempt")} left${wait}.`;
}
