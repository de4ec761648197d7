import type { Question } from "./schemas";

/**
 * The question-bank bar and the citation formats of content/README.md, as pure
 * functions: `npm run content:check` prints and enforces them, tests feed them
 * deliberately biased banks.
 */

export const BANK_BAR = {
  minQuestions: 30,
  minScenarioShare: 0.6,
  maxLongestCorrectShare: 0.4,
  trueShare: { min: 0.4, max: 0.6 },
  duplicateSimilarity: 0.8,
} as const;

export type BankStats = {
  size: number;
  scenarioShare: number;
  /** Of single-choice questions, the share whose correct option is (one of) the longest. */
  longestCorrectShare: number;
  singleCount: number;
  /** Of true/false questions, the share whose answer is true. */
  trueShare: number;
  trueFalseCount: number;
};

export function bankStats(questions: Question[]): BankStats {
  const singles = questions.filter((q) => q.type === "single");
  const longestCorrect = singles.filter((q) => {
    const longest = Math.max(...q.options.map((o) => o.text.length));
    return q.options.find((o) => o.correct)!.text.length >= longest;
  }).length;
  const trueFalse = questions.filter((q) => q.type === "true_false");
  const share = (n: number, of: number) => (of === 0 ? 0 : n / of);
  return {
    size: questions.length,
    scenarioShare: share(questions.filter((q) => q.kind === "scenario").length, questions.length),
    longestCorrectShare: share(longestCorrect, singles.length),
    singleCount: singles.length,
    trueShare: share(trueFalse.filter((q) => q.answer).length, trueFalse.length),
    trueFalseCount: trueFalse.length,
  };
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** What keeps a bank below the bar, one sentence per failed check. */
export function bankProblems(stats: BankStats): string[] {
  const problems: string[] = [];
  if (stats.size < BANK_BAR.minQuestions) problems.push(`has ${stats.size} questions; at least ${BANK_BAR.minQuestions} are needed`);
  if (stats.scenarioShare < BANK_BAR.minScenarioShare)
    problems.push(`only ${pct(stats.scenarioShare)} of questions are kind: scenario; at least ${pct(BANK_BAR.minScenarioShare)} are needed`);
  if (stats.longestCorrectShare > BANK_BAR.maxLongestCorrectShare)
    problems.push(
      `in ${pct(stats.longestCorrectShare)} of single-choice questions the correct option is the longest; at most ${pct(BANK_BAR.maxLongestCorrectShare)} is allowed`,
    );
  if (stats.trueFalseCount > 0 && (stats.trueShare < BANK_BAR.trueShare.min || stats.trueShare > BANK_BAR.trueShare.max))
    problems.push(
      `${pct(stats.trueShare)} of true/false answers are true; keep it between ${pct(BANK_BAR.trueShare.min)} and ${pct(BANK_BAR.trueShare.max)}`,
    );
  return problems;
}

export function promptTokens(prompt: string): Set<string> {
  return new Set(
    prompt
      .toLowerCase()
      .normalize("NFKD")
      .replace(/[^\p{L}\p{N}\s]/gu, " ")
      .split(/\s+/)
      .filter(Boolean),
  );
}

export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  for (const token of a) if (b.has(token)) shared++;
  return shared / (a.size + b.size - shared);
}

export type PromptRef = { course: string; id: string; prompt: string };
export type NearDuplicate = { a: PromptRef; b: PromptRef; similarity: number };

/** Every pair of questions (within or across courses) whose normalised prompts are near-identical. */
export function nearDuplicates(prompts: PromptRef[], threshold: number = BANK_BAR.duplicateSimilarity): NearDuplicate[] {
  const tokens = prompts.map((p) => promptTokens(p.prompt));
  const pairs: NearDuplicate[] = [];
  for (let i = 0; i < prompts.length; i++) {
    for (let j = i + 1; j < prompts.length; j++) {
      const similarity = jaccard(tokens[i], tokens[j]);
      if (similarity >= threshold) pairs.push({ a: prompts[i], b: prompts[j], similarity });
    }
  }
  return pairs;
}

const sub = String.raw`(?:\([A-Za-z0-9]+\))*`;
const section = String.raw`\d+[a-z]?(?:\.\d+)*(?:-\d+)?${sub}`;

/** The accepted citation formats (content/README.md, "Citations in lessons"). */
export const CITATION_FORMATS: { name: string; pattern: RegExp }[] = [
  {
    name: "<law> Art. <n>",
    pattern: new RegExp(String.raw`^(?:GDPR|UK GDPR|PIPL|eIDAS|LGPD|NIS2|DORA|EU AI Act) (?:Art\. \d+[a-z]?${sub}|Arts\. \d+–\d+)$`),
  },
  { name: "Recital <n>", pattern: /^(?:(?:GDPR|UK GDPR|eIDAS) )?Recital \d+$/ },
  { name: "CCPA §<section>", pattern: new RegExp(String.raw`^CCPA §1798\.\d+(?:\.\d+)*${sub}$`) },
  { name: "Cal. Civ. Code §<section>", pattern: new RegExp(String.raw`^Cal\. Civ\. Code §${section}$`) },
  { name: "11 CCR §<section>", pattern: new RegExp(String.raw`^11 CCR §\d+${sub}$`) },
  { name: "ESIGN/UETA §<section>", pattern: new RegExp(String.raw`^(?:ESIGN §70\d\d|UETA §\d+)${sub}$`) },
  { name: "<title> U.S.C./CFR §<section>", pattern: new RegExp(String.raw`^\d+ (?:U\.S\.C\.|CFR) §${section}$`) },
  { name: "PCI DSS v<version> Req. <n>", pattern: /^PCI DSS v\d+\.\d+(?:\.\d+)? Req\. \d+(?:\.\d+)*$/ },
  { name: "OWASP Top 10 (<year>) A<nn>", pattern: /^OWASP Top 10 \(\d{4}\) A\d{2}$/ },
  { name: "NIST SP <number>", pattern: /^NIST SP \d{3}-\d+[A-Z]?(?: Rev\. \d+)?(?: §\d+(?:\.\d+)*)?$/ },
  { name: "ISO/IEC <number>:<year>", pattern: /^ISO\/IEC \d{4,5}:\d{4} (?:A\.\d+(?:\.\d+)*|§\d+(?:\.\d+)*)$/ },
  { name: "NLRA §<n>", pattern: new RegExp(String.raw`^NLRA §\d+${sub}$`) },
  {
    name: "Directive/Regulation (EU)",
    pattern: new RegExp(
      String.raw`^(?:Directive \d{4}/\d+/EC|(?:Directive|Regulation) \(EU\) \d{4}/\d+)(?: Art\. \d+${sub})?$`,
    ),
  },
  { name: "WP29 Opinion / EDPB Guidelines <n>/<year>", pattern: /^(?:WP29 Opinion|EDPB Guidelines) \d{1,2}\/\d{4}$/ },
  { name: "<Act> <year> s. <n>", pattern: new RegExp(String.raw`^[A-Z][A-Za-z ]+ \d{4} s\. \d+[A-Z]?${sub}$`) },
];

export function isKnownCitation(citation: string): boolean {
  return CITATION_FORMATS.some((f) => f.pattern.test(citation));
}

export type CitationProblem = { line: number; problem: string };
export type LessonCitations = { citations: string[]; problems: CitationProblem[] };

const SOURCES_LINE = /^\s*(?:\*\*Sources:\*\*|Sources:)(.*)$/;

/** Reads the `Sources:` line(s) of a lesson file; line numbers are 1-based in the file as written. */
export function lessonCitations(markdown: string): LessonCitations {
  const citations: string[] = [];
  const problems: CitationProblem[] = [];
  markdown.split("\n").forEach((text, i) => {
    const match = text.match(SOURCES_LINE);
    if (!match) return;
    for (const raw of match[1].split(";")) {
      const citation = raw.trim().replace(/\.$/, "");
      if (!citation) continue;
      if (isKnownCitation(citation)) citations.push(citation);
      else problems.push({ line: i + 1, problem: `citation "${citation}" is not in an accepted format (content/README.md)` });
    }
  });
  if (citations.length === 0 && problems.length === 0)
    problems.push({ line: 1, problem: "cites nothing: add a line 'Sources: <citation>; …' (content/README.md)" });
  return { citations, problems };
}
