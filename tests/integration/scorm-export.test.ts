import { describe, expect, it } from "vitest";

import { getCourse } from "@/lib/content";
import { exportScorm12 } from "@/lib/scorm/export";
import { readScormPackage } from "@/lib/scorm/package";

/**
 * Any course as a SCORM 1.2 package: a manifest other LMSs read (checked by
 * Clearance's own importer, which follows the specification), its lessons
 * and its whole bank, and the pass mark as the mastery score.
 */

const readBack = (archive: Buffer) => readScormPackage(archive, { maxBytes: 50_000_000 });

describe("a course exported as SCORM 1.2", () => {
  it("is a package the importer accepts, with every file the manifest lists", () => {
    const course = getCourse("incident-reporting")!;
    const pkg = readBack(exportScorm12(course, new Map()));
    expect(pkg.manifest.version).toBe("1.2");
    expect(pkg.manifest.title).toBe(course.title);
    expect(pkg.manifest.launchable).toHaveLength(1);
    expect(pkg.manifest.launchable[0]).toMatchObject({
      masteryScore: course.passMark / 100,
      resource: { href: "index.html" },
    });
    expect(pkg.missing).toEqual([]);
    expect([...pkg.files.keys()].sort()).toEqual([
      "clearance-sco.js",
      "course-data.js",
      "imsmanifest.xml",
      "index.html",
      "style.css",
    ]);
  });

  it("holds every lesson, in order, and the bank with the quiz's settings", () => {
    const course = getCourse("incident-reporting")!;
    const pkg = readBack(exportScorm12(course, new Map()));
    const html = pkg.files.get("index.html")!.toString();
    let at = 0;
    for (const lesson of course.lessons) {
      const found = html.indexOf(`: ${lesson.title.replace(/&/g, "&amp;")}</h2>`, at);
      expect(found, lesson.title).toBeGreaterThan(at);
      at = found;
    }
    expect(html).not.toMatch(/<script(?![^>]*src=)/);
    const data = JSON.parse(
      pkg.files
        .get("course-data.js")!
        .toString()
        .replace(/^window\.CLEARANCE_COURSE = /, "")
        .replace(/;\s*$/, ""),
    );
    expect(data).toMatchObject({ passMark: course.passMark, questionsPerAttempt: course.questionsPerAttempt });
    expect(data.questions).toHaveLength(course.questions.length);
    const single = course.questions.find((q) => q.type === "single")!;
    expect(data.questions.find((q: { id: string }) => q.id === single.id).correct).toEqual(
      "options" in single ? single.options.filter((o) => o.correct).map((o) => o.id) : [],
    );
  });

  it("carries the lesson images it shows, under the package", () => {
    const course = getCourse("incident-reporting")!;
    const withImage = {
      ...course,
      lessons: [
        { ...course.lessons[0], markdown: `${course.lessons[0].markdown}\n\n![A floor plan](images/floor-plan.png)` },
        ...course.lessons.slice(1),
      ],
    };
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
    const pkg = readBack(exportScorm12(withImage, new Map([["floor-plan.png", png]])));
    expect(pkg.files.get("images/floor-plan.png")).toEqual(png);
    expect(pkg.files.get("index.html")!.toString()).toContain('<img src="images/floor-plan.png" alt="A floor plan" />');
  });
});
