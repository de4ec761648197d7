"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";

import { getDb } from "@/db/client";
import { contentKinds } from "@/db/schema/content";
import {
  approveDraft as approve,
  checkDraftFiles,
  createItem as create,
  discardDraft as discard,
  openDraft as open,
  returnDraft as giveBack,
  saveDraft as save,
  setApprovalRequired,
  submitDraft as submit,
} from "@/lib/content/authoring";
import { previewAudience as coveredBy, type AudiencePreview } from "@/lib/content/audience-preview";
import type { ContentProblem } from "@/lib/content/load";
import { renderMarkdown } from "@/lib/content/markdown";
import { audienceRuleSchema } from "@/lib/content/schemas";
import { action } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";

const kind = z.enum(contentKinds);
const itemId = z
  .string()
  .trim()
  .min(2, "Enter an id of at least 2 characters.")
  .max(60, "At most 60 characters.")
  .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "Use lower-case letters, digits and single hyphens, like data-handling-basics.");
/** A draft's files as the editor sends them: JSON of path → text. */
const files = z
  .string()
  .max(600_000, "This version is too large to save.")
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "The files could not be read." });
      return z.NEVER;
    }
  })
  .pipe(z.record(z.string().max(200), z.string()));

const itemPath = (k: string, id: string) => `/admin/content/${k}/${id}`;

export const createItem = action(
  {
    permission: "action:admin/content.createItem",
    schema: z.object({ kind, id: itemId, title: z.string().trim().min(3, "Enter a title of at least 3 characters.").max(120) }),
  },
  async (input, { viewer, audit }) => {
    await create(await getDb(), viewer, audit, { kind: input.kind, id: input.id }, input.title);
    revalidatePath("/admin/content");
    redirect(`${itemPath(input.kind, input.id)}/draft`);
  },
);

export const openDraft = action(
  {
    permission: "action:admin/content.openDraft",
    schema: z.object({ kind, id: itemId, from: z.enum(["current", "shipped", "version"]), versionId: uuidSchema().optional() }),
  },
  async (input, { viewer, audit }) => {
    const source = input.from === "version" ? { from: "version" as const, versionId: input.versionId ?? "" } : { from: input.from };
    if (source.from === "version" && !input.versionId) return { message: "Choose a version." };
    await open(await getDb(), viewer, audit, { kind: input.kind, id: input.id }, source);
    revalidatePath(itemPath(input.kind, input.id));
    redirect(`${itemPath(input.kind, input.id)}/draft`);
  },
);

export const saveDraft = action(
  {
    permission: "action:admin/content.saveDraft",
    schema: z.object({ draftId: uuidSchema(), files, expectedUpdatedAt: z.iso.datetime({ offset: true }) }),
  },
  async (input, { viewer }) => {
    const saved = await save(await getDb(), viewer, { draftId: input.draftId, files: input.files, expectedUpdatedAt: new Date(input.expectedUpdatedAt) });
    return {
      message: saved.problems.length ? `Saved, with ${saved.problems.length} ${saved.problems.length === 1 ? "problem" : "problems"} to fix before publishing.` : "Saved.",
      data: { updatedAt: saved.updatedAt.toISOString(), problems: saved.problems },
    };
  },
);

/** The editor's check as you type: the problems with the files, and the open file rendered as learners will see it. */
export const checkDraft = action(
  {
    permission: "action:admin/content.checkDraft",
    schema: z.object({ kind, id: itemId, files, preview: z.string().max(200).optional() }),
  },
  async (input, { viewer }): Promise<{ problems: ContentProblem[]; html: string | null }> => {
    const problems = await checkDraftFiles(await getDb(), viewer, { kind: input.kind, id: input.id }, input.files);
    const text = input.preview ? input.files[input.preview] : undefined;
    let html: string | null = null;
    if (text !== undefined && input.preview!.endsWith(".md")) {
      const body = text.replace(/\r\n/g, "\n").replace(/^---\n[\s\S]*?\n---\n?/, "");
      // A lesson shows its course's images by the URL they are served at: those attached to a draft appear once published.
      const lesson = input.kind === "course" && input.preview!.startsWith(`courses/${input.id}/lessons/`);
      html = renderMarkdown(body.replace(/^# .+\n?/, ""), lesson ? { courseId: input.id } : {});
    }
    return { problems, html };
  },
);

/** The settings form's "Who will be assigned": the audience rule as currently edited, as JSON. */
export const previewAudience = action(
  {
    permission: "action:admin/content.previewAudience",
    schema: z.object({
      rule: z
        .string()
        // Room for the most people an audience may name, one e-mail address each.
        .max(64_000)
        .transform((text, ctx) => {
          try {
            return JSON.parse(text) as unknown;
          } catch {
            ctx.addIssue({ code: "custom", message: "The audience could not be read." });
            return z.NEVER;
          }
        })
        .pipe(audienceRuleSchema),
    }),
  },
  async (input, { viewer }): Promise<AudiencePreview> => coveredBy(await getDb(), viewer, input.rule),
);

export const submitDraft = action(
  {
    permission: "action:admin/content.submitDraft",
    schema: z.object({
      draftId: uuidSchema(),
      kind,
      id: itemId,
      change: z.enum(["major", "minor"], { message: "Choose major or minor." }),
      note: z.string().trim().max(2000).optional(),
    }),
  },
  async (input, { viewer, audit }) => {
    const result = await submit(await getDb(), viewer, audit, { draftId: input.draftId, change: input.change, note: input.note || null });
    revalidatePath("/admin/content");
    revalidatePath(itemPath(input.kind, input.id));
    redirect(`${itemPath(input.kind, input.id)}?${result.state === "published" ? `published=${result.version}` : "submitted=1"}`);
  },
);

export const approveDraft = action(
  { permission: "action:admin/content.approveDraft", schema: z.object({ draftId: uuidSchema(), kind, id: itemId }) },
  async (input, { viewer, audit }) => {
    const { version } = await approve(await getDb(), viewer, audit, input.draftId);
    revalidatePath("/admin/content");
    revalidatePath(itemPath(input.kind, input.id));
    redirect(`${itemPath(input.kind, input.id)}?published=${version}`);
  },
);

export const returnDraft = action(
  {
    permission: "action:admin/content.returnDraft",
    schema: z.object({ draftId: uuidSchema(), kind, id: itemId, reason: z.string().trim().min(3, "Say what needs to change.").max(2000) }),
  },
  async (input, { viewer, audit }) => {
    await giveBack(await getDb(), viewer, audit, { draftId: input.draftId, reason: input.reason });
    revalidatePath(itemPath(input.kind, input.id));
    return { message: "Returned to draft with your note." };
  },
);

export const discardDraft = action(
  { permission: "action:admin/content.discardDraft", schema: z.object({ draftId: uuidSchema(), kind, id: itemId }) },
  async (input, { viewer, audit }) => {
    await discard(await getDb(), viewer, audit, input.draftId);
    revalidatePath("/admin/content");
    redirect(itemPath(input.kind, input.id));
  },
);

export const setApproval = action(
  {
    permission: "action:admin/content.setApproval",
    schema: z.object({ kind, requireApproval: z.enum(["on", "off"]) }),
  },
  async (input, { viewer, audit }) => {
    await setApprovalRequired(await getDb(), viewer, audit, input.kind, input.requireApproval === "on");
    revalidatePath("/admin/content");
    return { message: input.requireApproval === "on" ? "A second compliance admin must now approve." : "Compliance admins now publish without a second approval." };
  },
);
