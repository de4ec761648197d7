import type { Question } from "@/lib/content/load";
import { HOUR } from "@/lib/time";

/** A question as drawn for one attempt: a snapshot, so later content edits never change a past attempt. */
export type DrawnQuestion =
  | {
      id: string;
      type: "single" | "multiple";
      prompt: string;
      options: { id: string; text: string }[];
      correct: string[];
      explanation: string;
    }
  | {
      id: string;
      type: "true_false";
      prompt: string;
      options: { id: "true" | "false"; text: string }[];
      correct: ("true" | "false")[];
      explanation: string;
    };

/** What the browser may see before submission: no correct answers, no explanations. */
export type PublicQuestion = {
  id: string;
  type: DrawnQuestion["type"];
  prompt: string;
  options: { id: string; text: string }[];
};

export type Random = () => number;

function shuffle<T>(items: T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Draws `count` questions at random and shuffles each question's options. */
export function drawQuestions(bank: Question[], count: number, random: Random = Math.random): DrawnQuestion[] {
  return shuffle(bank, random)
    .slice(0, Math.min(count, bank.length))
    .map((q): DrawnQuestion => {
      if (q.type === "true_false") {
        return {
          id: q.id,
          type: "true_false",
          prompt: q.prompt,
          options: [
            { id: "true", text: "True" },
            { id: "false", text: "False" },
          ],
          correct: [q.answer ? "true" : "false"],
          explanation: q.explanation,
        };
      }
      return {
        id: q.id,
        type: q.type,
        prompt: q.prompt,
        options: shuffle(q.options, random).map((o) => ({ id: o.id, text: o.text })),
        correct: q.options.filter((o) => o.correct).map((o) => o.id),
        explanation: q.explanation,
      };
    });
}

export function toPublicQuestions(drawn: DrawnQuestion[]): PublicQuestion[] {
  return drawn.map(({ id, type, prompt, options }) => ({ id, type, prompt, options }));
}

export type Answers = Record<string, string[]>;

export type GradedQuestion = { id: string; selected: string[]; correct: string[]; isCorrect: boolean };
export type Grade = {
  questions: GradedQuestion[];
  correctCount: number;
  questionCount: number;
  scorePercent: number;
  passed: boolean;
};

/**
 * All-or-nothing per question: a multiple-choice answer counts only when it
 * selects exactly the correct options. Unknown option ids are ignored.
 */
export function gradeAttempt(drawn: DrawnQuestion[], answers: Answers, passMark: number): Grade {
  const questions = drawn.map((q): GradedQuestion => {
    const valid = new Set(q.options.map((o) => o.id));
    const selected = Array.from(new Set((answers[q.id] ?? []).filter((a) => valid.has(a)))).sort();
    const correct = [...q.correct].sort();
    const isCorrect = selected.length === correct.length && selected.every((s, i) => s === correct[i]);
    return { id: q.id, selected, correct, isCorrect };
  });
  const correctCount = questions.filter((q) => q.isCorrect).length;
  const questionCount = drawn.length;
  const scorePercent = questionCount === 0 ? 0 : Math.round((correctCount / questionCount) * 100);
  return { questions, correctCount, questionCount, scorePercent, passed: scorePercent >= passMark };
}

export type RevealAnswers = "always" | "after_pass" | "never";

/** Whether the learner sees the correct options of a graded attempt: never before it is graded, and per the course's rule. */
export function answersRevealed(rule: RevealAnswers, passed: boolean): boolean {
  return rule === "always" || (rule === "after_pass" && passed);
}

/** One question of a graded attempt as the learner reviews it; `correct` only when the answers are revealed. */
export type QuestionReview = {
  id: string;
  prompt: string;
  isCorrect: boolean;
  explanation: string;
  options: { id: string; text: string; chosen: boolean; correct?: boolean }[];
};

/** The graded attempt for review, leaving out which options were correct unless `reveal`. */
export function reviewOf(drawn: DrawnQuestion[], grade: Grade, reveal: boolean): QuestionReview[] {
  return drawn.map((q, i) => {
    const graded = grade.questions[i];
    return {
      id: q.id,
      prompt: q.prompt,
      isCorrect: graded.isCorrect,
      explanation: q.explanation,
      options: q.options.map((o) => ({
        id: o.id,
        text: o.text,
        chosen: graded.selected.includes(o.id),
        ...(reveal ? { correct: (q.correct as string[]).includes(o.id) } : {}),
      })),
    };
  });
}

export type PastAttempt = { submittedAt: Date; passed: boolean };
export type Allowance = { allowed: true; remaining: number } | { allowed: false; retryAt: Date };

/**
 * `attemptLimit` failed attempts in a row start a cooldown of `cooldownHours`;
 * after it, a fresh set of attempts is allowed. A pass resets the count.
 */
export function attemptAllowance(
  attempts: PastAttempt[],
  rules: { attemptLimit: number; cooldownHours: number },
  now: Date,
): Allowance {
  const sorted = [...attempts].sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime());
  let failures = 0;
  let blockedUntil: Date | null = null;
  for (const attempt of sorted) {
    if (blockedUntil && attempt.submittedAt >= blockedUntil) {
      failures = 0;
      blockedUntil = null;
    }
    if (attempt.passed) {
      failures = 0;
      blockedUntil = null;
      continue;
    }
    failures += 1;
    if (failures >= rules.attemptLimit)
      blockedUntil = new Date(attempt.submittedAt.getTime() + rules.cooldownHours * HOUR);
  }
  if (blockedUntil && now < blockedUntil) return { allowed: false, retryAt: blockedUntil };
  if (blockedUntil) failures = 0;
  return { allowed: true, remaining: rules.attemptLimit - failures };
}
