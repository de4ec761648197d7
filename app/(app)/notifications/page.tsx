import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
import { requireViewer } from "@/lib/auth/gate";
import { formatDateTime, plural } from "@/lib/format";
import { myNotifications } from "@/lib/notify/my-notifications";

import { notificationStatus } from "./status";

export const metadata: Metadata = { title: "Notifications" };

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<{ page?: string }> }) {
  const viewer = await requireViewer("page:/notifications");
  const params = await searchParams;
  const { rows, total, page, pageSize, pendingDigest } = await myNotifications(viewer, {
    page: Number(params.page) || 1,
  });
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return (
    <>
      <PageHeader
        title="Notifications"
        description="Every email Clearance has sent you, newest first. Open one to read it as it was sent."
      />
      {pendingDigest > 0 && (
        <p className="mb-4 text-sm text-slate-600" data-testid="pending-digest">
          {plural(pendingDigest, "notification")} will come in your next digest.{" "}
          <Link href="/account#notifications" className="font-medium text-brand-700 underline underline-offset-2">
            Change how often
          </Link>
        </p>
      )}
      <Card>
        <Table
          caption="Your emails, newest first"
          hideCaption
          striped
          columns={[
            {
              header: "When",
              className: "text-slate-600 sm:whitespace-nowrap",
              cell: (m) => formatDateTime(m.sentAt ?? m.createdAt),
            },
            {
              header: "Subject",
              cell: (m) => (
                <Link href={`/notifications/${m.id}`} className="font-medium text-brand-700 hover:underline">
                  {m.subject}
                </Link>
              ),
            },
            {
              header: "Status",
              cell: (m) => {
                const s = notificationStatus[m.status];
                return <Badge tone={s.tone}>{s.label}</Badge>;
              },
            },
          ]}
          rows={rows}
          rowKey={(m) => m.id}
          empty="No emails yet"
          emptyDetail="When Clearance emails you — a course assigned, a reminder, a signed copy — it shows here too."
          pagination={{
            label: "Notification pages",
            page,
            pageCount: pages,
            queryFor: (p) => ({ page: String(p) }),
            previousLabel: "Newer",
            nextLabel: "Older",
          }}
        />
      </Card>
    </>
  );
}
