import type { OutboxStatus } from "@/lib/notify/list-outbox";

/** A message's delivery state in the words of its recipient. */
export const notificationStatus: Record<OutboxStatus, { label: string; tone: "info" | "success" | "danger" }> = {
  queued: { label: "Waiting to send", tone: "info" },
  sending: { label: "Sending", tone: "info" },
  sent: { label: "Sent", tone: "success" },
  failed: { label: "Not delivered", tone: "danger" },
};
