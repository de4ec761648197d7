import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { formatProblems, loadContent } from "@/lib/content/load";
import { bankProblems, bankStats } from "@/lib/content/rules";

const root = path.resolve("content");

function brokenCopy(edit: (dir: string) => void): string {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), "clearance-content-")), "content");
  cpSync(root, dir, { recursive: true });
  edit(dir);
  return dir;
}

describe("content", () => {
  it("the shipped content is valid", () => {
    const content = loadContent(root);
    expect(formatProblems(content.problems)).toEqual([]);
    expect(content.courses.length).toBeGreaterThanOrEqual(7);
    expect(content.agreements.map((a) => a.id).sort()).toEqual([
      "acceptable-use-attestation",
      "employee-nda",
      "partner-data-sharing",
      "partner-dpa",
    ]);
    expect(content.guides.length).toBeGreaterThanOrEqual(10);
    for (const course of content.courses) {
      expect(bankProblems(bankStats(course.questions)), course.id).toEqual([]);
      expect(course.lessons.length, course.id).toBeGreaterThanOrEqual(3);
    }
  });

  it("names the file, line and field of every problem", () => {
    const dir = brokenCopy((d) => {
      const meta = path.join(d, "courses", "incident-reporting", "course.yaml");
      writeFileSync(
        meta,
        readFileSync(meta, "utf8")
          .replace(/passMark: \d+/, "passMark: 140")
          .replace(/validityMonths: \d+/, "validityMonths: 18"),
      );
      const nda = path.join(d, "agreements", "employee-nda.md");
      writeFileSync(nda, readFileSync(nda, "utf8").replace("{{person.name}}", "{{person.salary}}"));
    });
    const lines = formatProblems(loadContent(dir).problems);
    expect(lines).toContain(
      "content/courses/incident-reporting/course.yaml:15: passMark: Too big: expected number to be <=100",
    );
    expect(lines).toContain("content/courses/incident-reporting/course.yaml:14: validityMonths: must be 12 or 24");
    expect(lines).toContain("content/agreements/employee-nda.md: (body): unknown placeholder {{person.salary}}");
  });

  it("checks a course's images: named, the kind their name says, and present where a lesson shows them", () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(16)]);
    const dir = brokenCopy((d) => {
      const course = path.join(d, "courses", "incident-reporting");
      mkdirSync(path.join(course, "images"));
      writeFileSync(path.join(course, "images", "floor-plan.png"), png);
      writeFileSync(path.join(course, "images", "door.jpg"), png);
      writeFileSync(path.join(course, "images", "Door Photo.png"), png);
      const lessons = path.join(course, "lessons");
      const first = path.join(lessons, readdirSync(lessons).sort()[0]);
      writeFileSync(
        first,
        `${readFileSync(first, "utf8")}\n![Plan](images/floor-plan.png)\n\n![Gone](images/gone.png)\n`,
      );
    });
    const lines = formatProblems(loadContent(dir).problems);
    const course = "content/courses/incident-reporting";
    expect(lines).toContain(`${course}/images/door.jpg: (file): is not the image/jpeg image its name says`);
    expect(lines).toContain(
      `${course}/images/Door Photo.png: (file name): must look like floor-plan.png (.png, .jpg, .jpeg or .webp)`,
    );
    expect(lines.filter((l) => l.includes("(image)"))).toEqual([
      expect.stringMatching(
        /lessons\/01-[a-z0-9-]+\.md: \(image\): images\/gone\.png is not in this course: attach it$/,
      ),
    ]);
  });

  it("content:check exits 1 and prints file:line: field: problem", () => {
    const dir = brokenCopy((d) => {
      const bank = path.join(d, "courses", "incident-reporting", "questions.yaml");
      writeFileSync(bank, readFileSync(bank, "utf8").replace("type: true_false", "type: essay"));
    });
    let output = "";
    let status = 0;
    try {
      execFileSync("npx", ["tsx", "--import", "./scripts/lib/server-only-hook.mjs", "scripts/content-check.ts", dir], {
        encoding: "utf8",
        stdio: "pipe",
      });
    } catch (error) {
      const e = error as { status: number; stderr: string };
      status = e.status;
      output = e.stderr;
    }
    expect(status).toBe(1);
    expect(output).toMatch(/content\/courses\/incident-reporting\/questions\.yaml:30: \d+\.type: /);
  });
});
