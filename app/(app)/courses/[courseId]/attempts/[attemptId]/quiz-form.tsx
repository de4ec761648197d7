"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/field";
import type { PublicQuestion } from "@/lib/training/quiz.rules";

import { submitQuiz } from "../../../actions";

export function QuizForm({
  attemptId,
  courseId,
  questions,
}: {
  attemptId: string;
  courseId: string;
  questions: PublicQuestion[];
}) {
  const [state, formAction, pending] = useActionState(submitQuiz, null);
  return (
    <form action={formAction} className="space-y-6">
      <input type="hidden" name="attemptId" value={attemptId} />
      <input type="hidden" name="courseId" value={courseId} />
      {questions.map((q, i) => (
        <fieldset key={q.id} className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
          <legend className="sr-only">Question {i + 1}</legend>
          <p className="text-xs font-medium tracking-wide text-slate-500 uppercase">
            Question {i + 1} of {questions.length} · {q.type === "multiple" ? "select all that apply" : "choose one"}
          </p>
          <p className="mt-1 font-medium text-slate-900">{q.prompt}</p>
          <div className="mt-3 space-y-2">
            {q.options.map((o) => (
              <label
                key={o.id}
                className="flex cursor-pointer items-start gap-3 rounded-md border border-slate-200 px-3 py-2 text-sm hover:bg-slate-50 has-[:checked]:border-brand-600 has-[:checked]:bg-brand-50"
              >
                <input
                  type={q.type === "multiple" ? "checkbox" : "radio"}
                  name={`q.${q.id}`}
                  value={o.id}
                  className="mt-0.5"
                />
                <span>{o.text}</span>
              </label>
            ))}
          </div>
        </fieldset>
      ))}
      {state && !state.ok && <Alert>{state.error}</Alert>}
      <Button type="submit" disabled={pending} className="w-full sm:w-auto">
        {pending ? "Grading…" : "Submit answers"}
      </Button>
    </form>
  );
}
