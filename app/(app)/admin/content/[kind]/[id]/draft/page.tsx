import { createHash } from "node:crypto";

import { eq } from "drizzle-orm";
import type { Metadata } from "next";
import YAML from "yaml";
import Link from "next/link";
import { notFound } from "next/navigation";

import { ActionButton } from "@/components/action-button";
import { Card, PageHeader } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { contentVersions } from "@/db/schema";
import { requireViewer } from "@/lib/auth/gate";
import { approvalSettings } from "@/lib/content/authoring";
import { currentFiles, itemVersions } from "@/lib/content/versions";
import { problemsOf, titleOf } from "@/lib/content/item-files";
import { imageMarkdown, isImagePath, MAX_LESSON_IMAGES } from "@/lib/content/images";
import { itemRefSchema, KIND_LABEL } from "@/lib/content/item-ref";
import { isBinaryPath } from "@/lib/content/overlay";
import { publishedFiles } from "@/lib/content/published";
import { AGREEMENT_PLACEHOLDERS } from "@/lib/content/schemas";
import { plural } from "@/lib/format";
import { findPackage, maxPackageBytes } from "@/lib/scorm/store";

import { openDraft } from "../../../actions";
import { DraftEditor } from "./draft-editor";
import { FileUpload } from "./file-upload";
import { ImageUpload, RemoveImageButton } from "./image-upload";

export const metadata: Metadata = { title: "Edit draft" };

/** What the editor edits: the text files. An attached PDF is replaced through its own upload. */
function textFiles(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).filter(([p]) => !isBinaryPath(p)));
}

function PolicyDocumentCard({ id, stored }: { id: string; stored: string | undefined }) {
  const bytes = stored === undefined ? null : Buffer.from(stored, "base64");
  return (
    <div className="mb-6">
      <Card
        title="Policy document (PDF)"
        description="Optional. Attach the policy as a PDF when it is kept as one: people open it, and then acknowledge or sign. The text below becomes its introduction."
      >
        {bytes && (
          <p className="mb-3 text-sm text-slate-700">
            Attached: {id}.pdf, {Math.max(1, Math.round(bytes.length / 1000))} kB, SHA-256{" "}
            <code className="break-all text-xs">{createHash("sha256").update(bytes).digest("hex")}</code>
          </p>
        )}
        <FileUpload
          url={`/admin/content/agreement/${id}/document`}
          inputId="policy-pdf"
          label="PDF file (at most 10 MB)"
          accept="application/pdf,.pdf"
          contentType="application/pdf"
          chooseFirst="Choose a PDF file first."
          submitLabel={bytes ? "Replace the PDF" : "Attach the PDF"}
        />
      </Card>
    </div>
  );
}

async function PackageCard({ id, files }: { id: string; files: Record<string, string> }) {
  const meta = YAML.parse(files[`courses/${id}/course.yaml`] ?? "", { logLevel: "silent" }) as { package?: unknown } | null;
  const sha256 = typeof meta?.package === "string" ? meta.package : null;
  const stored = sha256 ? await findPackage(await getDb(), sha256) : null;
  const limit = maxPackageBytes() / 1_000_000;
  return (
    <div className="mb-6">
      <Card
        title="SCORM package"
        description="Optional. Upload a SCORM 1.2 or 2004 package (a .zip with imsmanifest.xml at its root) to play it as this course instead of lessons and a quiz. The package's own result — passed, or completed — certifies, with this course's validity, audience and reminders."
      >
        {sha256 && !stored && (
          <p role="alert" className="mb-3 text-sm text-red-700">
            course.yaml names a package that is not stored here. Upload the package again.
          </p>
        )}
        {stored && (
          <dl className="mb-4 grid gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr]">
            <dt className="text-slate-500">Package</dt>
            <dd className="font-medium text-slate-800">{stored.title}</dd>
            <dt className="text-slate-500">Standard</dt>
            <dd>SCORM {stored.version}</dd>
            <dt className="text-slate-500">Plays</dt>
            <dd>{stored.manifest.launchable.map((i) => i.title).join(" · ")}</dd>
            <dt className="text-slate-500">Size</dt>
            <dd>
              {plural(stored.fileCount, "file")}, {Math.max(1, Math.round(stored.bytes / 1000))} kB
            </dd>
            <dt className="text-slate-500">SHA-256</dt>
            <dd>
              <code className="break-all text-xs">{stored.sha256}</code>
            </dd>
          </dl>
        )}
        <FileUpload
          url={`/admin/content/course/${id}/package`}
          inputId="scorm-package"
          label={`SCORM package (.zip, at most ${limit} MB)`}
          accept="application/zip,.zip"
          contentType="application/zip"
          chooseFirst="Choose a .zip file first."
          submitLabel={stored ? "Replace the package" : "Upload the package"}
          pendingLabel="Uploading and checking the package…"
        />
        {!stored && (
          <p className="mt-3 text-xs text-slate-500">
            Uploading replaces this draft&apos;s lessons, images and questions with the package.
          </p>
        )}
      </Card>
    </div>
  );
}

function ImagesCard({ id, files }: { id: string; files: Record<string, string> }) {
  const images = Object.keys(files)
    .filter(isImagePath)
    .sort()
    .map((rel) => ({ name: rel.slice(rel.lastIndexOf("/") + 1), bytes: Buffer.from(files[rel], "base64").length }));
  return (
    <div className="mb-6">
      <Card
        title="Images"
        description={`Optional, at most ${MAX_LESSON_IMAGES}. Paste an image's Markdown into a lesson where it belongs and describe the image for people who cannot see it. Images show in lessons once the course is published.`}
      >
        {images.length > 0 && (
          <ul className="mb-4 divide-y divide-slate-100 text-sm">
            {images.map((image) => (
              <li key={image.name} className="flex flex-wrap items-center gap-3 py-2">
                <span className="font-medium text-slate-800">{image.name}</span>
                <span className="text-slate-500">{Math.max(1, Math.round(image.bytes / 1000))} kB</span>
                <code className="break-all text-xs">{imageMarkdown(image.name)}</code>
                <RemoveImageButton id={id} name={image.name} />
              </li>
            ))}
          </ul>
        )}
        <ImageUpload id={id} />
      </Card>
    </div>
  );
}

export default async function DraftPage({ params }: { params: Promise<{ kind: string; id: string }> }) {
  const viewer = await requireViewer("page:/admin/content/[kind]/[id]/draft");
  const ref = itemRefSchema.safeParse(await params);
  if (!ref.success) notFound();
  const { kind, id } = ref.data;
  const db = await getDb();
  const versions = await itemVersions(db, viewer, ref.data);
  const open = versions.find((v) => v.state === "draft" || v.state === "in_review");
  const back = (
    <Link
      href={`/admin/content/${kind}/${id}`}
      className="text-sm font-medium text-brand-700 underline underline-offset-2"
    >
      Back to {id}
    </Link>
  );
  if (!open || open.state === "in_review") {
    const current = await currentFiles(db, ref.data);
    if (!open && Object.keys(current).length === 0 && versions.length === 0) notFound();
    return (
      <>
        <PageHeader title={`Edit ${titleOf(ref.data, current) ?? id}`} actions={back} />
        <Card title={open ? "Waiting for approval" : "No draft in progress"}>
          {open ? (
            <p className="text-sm text-slate-700">
              This item was submitted for approval; it can be edited again if a second compliance admin returns it.
            </p>
          ) : (
            <ActionButton
              action={openDraft}
              fields={{ kind, id, from: "current" }}
              label="Start a draft"
              pendingLabel="Opening…"
            />
          )}
        </Card>
      </>
    );
  }
  const [row] = await db.select().from(contentVersions).where(eq(contentVersions.id, open.id));
  const { problems } = problemsOf(await publishedFiles(db), ref.data, row.files);
  const approval = (await approvalSettings(db))[kind];
  const firstVersion = Object.keys(await currentFiles(db, ref.data)).length === 0;
  return (
    <>
      <PageHeader
        title={`Edit ${titleOf(ref.data, row.files) ?? id}`}
        description={`${KIND_LABEL[kind]} ${id}, draft started by ${open.createdByName ?? "a compliance admin"}. Changes are saved to the draft; people see nothing until it is published.`}
        actions={back}
      />
      {kind === "agreement" && <PolicyDocumentCard id={id} stored={row.files[`agreements/${id}.pdf`]} />}
      {kind === "course" && <PackageCard id={id} files={row.files} />}
      {kind === "course" && !/^package:/m.test(row.files[`courses/${id}/course.yaml`] ?? "") && (
        <ImagesCard id={id} files={row.files} />
      )}
      <DraftEditor
        draft={{ id: row.id, kind, itemId: id, files: textFiles(row.files), updatedAt: row.updatedAt.toISOString() }}
        initialProblems={problems}
        requireApproval={approval}
        firstVersion={firstVersion}
        placeholders={kind === "agreement" ? [...AGREEMENT_PLACEHOLDERS] : []}
      />
    </>
  );
}
