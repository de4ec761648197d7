import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { ActionButton } from "@/components/action-button";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { Alert } from "@/components/ui/field";
import { Table } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { requireViewer } from "@/lib/auth/gate";
import { may } from "@/lib/auth/permissions";
import { itemVersions, listItems, type VersionListing } from "@/lib/content/versions";
import { itemRefSchema, KIND_LABEL } from "@/lib/content/item-ref";
import { formatDateTime } from "@/lib/format";

import { approveDraft, discardDraft, openDraft } from "../../actions";
import { CompareForm, ReturnForm } from "./item-forms";

export const metadata: Metadata = { title: "Content item" };

const STATE: Record<VersionListing["state"], [string, "neutral" | "success" | "warning" | "info"]> = {
  draft: ["Draft", "neutral"],
  in_review: ["Waiting for approval", "warning"],
  published: ["Published", "success"],
  discarded: ["Discarded", "neutral"],
};

export default async function ContentItemPage({
  params,
  searchParams,
}: {
  params: Promise<{ kind: string; id: string }>;
  searchParams: Promise<{ published?: string; submitted?: string }>;
}) {
  const viewer = await requireViewer("page:/admin/content/[kind]/[id]");
  const ref = itemRefSchema.safeParse(await params);
  if (!ref.success) notFound();
  const { kind, id } = ref.data;
  const query = await searchParams;
  const db = await getDb();
  const [items, versions] = await Promise.all([listItems(db, viewer), itemVersions(db, viewer, ref.data)]);
  const item = items.find((i) => i.kind === kind && i.id === id);
  if (!item && versions.length === 0) notFound();
  const canEdit = may(viewer, "administer");
  const open = versions.find((v) => v.state === "draft" || v.state === "in_review");
  const published = versions.filter((v) => v.state === "published");
  const latest = published[0];
  const title = item?.title ?? id;
  const fields = { kind, id };
  const choices = [
    ...(item?.version ? [{ value: "current", label: `Current (${item.version})` }] : []),
    ...(item?.shippedVersion ? [{ value: "shipped", label: `Built-in ${item.shippedVersion}` }] : []),
    ...(open ? [{ value: open.id, label: open.state === "in_review" ? "Submitted version" : "Draft" }] : []),
    ...published.map((v) => ({ value: v.id, label: `Version ${v.version}` })),
  ];

  return (
    <>
      <PageHeader
        title={title}
        description={
          <>
            {KIND_LABEL[kind]} <code className="text-xs">{id}</code> · {item?.version ? `version ${item.version}` : "not yet published"} ·{" "}
            {item?.source === "own" ? (item.basedOn ? `yours, from built-in ${item.basedOn}` : "yours") : "built-in"}
          </>
        }
        actions={
          <Link href="/admin/content" className="text-sm font-medium text-brand-700 underline underline-offset-2">
            All content
          </Link>
        }
      />
      <div className="space-y-6">
        {query.published && <Alert tone="success">Published as version {query.published}. It is served now; other instances follow within seconds.</Alert>}
        {query.submitted && <Alert tone="info">Submitted. Another compliance admin must approve it before it is published.</Alert>}

        {open?.state === "in_review" && (
          <Card
            title="Waiting for approval"
            description={`${open.submittedByName ?? "A compliance admin"} submitted a ${open.change} version ${open.submittedAt ? formatDateTime(open.submittedAt) : ""}.`}
          >
            {open.note && <p className="mb-3 text-sm text-slate-700">“{open.note}”</p>}
            <p className="mb-4 text-sm">
              <Link href={`/admin/content/${kind}/${id}/compare?a=current&b=${open.id}`} className="font-medium text-brand-700 underline underline-offset-2">
                Compare with what is published
              </Link>
            </p>
            {canEdit &&
              (open.submittedBy === viewer.id ? (
                <p className="text-sm text-slate-600">Another compliance admin must approve what you submitted.</p>
              ) : (
                <div className="flex flex-wrap items-start gap-6">
                  <ActionButton action={approveDraft} fields={{ ...fields, draftId: open.id }} label="Approve and publish" pendingLabel="Publishing…" />
                  <ReturnForm draftId={open.id} kind={kind} id={id} />
                </div>
              ))}
          </Card>
        )}

        {canEdit && open?.state === "draft" && (
          <Alert tone="info">
            A draft is in progress ({open.createdByName ?? "someone"}, last saved {formatDateTime(open.updatedAt)}).{" "}
            <Link href={`/admin/content/${kind}/${id}/draft`} className="font-medium underline">
              Continue editing
            </Link>
          </Alert>
        )}

        {item?.updateAvailable && (
          <Card title={`Built-in version ${item.shippedVersion} is available`} description={`Yours came from built-in ${item.basedOn}. Nothing changes until you take it: compare, then start a draft from it.`}>
            <div className="flex flex-wrap items-start gap-3">
              <Link href={`/admin/content/${kind}/${id}/compare?a=current&b=shipped`} className={buttonClass("secondary")}>
                Compare with yours
              </Link>
              {canEdit && !open && <ActionButton action={openDraft} fields={{ ...fields, from: "shipped" }} label="Start a draft from it" variant="secondary" />}
            </div>
          </Card>
        )}

        {kind === "course" && item?.version && (
          <Card
            title="Use it in another learning system"
            description="A SCORM 1.2 package of the version served now: its lessons and its quiz, scored by the package against the pass mark, for Moodle, Cornerstone or any LMS that plays SCORM. A course that plays a package is exported as that package."
          >
            <a href={`/admin/content/course/${id}/scorm`} className={buttonClass("secondary")} download>
              Export as SCORM 1.2 (.zip)
            </a>
          </Card>
        )}

        {canEdit && !open && item && (
          <Card title="Change it" description={item.source === "shipped" ? "Editing makes it yours: your published versions replace the built-in one for everyone." : "Your changes stay a draft until published."}>
            <ActionButton action={openDraft} fields={{ ...fields, from: "current" }} label="Edit" pendingLabel="Opening…" />
          </Card>
        )}

        <Card title="Versions" description="Every version is kept, with who published and approved it.">
          <Table
            caption="Versions"
            hideCaption
            rows={versions}
            rowKey={(v) => v.id}
            empty="No versions of your own yet: the built-in one is in use."
            columns={[
              { header: "Version", rowHeader: true, cell: (v) => v.version ?? "—", className: "tabular-nums" },
              { header: "State", cell: (v) => <Badge tone={STATE[v.state][1]}>{STATE[v.state][0]}</Badge> },
              { header: "Change", cell: (v) => v.change ?? "—" },
              {
                header: "Who",
                cell: (v) => (
                  <span className="text-sm">
                    {v.publishedByName ? `Published by ${v.publishedByName}` : `Started by ${v.createdByName ?? "—"}`}
                    {v.approvedByName && v.approvedByName !== v.publishedByName ? `, approved by ${v.approvedByName}` : ""}
                    {v.approvedByName && v.approvedByName === v.publishedByName && v.submittedByName ? ` (submitted by ${v.submittedByName})` : ""}
                  </span>
                ),
              },
              { header: "When", cell: (v) => formatDateTime(v.publishedAt ?? v.updatedAt) },
              { header: "Note", cell: (v) => v.note ?? "" },
              {
                header: <span className="sr-only">Actions</span>,
                cell: (v) =>
                  v.state === "published" ? (
                    <span className="flex flex-wrap items-center gap-3">
                      {v.id !== latest?.id && (
                        <Link href={`/admin/content/${kind}/${id}/compare?a=${v.id}&b=current`} className="text-sm font-medium text-brand-700 underline underline-offset-2">
                          Compare with current
                        </Link>
                      )}
                      {canEdit && !open && v.id !== latest?.id && (
                        <ActionButton action={openDraft} fields={{ ...fields, from: "version", versionId: v.id }} label="Publish again" variant="secondary" />
                      )}
                    </span>
                  ) : v.state === "in_review" || v.state === "draft" ? (
                    canEdit ? <ActionButton action={discardDraft} fields={{ ...fields, draftId: v.id }} label="Discard" variant="secondary" pendingLabel="Discarding…" /> : null
                  ) : null,
              },
            ]}
          />
        </Card>

        {choices.length >= 2 && (
          <Card title="Compare two versions">
            <CompareForm kind={kind} id={id} choices={choices} />
          </Card>
        )}
      </div>
    </>
  );
}
