import "server-only";

import { and, eq, gt, isNull, ne } from "drizzle-orm";

import { writeInChunks } from "@/db/chunks";
import { getDb, type Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import { passwordTokens, people } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { minPasswordLength, passwordProblem } from "@/lib/auth/password.rules";
import { revokeSessionsOf } from "@/lib/auth/sessions";
import { sha256Hex } from "@/lib/crypto/hash";
import { hashPassword } from "@/lib/crypto/password";
import { randomToken } from "@/lib/crypto/tokens";
import { DomainError } from "@/lib/errors";
import { plural } from "@/lib/format";
import { hitRateLimit } from "@/lib/http/rate-limit";
import { queueEmail } from "@/lib/notify/queue-email";
import { addDays } from "@/lib/time";

export const INVITATION_VALID_DAYS = 7;
export { PASSWORD_MAX_LENGTH } from "@/lib/auth/password.rules";
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{20,100}$/;

export type PasswordLinkState = "ready" | "expired" | "used" | "unknown";

/**
 * Issues single-use set-password links and queues the invitation emails, in
 * the caller's transaction so the people, the links and the emails commit
 * together. Earlier unused links for the same people stop working. Only each
 * token's SHA-256 is stored; the token itself exists only in the email.
 */
export async function issueInvitations(
  tx: Executor,
  persons: { id: string; email: string; name: string }[],
  invitedByName: string | null,
  now: Date,
) {
  if (persons.length === 0) return { expiresAt: null };
  const { expiresAt, links } = await createInvitationLinks(tx, persons, now);
  for (const { person, token, tokenId } of links) {
    await queueEmail(tx, {
      kind: "invitation",
      props: { name: person.name, setPasswordPath: `/set-password/${token}`, expiresAt, invitedByName },
      to: { email: person.email, personId: person.id },
      dedupeKey: `invitation:${person.id}:${tokenId}`,
      now,
    });
  }
  return { expiresAt };
}

/**
 * Single-use invitation links for these people, stored as SHA-256 only, in
 * multi-row inserts; their earlier unused links stop working. The tokens are
 * returned for the caller to put in an email and nowhere else.
 */
export async function createInvitationLinks<P extends { id: string }>(
  tx: Executor,
  persons: P[],
  now: Date,
): Promise<{ expiresAt: Date; links: { person: P; token: string; tokenId: string }[] }> {
  const expiresAt = addDays(now, INVITATION_VALID_DAYS);
  await expireOpenLinks(
    tx,
    persons.map((p) => p.id),
    now,
  );
  const tokens = persons.map((person) => {
    const token = randomToken();
    return { person, token, hash: sha256Hex(token) };
  });
  const links: { person: P; token: string; tokenId: string }[] = [];
  // Five values a row: chunked under the driver's bind-parameter limit.
  await writeInChunks(tokens, 5, async (chunk) => {
    const rows = await tx
      .insert(passwordTokens)
      .values(
        chunk.map(({ person, hash }) => ({
          personId: person.id,
          tokenHash: hash,
          purpose: "invitation" as const,
          createdAt: now,
          expiresAt,
        })),
      )
      .returning({ id: passwordTokens.id, tokenHash: passwordTokens.tokenHash });
    const idByHash = new Map(rows.map((r) => [r.tokenHash, r.id]));
    for (const { person, token, hash } of chunk) links.push({ person, token, tokenId: idByHash.get(hash)! });
  });
  return { expiresAt, links };
}

/** Ends the unused links of these people: the ids travel as one array parameter, so any number fits one statement. */
export async function expireOpenLinks(tx: Executor, personIds: string[], now: Date): Promise<void> {
  if (personIds.length === 0) return;
  await tx
    .update(passwordTokens)
    .set({ expiresAt: now })
    .where(
      and(inIds(passwordTokens.personId, personIds), isNull(passwordTokens.usedAt), gt(passwordTokens.expiresAt, now)),
    );
}

export async function issueInvitation(
  tx: Executor,
  person: { id: string; email: string; name: string },
  invitedByName: string | null,
  now: Date,
) {
  const { expiresAt } = await issueInvitations(tx, [person], invitedByName, now);
  return { expiresAt: expiresAt! };
}

type LoadedLink = {
  state: PasswordLinkState;
  tokenId?: string;
  purpose?: "invitation" | "reset";
  person?: { id: string; name: string; email: string; hasSecondFactor: boolean };
  expiresAt?: Date;
};

async function loadLink(db: Executor, token: string, now: Date, lock = false): Promise<LoadedLink> {
  if (!TOKEN_SHAPE.test(token)) return { state: "unknown" };
  const query = db
    .select({
      id: passwordTokens.id,
      purpose: passwordTokens.purpose,
      usedAt: passwordTokens.usedAt,
      expiresAt: passwordTokens.expiresAt,
      personId: people.id,
      name: people.name,
      email: people.email,
      status: people.status,
      mfaEnabledAt: people.mfaEnabledAt,
    })
    .from(passwordTokens)
    .innerJoin(people, eq(people.id, passwordTokens.personId))
    .where(eq(passwordTokens.tokenHash, sha256Hex(token)));
  const [row] = lock ? await query.for("update", { of: passwordTokens }) : await query;
  // A suspended or departed person's link does nothing, and says no more than an unknown one.
  if (!row || row.status !== "active") return { state: "unknown" };
  if (row.usedAt) return { state: "used", purpose: row.purpose };
  if (row.expiresAt.getTime() <= now.getTime()) return { state: "expired", purpose: row.purpose };
  const person = { id: row.personId, name: row.name, email: row.email, hasSecondFactor: row.mfaEnabledAt !== null };
  return { state: "ready", tokenId: row.id, purpose: row.purpose, person, expiresAt: row.expiresAt };
}

/** What the set-password page shows for a link: whose it is, or why it no longer works. */
export async function passwordLinkView(token: string, now = new Date()) {
  const db = await getDb();
  const link = await loadLink(db, token, now);
  if (link.state !== "ready") return { state: link.state, purpose: link.purpose };
  const { name, email, hasSecondFactor } = link.person!;
  return {
    state: "ready" as const,
    purpose: link.purpose!,
    name,
    email,
    expiresAt: link.expiresAt!,
    minLength: minPasswordLength(hasSecondFactor),
  };
}

/** What a refused link says: a reset link is replaced from the sign-in page, an invitation by the compliance team. */
function closedLinkMessage(purpose: "invitation" | "reset" | undefined): string {
  return purpose === "reset"
    ? "This link can no longer be used. Ask for a new one with “Forgot password?” on the sign-in page."
    : "This link can no longer be used. Ask your compliance team for a new invitation.";
}

const ATTEMPTS_PER_IP = 30;
const ATTEMPT_WINDOW_SECONDS = 15 * 60;

/**
 * Sets the person's password from a link and uses the link up. The token row
 * is locked and marked used in the same transaction, so two submissions of
 * one link cannot both succeed; the person's other open links stop working.
 */
export async function setPasswordWithToken(
  token: string,
  password: string,
  context: AuditContext & { ip: string },
  now = new Date(),
): Promise<{ email: string }> {
  const db = await getDb();
  // Hashing is deliberately slow: bound how often one address can make us do it.
  const verdict = await hitRateLimit(db, `set-password:${context.ip}`, ATTEMPTS_PER_IP, ATTEMPT_WINDOW_SECONDS, now);
  if (!verdict.allowed)
    throw new DomainError(
      "rate_limited",
      `Too many attempts from your network. Try again in ${plural(Math.ceil(verdict.retryAfterSeconds / 60), "minute")}.`,
      429,
    );
  const preview = await loadLink(db, token, now);
  if (preview.state !== "ready") throw new DomainError(`link_${preview.state}`, closedLinkMessage(preview.purpose));
  const problem = passwordProblem(password, preview.person!);
  if (problem) throw new DomainError("weak_password", problem);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const link = await loadLink(tx, token, now, true);
    if (link.state !== "ready") throw new DomainError(`link_${link.state}`, closedLinkMessage(link.purpose));
    const personId = link.person!.id;
    await tx.update(passwordTokens).set({ usedAt: now }).where(eq(passwordTokens.id, link.tokenId!));
    await tx
      .update(passwordTokens)
      .set({ expiresAt: now })
      .where(
        and(
          eq(passwordTokens.personId, personId),
          ne(passwordTokens.id, link.tokenId!),
          isNull(passwordTokens.usedAt),
          gt(passwordTokens.expiresAt, now),
        ),
      );
    await tx.update(people).set({ passwordHash, updatedAt: now }).where(eq(people.id, personId));
    await revokeSessionsOf(tx, personId, "password_changed", now);
    await recordAudit(
      tx,
      { ...context, actorId: personId, actorLabel: link.person!.email },
      { action: "person.password_set", targetType: "person", targetId: personId, data: { via: link.purpose! } },
      now,
    );
    return { email: link.person!.email };
  });
}
