import "server-only";

import nodemailer, { type Transporter } from "nodemailer";

import { outbox } from "@/db/schema";
import { env } from "@/lib/env";
import type { OutboxChannel } from "@/lib/outbox/channel";

import { openAttachments } from "./queue-email";
import { renderPayload } from "./welcome";

type EmailRow = Pick<
  typeof outbox.$inferSelect,
  | "id"
  | "kind"
  | "dedupeKey"
  | "personId"
  | "toEmail"
  | "subject"
  | "html"
  | "text"
  | "attachmentsEnc"
  | "payloadEnc"
  | "attempts"
>;

/**
 * E-mail from the `outbox` table over SMTP (`SMTP_URL`, or `transport` in
 * tests), one message at a time. With neither it sends nothing: messages
 * stay queued and admins can read them in the app. `attempts` counts the
 * failed sends only.
 */
export function emailChannel(options: { transport?: Transporter } = {}): OutboxChannel<EmailRow> {
  return {
    queue: {
      table: outbox,
      waiting: "queued",
      done: "sent",
      doneAt: "sentAt",
      order: outbox.createdAt,
      countsSuccessAsAttempt: false,
      interrupted: "interrupted: the sending worker stopped before finishing",
    },
    fields: {
      id: outbox.id,
      kind: outbox.kind,
      dedupeKey: outbox.dedupeKey,
      personId: outbox.personId,
      toEmail: outbox.toEmail,
      subject: outbox.subject,
      html: outbox.html,
      text: outbox.text,
      attachmentsEnc: outbox.attachmentsEnc,
      payloadEnc: outbox.payloadEnc,
      attempts: outbox.attempts,
    },
    concurrency: 1,
    canSend: () => Boolean(options.transport || env().SMTP_URL),
    async open() {
      // Short timeouts keep one stalled server from holding a claim anywhere near STUCK_AFTER_MS.
      const transport =
        options.transport ??
        nodemailer.createTransport({
          url: env().SMTP_URL,
          connectionTimeout: 30_000,
          greetingTimeout: 30_000,
          socketTimeout: 60_000,
        });
      const { MAIL_FROM, APP_URL } = env();
      const messageDomain = new URL(APP_URL).hostname;
      return {
        async send(row) {
          try {
            // A message queued as a payload (a welcome) is rendered now, when it is sent.
            const body =
              row.html === null && row.text === null && row.payloadEnc
                ? await renderPayload({ ...row, payloadEnc: row.payloadEnc })
                : { html: row.html, text: row.text, attachments: undefined };
            await transport.sendMail({
              from: MAIL_FROM,
              to: row.toEmail,
              subject: row.subject,
              html: body.html ?? undefined,
              text: body.text ?? undefined,
              attachments: row.attachmentsEnc
                ? openAttachments(row.dedupeKey, row.attachmentsEnc)
                : body.attachments?.map((a) => ({ ...a, content: Buffer.from(a.content) })),
              // A stable id lets receiving servers drop the duplicate if a crashed worker's message is resent.
              messageId: `<${row.id}@${messageDomain}>`,
              headers: { "Auto-Submitted": "auto-generated" },
            });
            return { ok: true };
          } catch (error) {
            return { ok: false, error: describeSendError(error) };
          }
        },
        close() {
          if (!options.transport) transport.close();
        },
      };
    },
  };
}

const ADDRESS = /[^\s<>()[\]",;:]+@[^\s<>()[\]",;:]+/g;

/**
 * A short reason for admins: the SMTP code and reply, with addresses (personal
 * data) and anything credential-like (user:password@host) removed.
 */
export function describeSendError(error: unknown): string {
  const e = (error ?? {}) as {
    code?: unknown;
    responseCode?: unknown;
    response?: unknown;
    command?: unknown;
    message?: unknown;
  };
  const head = [
    typeof e.responseCode === "number" ? e.responseCode : null,
    typeof e.code === "string" ? e.code : null,
    typeof e.command === "string" ? `(${e.command.split(" ").slice(0, 2).join(" ")})` : null,
  ]
    .filter(Boolean)
    .join(" ");
  const detail =
    typeof e.response === "string" ? e.response : typeof e.message === "string" ? e.message : "unknown error";
  const text = `${head ? `${head}: ` : ""}${detail}`.replace(ADDRESS, "[address]").replace(/\s+/g, " ").trim();
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}
