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
import { isUuid } from "@/lib/ids";
import { getAttempt } from "@/lib/training/attempts";

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

  const { grade, drawn } = attempt;
  return (
    <div className="mx-auto max-w-3xl">
      <PageHeader title={`Quiz result: ${course.title}`} />
      <div className="mb-6">
        {grade.passed ? (
          <Alert tone="success">
            <strong>Passed — {grade.scorePercent}%</strong> ({grade.correctCount} of {grade.questionCount} right). You
            are certified for {course.title}.
          </Alert>
        ) : (
          <Alert>
            <strong>Not passed — {grade.scorePercent}%</strong> ({grade.correctCount} of {grade.questionCount} right;{" "}
            {attempt.passMark}% needed). Review the explanations below and try again.
          </Alert>
        )}
      </div>
      <div className="mb-8 flex flex-wrap gap-3">
        <Link href={`/courses/${course.id}`} className={buttonClass("primary")}>
          Back to the course
        </Link>
        {attempt.certificationId && (
          <a href={`/certificates/${attempt.certificationId}`} className={buttonClass("secondary")}>
            Download certificate (PDF)
          </a>
        )}
      </div>
      <ol className="space-y-4">
        {drawn.map((q, i) => {
          const graded = grade.questions[i];
          return (
            <li key={q.id} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
              <div className="flex items-start justify-between gap-3">
                <p className="font-medium text-slate-900">
                  {i + 1}. {q.prompt}
                </p>
                <Badge tone={graded.isCorrect ? "success" : "danger"}>
                  {graded.isCorrect ? "Correct" : "Incorrect"}
                </Badge>
              </div>
              <ul className="mt-3 space-y-1 text-sm">
                {q.options.map((o) => {
                  const right = (q.correct as string[]).includes(o.id);
                  const chosen = graded.selected.includes(o.id);
                  return (
                    <li
                      key={o.id}
                      className={`rounded px-2 py-1 ${right ? "bg-emerald-50 text-emerald-900" : chosen ? "bg-red-50 text-red-900" : "text-slate-700"}`}
                    >
                      {o.text}
                      {right && <span className="ml-2 text-xs font-semibold">(right answer)</span>}
                      {chosen && <span className="ml-2 text-xs font-semibold">(your answer)</span>}
                    </li>
                  );
                })}
              </ul>
              <p className="mt-3 text-sm text-slate-600">
                <span className="font-medium text-slate-800">Why: </span>
                {q.explanation}
              </p>
            </li>
          );
        })}
      </ol>
    </div>
  );
}
