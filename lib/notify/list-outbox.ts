import "server-only";

import { and, desc, eq, ilike, sql } from "drizzle-orm";

import { getDb, type Executor } from "@/db/client";
import { outbox, outboxStatuses } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";
import { likeLiteral } from "@/lib/http/search-params";
import { isUuid } from "@/lib/ids";

import { emailTemplates, isEmailKind } from "./templates";
import { renderPayload } from "./welcome";

export type OutboxStatus = (typeof outboxStatuses)[number];

export type OutboxRow = {
  id: string;
  kind: string;
  toEmail: string;
  subject: string;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
};

export type OutboxMessage = OutboxRow & {
  html: string | null;
  text: string | null;
  hasAttachments: boolean;
  /** The body held a credential and the message was sent, so it is not shown again. */
  withheld: boolean;
};

const PAGE_SIZE = 50;

/** The columns of a message as listed (no body). */
export const outboxRowColumns = {
  id: outbox.id,
  kind: outbox.kind,
  toEmail: outbox.toEmail,
  subject: outbox.subject,
  status: outbox.status,
  attempts: outbox.attempts,
  lastError: outbox.lastError,
  createdAt: outbox.createdAt,
  sentAt: outbox.sentAt,
};

/** Newest first, optionally by status and by part of the recipient's address; compliance admins only. */
export async function listOutbox(viewer: Viewer, options: { status?: OutboxStatus; to?: string; page?: number } = {}) {
  assertMay(viewer, "administer");
  const db = await getDb();
  const page = Math.max(1, Math.floor(options.page ?? 1));
  const to = options.to?.trim().slice(0, 320).toLowerCase();
  const where = and(
    options.status && outboxStatuses.includes(options.status) ? eq(outbox.status, options.status) : undefined,
    to ? ilike(outbox.toEmail, `%${likeLiteral(to)}%`) : undefined,
  );
  const rows: OutboxRow[] = await db
    .select(outboxRowColumns)
    .from(outbox)
    .where(where)
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(PAGE_SIZE)
    .offset((page - 1) * PAGE_SIZE);
  const [{ total }] = await db
    .select({ total: sql<number>`count(*)::int` })
    .from(outbox)
    .where(where);
  return { rows, total, page, pageSize: PAGE_SIZE };
}

/**
 * One message for the in-app viewer. The HTML is the email as rendered; show it
 * in a sandboxed iframe (`srcdoc`, no `allow-scripts`). A body carrying a
 * credential (set-password link, signing link or code) is shown only while the
 * message is unsent — when there is no SMTP an admin may have to pass it on —
 * and each such viewing is audited.
 */
export async function getOutboxMessage(viewer: Viewer, id: string, context?: AuditContext): Promise<OutboxMessage> {
  assertMay(viewer, "administer");
  const db = await getDb();
  return readMessage(db, id, {
    // Shown while unsent (an admin may have to pass it on), each viewing audited; never once sent.
    onSecret: async (row) => {
      if (row.status === "sent") return false;
      await recordAudit(db, context ?? { actorId: viewer.id, actorLabel: viewer.email }, {
        action: "email.secret_viewed",
        targetType: "outbox",
        targetId: row.id,
        data: { kind: row.kind, status: row.status },
      });
      return true;
    },
  });
}

/**
 * One outbox message rendered as it is (or was) sent: the admin's viewer and a
 * person's own notification centre both read through here. `owner` limits it
 * to that person's messages (another id is "not found"); `onSecret` decides
 * whether a body carrying a credential is shown.
 */
export async function readMessage(
  db: Executor,
  id: string,
  options: { owner?: string; onSecret: (row: OutboxRow) => Promise<boolean> },
): Promise<OutboxMessage> {
  if (!isUuid(id)) throw new NotFoundError("No such email.");
  const [row] = await db
    .select({
      ...outboxRowColumns,
      html: outbox.html,
      text: outbox.text,
      hasAttachments: sql<boolean>`${outbox.attachmentsEnc} is not null`,
      dedupeKey: outbox.dedupeKey,
      payloadEnc: outbox.payloadEnc,
      personId: outbox.personId,
    })
    .from(outbox)
    .where(and(eq(outbox.id, id), options.owner ? eq(outbox.personId, options.owner) : undefined))
    .limit(1);
  if (!row) throw new NotFoundError("No such email.");
  const { dedupeKey, payloadEnc, personId, ...message } = row;
  const carriesSecret = isEmailKind(row.kind) && emailTemplates[row.kind].carriesSecret;
  if (carriesSecret && !(await options.onSecret(message)))
    return { ...message, html: null, text: null, withheld: true };
  // Queued as a payload (a welcome): rendered for reading as it will be sent.
  if (message.html === null && message.text === null && payloadEnc) {
    const { html, text, attachments } = await renderPayload({ kind: row.kind, dedupeKey, payloadEnc, personId });
    return { ...message, html, text, hasAttachments: Boolean(attachments?.length), withheld: false };
  }
  return { ...message, withheld: false };
}
