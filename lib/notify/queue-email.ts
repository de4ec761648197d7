import "server-only";

import { eq } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { outbox } from "@/db/schema";
import { decryptText, encryptText } from "@/lib/crypto/encryption";
import { DomainError } from "@/lib/errors";

import { renderEmail, type EmailKind, type EmailProps } from "./templates";

export type EmailAttachment = { filename: string; contentType: string; content: Uint8Array };

export type QueueEmailInput<K extends EmailKind> = {
  kind: K;
  props: EmailProps<K>;
  to: { email: string; personId?: string | null };
  /**
   * Unique per message ever sent; a second queueEmail with the same key does nothing.
   * Convention: `${kind}:${personId}:${itemId}:${period}`, where the period makes
   * repeats intentional — a day for daily reminders (`course-due-soon:<person>:<assignment>:2026-11-29`),
   * or a version for one-offs (`agreement-to-sign:<person>:<agreement>:v2`,
   * `partner-signing-code:<signer>:<request>:<code id>`).
   */
  dedupeKey: string;
  attachments?: EmailAttachment[];
  /** Dedupe keys of the messages this one stands for (it lists them), so they are not sent apart. */
  covers?: string[];
  now?: Date;
};

type StoredAttachment = { filename: string; contentType: string; base64: string };

// Bound to its row's dedupe key, so an encrypted blob copied onto another row fails to open.
const attachmentsContext = (dedupeKey: string) => `outbox:${dedupeKey}`;

export function sealAttachments(dedupeKey: string, attachments: EmailAttachment[]): string {
  const stored: StoredAttachment[] = attachments.map((a) => ({
    filename: a.filename,
    contentType: a.contentType,
    base64: Buffer.from(a.content).toString("base64"),
  }));
  return encryptText(JSON.stringify(stored), attachmentsContext(dedupeKey));
}

export function openAttachments(dedupeKey: string, sealed: string): (EmailAttachment & { content: Buffer })[] {
  const stored = JSON.parse(decryptText(sealed, attachmentsContext(dedupeKey))) as StoredAttachment[];
  return stored.map((a) => ({
    filename: a.filename,
    contentType: a.contentType,
    content: Buffer.from(a.base64, "base64"),
  }));
}

// One address, no display name or header tricks: the sender builds the envelope from it.
const EMAIL = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+\.[^\s@<>,;:"()[\]\\]+$/;

/**
 * Renders the email now and stores it in the outbox, unless a message with the
 * same dedupe key was ever queued. Call it with the transaction that makes the
 * change the email announces, so both commit or neither does.
 */
export async function queueEmail<K extends EmailKind>(
  tx: Executor,
  input: QueueEmailInput<K>,
): Promise<{ queued: boolean; id: string | null }> {
  const email = input.to.email.trim();
  if (!EMAIL.test(email)) throw new DomainError("invalid_recipient", "The recipient's email address is not valid.");
  if (!input.dedupeKey.trim()) throw new Error("queueEmail needs a dedupe key.");

  // Most reminder runs re-propose messages already queued: skip the rendering for those.
  const [existing] = await tx
    .select({ id: outbox.id })
    .from(outbox)
    .where(eq(outbox.dedupeKey, input.dedupeKey))
    .limit(1);
  if (existing) return { queued: false, id: null };

  const now = input.now ?? new Date();
  const { subject, html, text } = await renderEmail(input.kind, input.props);
  const [row] = await tx
    .insert(outbox)
    .values({
      kind: input.kind,
      dedupeKey: input.dedupeKey,
      personId: input.to.personId ?? null,
      toEmail: email,
      subject,
      html,
      text,
      attachmentsEnc: input.attachments?.length ? sealAttachments(input.dedupeKey, input.attachments) : null,
      covers: input.covers?.length ? input.covers : null,
      status: "queued",
      nextAttemptAt: now,
      createdAt: now,
    })
    .onConflictDoNothing({ target: outbox.dedupeKey })
    .returning({ id: outbox.id });
  return row ? { queued: true, id: row.id } : { queued: false, id: null };
}
