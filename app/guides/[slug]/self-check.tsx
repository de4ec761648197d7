"use client";

import { useId, useState, type FormEvent } from "react";
import { buttonClass } from "@/components/ui/button";

export type SelfCheckQuestion = { prompt: string; options: string[]; answer: number; explanation: string };

/**
 * A practice quiz graded here in the browser: nothing is sent or stored.
 * Answers are checked on "Check answer", not on selection, so moving through
 * a radio group with the arrow keys does not count as answering.
 */
export function SelfCheck({ questions }: { questions: SelfCheckQuestion[] }) {
  const [checked, setChecked] = useState<Record<number, number>>({});
  const [round, setRound] = useState(0);
  const answered = Object.keys(checked).length;
  const right = Object.entries(checked).filter(([q, choice]) => questions[Number(q)].answer === choice).length;

  return (
    <div>
      <ol className="space-y-5">
        {questions.map((question, index) => (
          <li key={`${round}-${index}`}>
            <Question
              number={index + 1}
              question={question}
              checkedChoice={checked[index]}
              onCheck={(choice) => setChecked((c) => ({ ...c, [index]: choice }))}
              onChange={() =>
                setChecked((c) => {
                  const next = { ...c };
                  delete next[index];
                  return next;
                })
              }
            />
          </li>
        ))}
      </ol>
      <div className="mt-5 flex flex-wrap items-center justify-between gap-3">
        <p role="status" className="text-sm text-slate-700">
          {answered === questions.length ? `You got ${right} of ${questions.length} right.` : ""}
        </p>
        {answered > 0 && (
          <button
            type="button"
            className={buttonClass("secondary")}
            onClick={() => {
              setChecked({});
              setRound((r) => r + 1);
            }}
          >
            Start again
          </button>
        )}
      </div>
    </div>
  );
}

function Question({
  number,
  question,
  checkedChoice,
  onCheck,
  onChange,
}: {
  number: number;
  question: SelfCheckQuestion;
  checkedChoice: number | undefined;
  onCheck: (choice: number) => void;
  onChange: () => void;
}) {
  const name = useId();
  const [choice, setChoice] = useState<number | null>(null);
  const [missing, setMissing] = useState(false);
  const isChecked = checkedChoice !== undefined;
  const correct = isChecked && checkedChoice === question.answer;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (choice === null) {
      setMissing(true);
      return;
    }
    onCheck(choice);
  }

  return (
    <form onSubmit={submit} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
      <fieldset>
        <legend className="font-medium text-slate-900">
          <span className="text-slate-500">{number}.</span> {question.prompt}
        </legend>
        <div className="mt-3 space-y-2">
          {question.options.map((option, i) => {
            const showAsAnswer = isChecked && i === question.answer;
            const showAsWrong = isChecked && i === checkedChoice && !correct;
            return (
              <label
                key={option}
                className={`flex cursor-pointer items-start gap-3 rounded-lg border px-3 py-2.5 text-sm leading-6 transition-colors has-focus-visible:ring-2 has-focus-visible:ring-brand-600 ${
                  showAsAnswer
                    ? "border-emerald-300 bg-emerald-50 text-emerald-900"
                    : showAsWrong
                      ? "border-red-300 bg-red-50 text-red-900"
                      : "border-slate-200 text-slate-700 hover:bg-slate-50"
                }`}
              >
                <input
                  type="radio"
                  name={name}
                  value={i}
                  checked={choice === i}
                  onChange={() => {
                    setChoice(i);
                    setMissing(false);
                    if (isChecked) onChange();
                  }}
                  className="mt-1 h-4 w-4 shrink-0 accent-brand-600 focus-visible:outline-none"
                />
                <span>
                  {option}
                  {showAsAnswer && <span className="sr-only"> (correct answer)</span>}
                  {showAsWrong && <span className="sr-only"> (your answer)</span>}
                </span>
              </label>
            );
          })}
        </div>
      </fieldset>
      <button type="submit" className={buttonClass("primary", "mt-4")}>
        Check answer
      </button>
      <div aria-live="polite" className="text-sm leading-6">
        {missing && <p className="mt-3 text-slate-700">Choose an answer first.</p>}
        {isChecked && (
          <div className={`mt-3 rounded-lg border px-4 py-3 ${correct ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-900"}`}>
            <p className="font-semibold">{correct ? "Correct." : `Not quite. The answer is: ${question.options[question.answer]}`}</p>
            <p className="mt-1">{question.explanation}</p>
          </div>
        )}
      </div>
    </form>
  );
}
