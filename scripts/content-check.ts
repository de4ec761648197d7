import path from "node:path";

import { formatProblems, loadContent } from "@/lib/content/load";

/** Validates every course, agreement, guide and policy under content/ (or the folder given). */
const root = path.resolve(process.argv[2] ?? "content");
const content = loadContent(root);
if (content.problems.length > 0) {
  for (const line of formatProblems(content.problems)) console.error(line);
  console.error(
    `\n${content.problems.length} problem${content.problems.length === 1 ? "" : "s"} in ${path.relative(process.cwd(), root) || root}.`,
  );
  process.exit(1);
}
const questions = content.courses.reduce((n, c) => n + c.questions.length, 0);
console.log(
  `Content OK: ${content.courses.length} courses (${questions} questions), ${content.agreements.length} agreements, ${content.guides.length} guides, ${content.retention.length} retention rules.`,
);
