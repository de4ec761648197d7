import type { WebhookEventType } from "@/db/schema";

/** What each event means, for the admin choosing what to receive. */
export const eventTypeLabels: Record<WebhookEventType, string> = {
  "access.granted": "A data-access request was approved",
  "access.revoked": "A grant was revoked",
  "access.lapsed": "A held role lapsed: training or an agreement is out of date",
  "certification.expired": "A certification expired without being renewed",
  "agreement.signed": "An agreement was signed",
};
