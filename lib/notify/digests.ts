import "server-only";

import { and, eq, inArray, isNull, lte, sql } from "drizzle-orm";

import { writeInChunks } from "@/db/chunks";
import type { Db, Executor } from "@/db/client";
import { inIds } from "@/db/id-list";
import {
  assignments,
  certifications,
  digestItems,
  organisationSettings,
  outbox,
  people,
  type EmailCadence,
} from "@/db/schema";
import type { NudgeItem } from "@/emails/nudge";
import { agreementsForMany } from "@/lib/agreements/employee-agreements";
import { dueDatesAttachment } from "@/lib/calendar/due-events";
import { yieldToRequests } from "@/lib/event-loop";

import { digestPeriod, effectiveCadence } from "./cadence.rules";
import { queueEmail } from "./queue-email";

/** Why an item is due; checked again when the digest is composed. */
export type DigestReason =
  | { type: "assignment"; id: string }
  | { type: "certification"; id: string }
  | { type: "agreement"; templateId: string };

export type DigestEntry = { key: string; personId: string; item: NudgeItem; reason: DigestReason };

type StoredItem = Omit<NudgeItem, "date"> & { date: string | null };

/** The organisation's default cadence of routine notifications ("each" until an admin sets one). */
export async function organisationCadence(db: Executor): Promise<EmailCadence> {
  const [row] = await db.select({ cadence: organisationSettings.emailCadence }).from(organisationSettings).limit(1);
  return row?.cadence ?? "each";
}

/** Records routine notifications for their people's digests; a key recorded before is skipped. Returns how many were new. */
export async function holdForDigest(db: Executor, entries: DigestEntry[], now: Date): Promise<number> {
  let held = 0;
  // Six values a row: chunked under the driver's bind-parameter limit.
  await writeInChunks(entries, 6, async (chunk) => {
    const rows = await db
      .insert(digestItems)
      .values(
        chunk.map((e) => ({
          personId: e.personId,
          key: e.key,
          item: { ...e.item, date: e.item.date?.toISOString() ?? null } satisfies StoredItem,
          reason: e.reason,
          createdAt: now,
        })),
      )
      .onConflictDoNothing({ target: digestItems.key })
      .returning({ id: digestItems.id });
    held += rows.length;
  });
  return held;
}

type Claimed = { id: string; item: unknown; reason: unknown };

/** The claimed items whose reason went away: the course was completed or cancelled, the certification renewed, the agreement signed. */
async function itemsGone(
  tx: Executor,
  person: { id: string; departmentId: string | null; roles: string[]; email: string },
  claimed: Claimed[],
  now: Date,
): Promise<Set<string>> {
  const reasons = claimed.map((c) => ({ id: c.id, reason: c.reason as DigestReason }));
  const gone = new Set<string>();
  const assignmentIds = reasons.flatMap((r) => (r.reason.type === "assignment" ? [r.reason.id] : []));
  if (assignmentIds.length > 0) {
    const open = await tx
      .select({ id: assignments.id })
      .from(assignments)
      .where(
        and(inIds(assignments.id, assignmentIds), isNull(assignments.completedAt), isNull(assignments.cancelledAt)),
      );
    const stillOpen = new Set(open.map((a) => a.id));
    for (const r of reasons) if (r.reason.type === "assignment" && !stillOpen.has(r.reason.id)) gone.add(r.id);
  }
  const certificationIds = reasons.flatMap((r) => (r.reason.type === "certification" ? [r.reason.id] : []));
  if (certificationIds.length > 0) {
    // Renewed: a later certification of the same course expires after this one.
    const renewed = await tx
      .select({ id: certifications.id })
      .from(certifications)
      .where(
        and(
          inIds(certifications.id, certificationIds),
          sql`exists (select 1 from certifications n where n.person_id = ${certifications.personId}
                and n.course_id = ${certifications.courseId} and n.expires_at > ${certifications.expiresAt})`,
        ),
      );
    const renewedIds = new Set(renewed.map((c) => c.id));
    for (const r of reasons) if (r.reason.type === "certification" && renewedIds.has(r.reason.id)) gone.add(r.id);
  }
  if (reasons.some((r) => r.reason.type === "agreement")) {
    const standings = (await agreementsForMany(tx, [person], now)).get(person.id)!;
    const toSign = new Set(
      standings.filter((i) => i.standing !== "signed" && i.standing !== "expiring").map((i) => i.template.id),
    );
    for (const r of reasons) if (r.reason.type === "agreement" && !toSign.has(r.reason.templateId)) gone.add(r.id);
  }
  return gone;
}

class DigestTaken extends Error {}

/**
 * Sends each person whose digest is due one email of their pending routine
 * items. Per person, in one transaction: the period's digest must not exist
 * yet; one UPDATE claims the items recorded before the period began (a second
 * worker's UPDATE waits on the row locks and then claims nothing); items whose
 * reason went away are dropped; the digest is queued under the period's
 * unique dedupe key, and if another worker queued that key first the whole
 * claim rolls back. So each item is sent once, or dropped, never lost.
 */
export async function sendDueDigests(db: Db, now: Date): Promise<{ digests: number; items: number; dropped: number }> {
  const counts = { digests: 0, items: 0, dropped: 0 };
  const organisationDefault = await organisationCadence(db);
  const pending = await db
    .selectDistinct({
      id: people.id,
      name: people.name,
      email: people.email,
      status: people.status,
      departmentId: people.departmentId,
      roles: people.roles,
      choice: people.reminderDigest,
    })
    .from(digestItems)
    .innerJoin(people, eq(people.id, digestItems.personId))
    .where(and(isNull(digestItems.digestKey), isNull(digestItems.droppedAt), lte(digestItems.createdAt, now)));
  const waiting = and(isNull(digestItems.digestKey), isNull(digestItems.droppedAt));

  for (const person of pending) {
    if (person.status !== "active") {
      const dropped = await db
        .update(digestItems)
        .set({ droppedAt: now })
        .where(and(eq(digestItems.personId, person.id), waiting))
        .returning({ id: digestItems.id });
      counts.dropped += dropped.length;
      continue;
    }
    const cadence = effectiveCadence(person.choice, organisationDefault);
    const { period, startsAt } = digestPeriod(cadence, now);
    const key = `reminder-digest:${person.id}:${period}`;
    // A digest may be rendered next, perhaps in the server's own process: let it answer its requests between them.
    await yieldToRequests();
    try {
      const result = await db.transaction(async (tx) => {
        const [sent] = await tx.select({ id: outbox.id }).from(outbox).where(eq(outbox.dedupeKey, key)).limit(1);
        if (sent) return null;
        const claimed = await tx
          .update(digestItems)
          .set({ digestKey: key })
          .where(and(eq(digestItems.personId, person.id), waiting, lte(digestItems.createdAt, startsAt)))
          .returning({ id: digestItems.id, item: digestItems.item, reason: digestItems.reason });
        if (claimed.length === 0) return null;
        const gone = await itemsGone(tx, person, claimed, now);
        if (gone.size > 0)
          await tx
            .update(digestItems)
            .set({ digestKey: null, droppedAt: now })
            .where(inArray(digestItems.id, [...gone]));
        const items = claimed
          .filter((c) => !gone.has(c.id))
          .map((c) => {
            const stored = c.item as StoredItem;
            return { ...stored, date: stored.date ? new Date(stored.date) : null };
          })
          .sort((a, b) => (a.date?.getTime() ?? Infinity) - (b.date?.getTime() ?? Infinity));
        if (items.length > 0) {
          const calendar = dueDatesAttachment(person.id, items, now);
          const queued = await queueEmail(tx, {
            kind: "reminder-digest",
            props: { name: person.name, period: cadence, items },
            to: { email: person.email, personId: person.id },
            dedupeKey: key,
            attachments: calendar && [calendar],
            now,
          });
          if (!queued.queued) throw new DigestTaken();
        }
        return { items: items.length, dropped: gone.size };
      });
      if (!result) continue;
      if (result.items > 0) counts.digests++;
      counts.items += result.items;
      counts.dropped += result.dropped;
    } catch (error) {
      if (!(error instanceof DigestTaken)) throw error;
    }
  }
  return counts;
}

/** Items still waiting for a person's digest, for their notification centre. */
export async function pendingDigestCount(db: Executor, personId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(digestItems)
    .where(and(eq(digestItems.personId, personId), isNull(digestItems.digestKey), isNull(digestItems.droppedAt)));
  return row?.n ?? 0;
}
