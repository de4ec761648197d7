import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { MessageBody } from "@/components/email/message-body";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { NotFoundError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import { getOutboxMessage } from "@/lib/notify/list-outbox";

export const metadata: Metadata = { title: "Email" };

export default async function OutboxMessagePage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer("page:/admin/outbox/[id]");
  const { id } = await params;
  const message = await getOutboxMessage(viewer, id, await auditContext(viewer)).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link href="/admin/outbox" className="hover:underline">
          Outbox
        </Link>{" "}
        / email
      </nav>
      <PageHeader
        title={message.subject}
        description={`To ${message.toEmail} · queued ${formatDateTime(message.createdAt)}${message.sentAt ? ` · sent ${formatDateTime(message.sentAt)}` : ""}`}
        actions={<Badge>{message.status}</Badge>}
      />
      <MessageBody
        message={message}
        withheldNote="This email carried a sign-in or signing credential and has been delivered, so its body is no longer shown."
      />
    </>
  );
}
