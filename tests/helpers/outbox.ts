import type { Transporter } from "nodemailer";

import { emailChannel } from "@/lib/notify/email-channel";
import { deliverDue } from "@/lib/outbox/worker";
import type { HostResolver } from "@/lib/webhooks/post-to-receiver";
import { webhookChannel } from "@/lib/webhooks/webhook-channel";

type RunOptions = { now: Date; batchSize?: number };

/** The outbox worker on the e-mail channel, as the scheduler runs it; `transport` stands in for SMTP_URL. */
export const deliverEmails = ({ transport, ...options }: RunOptions & { transport?: Transporter }) =>
  deliverDue(emailChannel({ transport }), options);

/** The outbox worker on the webhook channel, as the scheduler runs it. */
export const deliverWebhooks = ({
  resolve,
  timeoutMs,
  ...options
}: RunOptions & { resolve?: HostResolver; timeoutMs?: number }) =>
  deliverDue(webhookChannel({ resolve, timeoutMs }), options);
