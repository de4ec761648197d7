import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Card, PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
import { getDb } from "@/db/client";
import { requireViewer } from "@/lib/auth/gate";
import { may } from "@/lib/auth/permissions";
import { approvalSettings } from "@/lib/content/authoring";
import { listItems, type ItemSummary } from "@/lib/content/versions";
import { formatDateTime } from "@/lib/format";

import { ApprovalSetting, ImportForm, NewItemForm } from "./content-forms";

export const metadata: Metadata = { title: "Content" };

const STATE_LABEL = { draft: "Draft in progress", in_review: "Waiting for approval" } as const;

function ItemTable({ caption, items }: { caption: string; items: ItemSummary[] }) {
  return (
    <Table
      caption={caption}
      hideCaption
      rows={items}
      rowKey={(i) => `${i.kind}:${i.id}`}
      empty="Nothing here yet."
      columns={[
        {
          header: "Title",
          rowHeader: true,
          cell: (i) => (
            <Link href={`/admin/content/${i.kind}/${i.id}`} className="font-medium text-brand-700 underline-offset-2 hover:underline">
              {i.title}
            </Link>
          ),
        },
        { header: "Version", cell: (i) => i.version ?? "Not yet published", className: "tabular-nums" },
        {
          header: "Source",
          cell: (i) =>
            i.source === "own" ? (
              <Badge tone="info">{i.basedOn ? `Yours, from built-in ${i.basedOn}` : "Yours"}</Badge>
            ) : (
              <Badge>Built-in</Badge>
            ),
        },
        {
          header: "Status",
          cell: (i) => (
            <span className="flex flex-wrap gap-1">
              {i.open && (
                <Badge tone={i.open.state === "in_review" ? "warning" : "neutral"}>
                  {STATE_LABEL[i.open.state as keyof typeof STATE_LABEL]} · {formatDateTime(i.open.updatedAt)}
                </Badge>
              )}
              {i.updateAvailable && <Badge tone="info">Built-in update {i.shippedVersion} available</Badge>}
              {!i.open && !i.updateAvailable && <span className="text-slate-500">Published</span>}
            </span>
          ),
        },
      ]}
    />
  );
}

export default async function ContentPage() {
  const viewer = await requireViewer("page:/admin/content");
  const canEdit = may(viewer, "administer");
  const db = await getDb();
  const [items, approval] = await Promise.all([listItems(db, viewer), approvalSettings(db)]);
  const courses = items.filter((i) => i.kind === "course");
  const agreements = items.filter((i) => i.kind === "agreement");
  const waiting = items.filter((i) => i.open?.state === "in_review");
  return (
    <>
      <PageHeader
        title="Content"
        description="The courses and agreements people are assigned. Built-in ones ship with Clearance; edit one to make it yours. Every change is a draft until published, every published version is kept, and a major version asks people to recertify or sign again."
        actions={
          <a href="/admin/content/export" className={buttonClass("secondary")} download>
            Export your content (ZIP)
          </a>
        }
      />
      <div className="space-y-6">
        {waiting.length > 0 && (
          <Card title="Waiting for approval" description="Another compliance admin submitted these; a second admin must approve before they are published.">
            <ul className="space-y-1 text-sm">
              {waiting.map((i) => (
                <li key={`${i.kind}:${i.id}`}>
                  <Link href={`/admin/content/${i.kind}/${i.id}`} className="font-medium text-brand-700 underline underline-offset-2">
                    {i.title}
                  </Link>
                </li>
              ))}
            </ul>
          </Card>
        )}
        <Card title="Courses">
          <ItemTable caption="Courses" items={courses} />
        </Card>
        <Card title="Agreements and policies">
          <ItemTable caption="Agreements and policies" items={agreements} />
        </Card>
        {canEdit && (
          <div className="grid gap-6 lg:grid-cols-2">
            <Card title="Write something new" description="A course or agreement of your own, started from a template that passes nothing until you fill it in.">
              <NewItemForm />
            </Card>
            <Card
              title="Import"
              description="A ZIP laid out like Clearance's content folder (courses/<id>/…, agreements/<id>.md), such as an export. Each item becomes a draft; nothing is imported if any file has a problem."
            >
              <ImportForm />
            </Card>
          </div>
        )}
        <Card title="Approval" description="Whether publishing needs a second compliance admin to approve. Approval is always a different person from the one who submitted.">
          <ApprovalSetting kind="agreement" label="Agreements and policies" on={approval.agreement} canEdit={canEdit} />
          <ApprovalSetting kind="course" label="Courses" on={approval.course} canEdit={canEdit} />
        </Card>
      </div>
    </>
  );
}
