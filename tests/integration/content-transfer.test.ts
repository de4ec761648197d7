import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";

import { contentVersions } from "@/db/schema";
import { openDraft, saveDraft, submitDraft } from "@/lib/content/authoring";
import { type ItemRef } from "@/lib/content/item-files";
import { exportOwnContent, importContentZip, itemOfPath } from "@/lib/content/transfer";
import { shippedItemFiles } from "@/lib/content/versions";
import { ForbiddenError } from "@/lib/errors";
import { readZip } from "@/lib/evidence/zip-reader";
import { zip } from "@/lib/privacy/zip";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { resetToShippedContent } from "../helpers/own-content";
import { withTestDatabase } from "../helpers/test-database";

/**
 * The organisation's content out and back in as a ZIP laid out like content/:
 * an export holds exactly the published files, an import becomes drafts only
 * when every item passes the content check, and nothing else gets in.
 */

const database = withTestDatabase();
const COURSE: ItemRef = { kind: "course", id: "insider-risk" };

// Every test starts from the shipped catalogue.
afterEach(() => resetToShippedContent(database.db()));

async function admin(roles: ("compliance_admin" | "auditor" | "employee")[] = ["compliance_admin"]) {
  const person = await createPerson(database.db(), { roles });
  return { viewer: viewerOf(person), ctx: context(person.id) };
}

/** Publishes the shipped course as the organisation's own, with one lesson line changed; returns its files. */
async function publishOwnCourse() {
  const db = database.db();
  const a = await admin();
  const { id } = await openDraft(db, a.viewer, a.ctx, COURSE, { from: "current" });
  const files = shippedItemFiles(COURSE);
  const lesson = Object.keys(files).find((p) => p.includes("/lessons/"))!;
  files[lesson] = files[lesson].replace(
    /\n\n/,
    "\n\nOur own paragraph about the badge readers at the Leeds office.\n\n",
  );
  const [row] = await db.select().from(contentVersions).where(eq(contentVersions.id, id));
  await saveDraft(db, a.viewer, { draftId: id, files, expectedUpdatedAt: row.updatedAt });
  await submitDraft(db, a.viewer, a.ctx, { draftId: id, change: "minor" });
  const [published] = await db.select().from(contentVersions).where(eq(contentVersions.state, "published"));
  return { admin: a, files: published.files };
}

describe("content import and export", () => {
  it("exports exactly the published files, and an import of the export opens drafts with the same files", async () => {
    const db = database.db();
    const { admin: a, files } = await publishOwnCourse();
    const auditor = await admin(["auditor"]);
    const { zip: archive, files: count } = await exportOwnContent(db, auditor.viewer);
    const entries = readZip(archive);
    expect(count).toBe(Object.keys(files).length);
    expect(Object.fromEntries(entries.map((e) => [e.path, e.content.toString("utf8")]))).toEqual(files);

    const result = await importContentZip(db, a.viewer, a.ctx, archive);
    expect(result).toMatchObject({ ok: true, drafts: [{ kind: "course", id: COURSE.id }] });
    const drafts = await db.select().from(contentVersions).where(eq(contentVersions.state, "draft"));
    expect(drafts).toHaveLength(1);
    expect(drafts[0].files).toEqual(files);
    expect(drafts[0].builtinVersion).not.toBeNull();

    // A second import while that draft is open is refused whole, naming the item.
    const again = await importContentZip(db, a.viewer, a.ctx, archive);
    expect(again).toMatchObject({ ok: false, problems: [{ file: `courses/${COURSE.id}/`, field: "(draft)" }] });
  });

  it("refuses the whole archive when any file has a problem, naming the file and field", async () => {
    const db = database.db();
    const a = await admin();
    const files = shippedItemFiles(COURSE);
    const nda = shippedItemFiles({ kind: "agreement", id: "employee-nda" });
    const broken = {
      ...files,
      [`courses/${COURSE.id}/course.yaml`]: files[`courses/${COURSE.id}/course.yaml`].replace(
        /^passMark: .*$/m,
        "passMark: 120",
      ),
      ...Object.fromEntries(
        Object.entries(nda).map(([p, t]) => [p, t.replace("{{person.name}}", "{{person.salary}}")]),
      ),
    };
    const result = await importContentZip(
      db,
      a.viewer,
      a.ctx,
      zip(Object.entries(broken).map(([name, data]) => ({ name, data }))),
    );
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toContainEqual(
      expect.objectContaining({ file: `courses/${COURSE.id}/course.yaml`, field: "passMark" }),
    );
    expect(problems).toContainEqual(
      expect.objectContaining({ file: "agreements/employee-nda.md", problem: "unknown placeholder {{person.salary}}" }),
    );
    expect(await db.select().from(contentVersions)).toEqual([]);
  });

  it("refuses unsafe and stray paths, archives that unpack too large, and anything that is not a ZIP", async () => {
    const db = database.db();
    const a = await admin();
    for (const name of [
      "../courses/x/course.yaml",
      "/agreements/x.md",
      "courses/x/../../etc/passwd",
      "courses\\x\\course.yaml",
      "courses/x/notes.txt",
      "guides/x.md",
    ]) {
      expect(itemOfPath(name), name).toHaveProperty("problem");
      const result = await importContentZip(db, a.viewer, a.ctx, zip([{ name, data: "x" }]));
      expect(result, name).toMatchObject({ ok: false, problems: [{ file: name, field: "(path)" }] });
    }
    // 70 MB of one repeated byte deflates to a few kB: refused from its declared size, before it is inflated.
    const bomb = zip([{ name: "agreements/big.md", data: Buffer.alloc(70_000_000, 0x61) }]);
    expect(bomb.length).toBeLessThan(100_000);
    expect(await importContentZip(db, a.viewer, a.ctx, bomb)).toMatchObject({
      ok: false,
      problems: [{ file: "(zip)", problem: expect.stringMatching(/more than 60 MB/) }],
    });
    expect(await importContentZip(db, a.viewer, a.ctx, Buffer.from("not a zip"))).toMatchObject({
      ok: false,
      problems: [{ file: "(zip)" }],
    });
    expect(await importContentZip(db, a.viewer, a.ctx, zip([]))).toMatchObject({
      ok: false,
      problems: [{ problem: "holds no courses or agreements" }],
    });
    expect(await db.select().from(contentVersions)).toEqual([]);
  });

  it("lets only compliance admins import; auditors may export", async () => {
    const db = database.db();
    const auditor = await admin(["auditor"]);
    const employee = await admin(["employee"]);
    const archive = zip(Object.entries(shippedItemFiles(COURSE)).map(([name, data]) => ({ name, data })));
    await expect(importContentZip(db, auditor.viewer, auditor.ctx, archive)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(exportOwnContent(db, employee.viewer)).rejects.toBeInstanceOf(ForbiddenError);
    expect((await exportOwnContent(db, auditor.viewer)).files).toBe(0);
  });
});
