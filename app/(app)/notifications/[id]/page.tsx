import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { MessageBody } from "@/components/email/message-body";
import { Badge } from "@/components/ui/badge";
import { PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/gate";
import { NotFoundError } from "@/lib/errors";
import { formatDateTime } from "@/lib/format";
import { myNotification } from "@/lib/notify/my-notifications";

import { notificationStatus } from "../status";

export const metadata: Metadata = { title: "Notification" };

export default async function NotificationPage({ params }: { params: Promise<{ id: string }> }) {
  const viewer = await requireViewer("page:/notifications/[id]");
  const { id } = await params;
  const message = await myNotification(viewer, id).catch((e) => {
    if (e instanceof NotFoundError) notFound();
    throw e;
  });
  const status = notificationStatus[message.status];
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link href="/notifications" className="hover:underline">
          Notifications
        </Link>{" "}
        / email
      </nav>
      <PageHeader
        title={message.subject}
        description={`To ${message.toEmail} · ${message.sentAt ? `sent ${formatDateTime(message.sentAt)}` : `queued ${formatDateTime(message.createdAt)}`}`}
        actions={<Badge tone={status.tone}>{status.label}</Badge>}
      />
      <MessageBody
        message={message}
        withheldNote="This email held a single-use link (to set a password or to sign), so it is shown only in your mailbox."
      />
    </>
  );
}
