import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { formatProblems, loadContent, type ContentProblem } from "@/lib/content/load";
import { bankProblems, bankStats, lessonCitations, nearDuplicates } from "@/lib/content/rules";

/**
 * Validates every course, agreement, guide and policy under content/ (or the folder given),
 * prints each course's question-bank figures and fails on anything below the bar.
 */
const root = path.resolve(process.argv[2] ?? "content");
const content = loadContent(root);
const rel = (file: string) => path.relative(path.dirname(root), file);
const problems: ContentProblem[] = [...content.problems];

const pct = (x: number) => `${Math.round(x * 100)}%`.padStart(5);
const rows: string[] = [];
for (const course of content.courses) {
  const stats = bankStats(course.questions);
  const lessonDir = path.join(root, "courses", course.id, "lessons");
  let citations = 0;
  for (const name of readdirSync(lessonDir).filter((n) => n.endsWith(".md"))) {
    const file = path.join(lessonDir, name);
    const found = lessonCitations(readFileSync(file, "utf8").replace(/\r\n/g, "\n"));
    citations += found.citations.length;
    for (const p of found.problems)
      problems.push({ file: `${rel(file)}:${p.line}`, field: "Sources", problem: p.problem });
  }
  const failed = bankProblems(stats);
  for (const p of failed)
    problems.push({ file: rel(path.join(root, "courses", course.id, "questions.yaml")), field: "(bank)", problem: p });
  rows.push(
    [
      course.id.padEnd(34),
      String(stats.size).padStart(4),
      pct(stats.scenarioShare),
      `${pct(stats.longestCorrectShare)} of ${String(stats.singleCount).padStart(2)}`,
      `${pct(stats.trueShare)} of ${String(stats.trueFalseCount).padStart(2)}`,
      String(citations).padStart(5),
      failed.length ? "FAIL" : "ok",
    ].join("  "),
  );
}

const prompts = content.courses.flatMap((c) => c.questions.map((q) => ({ course: c.id, id: q.id, prompt: q.prompt })));
for (const { a, b, similarity } of nearDuplicates(prompts)) {
  problems.push({
    file: rel(path.join(root, "courses", a.course, "questions.yaml")),
    field: a.id,
    problem: `near-duplicate (${pct(similarity).trim()} of words shared) of ${b.course}/${b.id}`,
  });
}

console.log(
  ["course".padEnd(34), "size", "scen.", "longest-correct", "  true of T/F", "cites", "bar"].join("  ") +
    `\n${rows.join("\n")}\n`,
);

if (problems.length > 0) {
  for (const line of formatProblems(problems)) console.error(line);
  console.error(
    `\n${problems.length} problem${problems.length === 1 ? "" : "s"} in ${path.relative(process.cwd(), root) || root}.`,
  );
  process.exit(1);
}
const questions = content.courses.reduce((n, c) => n + c.questions.length, 0);
console.log(
  `Content OK: ${content.courses.length} courses (${questions} questions), ${content.agreements.length} agreements, ${content.guides.length} guides, ${content.retention.length} retention rules.`,
);
