import { BANK_BAR, bankStats } from "@/lib/content/rules";
import type { Question } from "@/lib/content/schemas";

import type { QuestionValue } from "./question-fields";

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** A question as the bar's figures read it; one still being written counts as far as it can. */
function forStats(q: QuestionValue): Question {
  const options = Array.isArray(q.options)
    ? q.options.map((o, i) => ({ id: String(o?.id ?? i), text: String(o?.text ?? ""), correct: o?.correct === true }))
    : [];
  // A single-choice question without a correct option cannot be measured for length; the check names it already.
  const type = q.type === "single" && !options.some((o) => o.correct) ? "multiple" : q.type;
  return { ...q, type, options, answer: q.answer === true } as unknown as Question;
}

/** The bank's figures against the bar of content/README.md, live as questions are edited. */
export function BankFigures({ questions }: { questions: QuestionValue[] }) {
  const stats = bankStats(questions.map(forStats));
  const rows = [
    {
      name: "Questions",
      value: String(stats.size),
      bar: `at least ${BANK_BAR.minQuestions}`,
      ok: stats.size >= BANK_BAR.minQuestions,
    },
    {
      name: "Scenario questions",
      value: pct(stats.scenarioShare),
      bar: `at least ${pct(BANK_BAR.minScenarioShare)}`,
      ok: stats.scenarioShare >= BANK_BAR.minScenarioShare,
    },
    {
      name: "Single choice with the correct option longest",
      value: stats.singleCount
        ? `${pct(stats.longestCorrectShare)} of ${stats.singleCount}`
        : "no single-choice questions",
      bar: `at most ${pct(BANK_BAR.maxLongestCorrectShare)}`,
      ok: stats.longestCorrectShare <= BANK_BAR.maxLongestCorrectShare,
    },
    {
      name: "True or false answered true",
      value: stats.trueFalseCount ? `${pct(stats.trueShare)} of ${stats.trueFalseCount}` : "no true/false questions",
      bar: `${pct(BANK_BAR.trueShare.min)} to ${pct(BANK_BAR.trueShare.max)}`,
      ok:
        stats.trueFalseCount === 0 ||
        (stats.trueShare >= BANK_BAR.trueShare.min && stats.trueShare <= BANK_BAR.trueShare.max),
    },
  ];
  return (
    <table className="w-full text-sm">
      <caption className="text-left text-sm font-medium text-slate-800">The bank against the bar</caption>
      <thead className="sr-only">
        <tr>
          <th scope="col">Figure</th>
          <th scope="col">This bank</th>
          <th scope="col">Bar</th>
          <th scope="col">Meets it</th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">
        {rows.map((r) => (
          <tr key={r.name}>
            <th scope="row" className="py-1 pr-3 text-left font-normal text-slate-700">
              {r.name}
            </th>
            <td className="py-1 pr-3 font-medium text-slate-900">{r.value}</td>
            <td className="py-1 pr-3 text-slate-600">{r.bar}</td>
            <td className={`py-1 font-medium ${r.ok ? "text-emerald-700" : "text-red-700"}`}>
              {r.ok ? "✓ Meets the bar" : "✗ Below the bar"}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
