import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";

import { contentVersions } from "@/db/schema";
import { courseImage, getCourse } from "@/lib/content";
import { attachImage, checkDraftFiles, openDraft, removeImage, saveDraft, submitDraft } from "@/lib/content/authoring";
import { MAX_LESSON_IMAGE_BYTES } from "@/lib/content/images";
import { type ItemRef } from "@/lib/content/item-files";
import { renderMarkdown } from "@/lib/content/markdown";
import { exportOwnContent, importContentZip, itemOfPath } from "@/lib/content/transfer";
import { getVersion } from "@/lib/content/versions";
import { readZip } from "@/lib/evidence/zip-reader";
import { zip as build } from "@/lib/privacy/zip";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { resetToShippedContent } from "../helpers/own-content";
import { withTestDatabase } from "../helpers/test-database";

/**
 * Images in the lessons of an organisation's own course: attached to its
 * draft (checked to be the image their name says, at most 1 MB, at most 10),
 * kept through saves, published with the course, served as published, and
 * carried byte for byte through export and import.
 */

const database = withTestDatabase();
const COURSE: ItemRef = { kind: "course", id: "insider-risk" };
const IMAGE = `courses/${COURSE.id}/images/badge-reader.png`;

// Every test starts from the shipped catalogue.
afterEach(() => resetToShippedContent(database.db()));

const png = (fill = 7, size = 64) =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(size, fill)]);
const jpeg = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(40, 3)]);
const webp = () =>
  Buffer.concat([Buffer.from("RIFF"), Buffer.from([40, 0, 0, 0]), Buffer.from("WEBPVP8 "), Buffer.alloc(32, 1)]);

async function admin() {
  const person = await createPerson(database.db(), { roles: ["compliance_admin"] });
  return { viewer: viewerOf(person), ctx: context(person.id) };
}

/** Opens a draft of the course, with its first lesson showing the badge-reader image. */
async function draftShowingImage() {
  const db = database.db();
  const a = await admin();
  const { id } = await openDraft(db, a.viewer, a.ctx, COURSE, { from: "current" });
  const draft = await getVersion(db, a.viewer, id);
  const lesson = Object.keys(draft.files).find((p) => p.includes("/lessons/01-"))!;
  const files = {
    ...draft.files,
    [lesson]: draft.files[lesson].replace(
      /\n\n/,
      "\n\n![The badge reader at the Leeds door](images/badge-reader.png)\n\n",
    ),
  };
  return { a, id, lesson, files, updatedAt: draft.updatedAt };
}

describe("images in lessons", () => {
  it("are attached to a course's draft, refused unless they are the image their name says, and kept through saves", async () => {
    const db = database.db();
    const { a, id, lesson, files, updatedAt } = await draftShowingImage();
    // The lesson names an image not attached yet: a problem to fix before publishing.
    const saved = await saveDraft(db, a.viewer, { draftId: id, files, expectedUpdatedAt: updatedAt });
    expect(saved.problems).toContainEqual(
      expect.objectContaining({
        file: lesson,
        field: "(image)",
        problem: "images/badge-reader.png is not in this course: attach it",
      }),
    );

    const attempts: [string, Buffer, string][] = [
      ["badge-reader.png", Buffer.from("<svg onload=alert(1)></svg>"), "not_image"],
      ["badge-reader.png", Buffer.from("GIF89a......"), "not_image"],
      ["badge-reader.jpg", png(), "not_image"],
      ["badge-reader.png", png(0, MAX_LESSON_IMAGE_BYTES), "too_large"],
      ["Badge Reader.png", png(), "invalid_image_name"],
      ["../badge-reader.png", png(), "invalid_image_name"],
      ["badge-reader.svg", png(), "invalid_image_name"],
    ];
    for (const [name, bytes, code] of attempts)
      await expect(attachImage(db, a.viewer, COURSE, name, bytes), name).rejects.toMatchObject({ code });
    await expect(
      attachImage(db, a.viewer, { kind: "agreement", id: "employee-nda" }, "x.png", png()),
    ).rejects.toMatchObject({
      code: "not_course",
    });
    await expect(
      attachImage(db, a.viewer, { kind: "course", id: "incident-reporting" }, "x.png", png()),
    ).rejects.toMatchObject({
      code: "no_draft",
    });

    const before = (await getVersion(db, a.viewer, id)).updatedAt;
    const attached = await attachImage(db, a.viewer, COURSE, "badge-reader.png", png());
    expect(attached).toMatchObject({ path: IMAGE, markdown: "![Describe the image](images/badge-reader.png)" });
    await attachImage(db, a.viewer, COURSE, "door-photo.jpg", jpeg());
    await attachImage(db, a.viewer, COURSE, "floor-plan.webp", webp());
    const after = await getVersion(db, a.viewer, id);
    expect(after.updatedAt.getTime()).toBeGreaterThan(before.getTime());
    expect(Buffer.from(after.files[IMAGE], "base64").equals(png())).toBe(true);

    // The editor sends text only; a save keeps the images, and the lesson's problem is gone.
    const text = Object.fromEntries(Object.entries(files).filter(([p]) => !p.includes("/images/")));
    const resaved = await saveDraft(db, a.viewer, { draftId: id, files: text, expectedUpdatedAt: after.updatedAt });
    expect(resaved.problems).toEqual([]);
    expect(await checkDraftFiles(db, a.viewer, COURSE, text)).toEqual([]);
    const kept = await getVersion(db, a.viewer, id);
    expect(
      Object.keys(kept.files)
        .filter((p) => p.includes("/images/"))
        .sort(),
    ).toEqual([IMAGE, `courses/${COURSE.id}/images/door-photo.jpg`, `courses/${COURSE.id}/images/floor-plan.webp`]);
    // A save carrying an image that is not one is refused whole.
    await expect(
      saveDraft(db, a.viewer, {
        draftId: id,
        files: { ...text, [`courses/${COURSE.id}/images/evil.png`]: Buffer.from("<html>").toString("base64") },
        expectedUpdatedAt: kept.updatedAt,
      }),
    ).rejects.toMatchObject({ code: "not_image" });

    // Removing the image the lesson shows brings the problem back.
    await removeImage(db, a.viewer, COURSE, "badge-reader.png");
    await expect(removeImage(db, a.viewer, COURSE, "badge-reader.png")).rejects.toMatchObject({ code: "not_found" });
    expect(await checkDraftFiles(db, a.viewer, COURSE, text)).toContainEqual(
      expect.objectContaining({ file: lesson, field: "(image)" }),
    );
  });

  it("are at most ten to a course", async () => {
    const db = database.db();
    const a = await admin();
    await openDraft(db, a.viewer, a.ctx, COURSE, { from: "current" });
    for (let i = 1; i <= 10; i++) await attachImage(db, a.viewer, COURSE, `image-${i}.png`, png(i));
    await expect(attachImage(db, a.viewer, COURSE, "image-11.png", png(11))).rejects.toMatchObject({
      code: "too_many_images",
    });
    // Replacing one of the ten is not an eleventh.
    await attachImage(db, a.viewer, COURSE, "image-3.png", png(33));
  });

  it("stay at most ten when thirty are attached at once", async () => {
    const db = database.db();
    const a = await admin();
    const { id } = await openDraft(db, a.viewer, a.ctx, COURSE, { from: "current" });
    for (let i = 1; i <= 8; i++) await attachImage(db, a.viewer, COURSE, `image-${i}.png`, png(i));
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => attachImage(db, a.viewer, COURSE, `burst-${i}.png`, png(i))),
    );
    const images = Object.keys((await getVersion(db, a.viewer, id)).files).filter((p) => p.includes("/images/"));
    expect(images.length).toBeLessThanOrEqual(10);
    expect(images.length).toBe(8 + results.filter((r) => r.status === "fulfilled").length);
    for (const r of results)
      if (r.status === "rejected")
        expect(["too_many_images", "edited_elsewhere"]).toContain((r.reason as { code?: string }).code);
  });

  it("are published with the course, served as published, shown in its lessons only, and exported and imported byte for byte", async () => {
    const db = database.db();
    const { a, id, lesson, files, updatedAt } = await draftShowingImage();
    await saveDraft(db, a.viewer, { draftId: id, files, expectedUpdatedAt: updatedAt });
    const image = png(42, 5000);
    await attachImage(db, a.viewer, COURSE, "badge-reader.png", image);
    expect(courseImage(COURSE.id, "badge-reader.png")).toBeNull();
    expect(await submitDraft(db, a.viewer, a.ctx, { draftId: id, change: "minor" })).toMatchObject({
      state: "published",
    });

    const served = courseImage(COURSE.id, "badge-reader.png");
    expect(served?.type).toBe("image/png");
    expect(served?.bytes.equals(image)).toBe(true);
    expect(courseImage(COURSE.id, "missing.png")).toBeNull();
    expect(courseImage(COURSE.id, "../course.yaml")).toBeNull();
    expect(courseImage("incident-reporting", "badge-reader.png")).toBeNull();
    expect(courseImage("no-such-course", "badge-reader.png")).toBeNull();

    const slug = lesson.replace(/^.*\/lessons\/\d{2}-/, "").replace(/\.md$/, "");
    const markdown = getCourse(COURSE.id)!.lessons.find((l) => l.slug === slug)!.markdown;
    expect(renderMarkdown(markdown, { courseId: COURSE.id })).toContain(
      `<img src="/courses/${COURSE.id}/images/badge-reader.png" alt="The badge reader at the Leeds door" />`,
    );
    expect(renderMarkdown(markdown)).not.toContain("<img");

    const { zip } = await exportOwnContent(db, a.viewer);
    const entries = new Map(readZip(zip).map((e) => [e.path, e.content]));
    expect(entries.get(IMAGE)?.equals(image)).toBe(true);
    expect(itemOfPath(IMAGE)).toEqual({ ref: COURSE });

    const result = await importContentZip(db, a.viewer, a.ctx, zip);
    expect(result).toMatchObject({ ok: true, drafts: [{ kind: "course", id: COURSE.id }] });
    const [draft] = await db.select().from(contentVersions).where(eq(contentVersions.state, "draft"));
    expect(Buffer.from(draft.files[IMAGE], "base64").equals(image)).toBe(true);
  });

  it("are refused in an import unless they are images", async () => {
    const db = database.db();
    const { a, id, files, updatedAt } = await draftShowingImage();
    await saveDraft(db, a.viewer, { draftId: id, files, expectedUpdatedAt: updatedAt });
    await attachImage(db, a.viewer, COURSE, "badge-reader.png", png());
    await submitDraft(db, a.viewer, a.ctx, { draftId: id, change: "minor" });
    const { zip } = await exportOwnContent(db, a.viewer);
    const entries = readZip(zip).map((e) => ({
      name: e.path,
      data: e.path === IMAGE ? Buffer.from("<script>") : e.content,
    }));
    const result = await importContentZip(db, a.viewer, a.ctx, build(entries));
    expect(result).toMatchObject({
      ok: false,
      problems: [expect.objectContaining({ problem: expect.stringContaining("not a PNG") })],
    });
    for (const name of [
      `courses/${COURSE.id}/images/../x.png`,
      `courses/${COURSE.id}/images/X.png`,
      `courses/${COURSE.id}/images/x.svg`,
    ])
      expect(itemOfPath(name), name).toHaveProperty("problem");
  });
});
