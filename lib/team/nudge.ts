import "server-only";

import { getDb } from "@/db/client";
import type { NudgeItem } from "@/emails/nudge";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import type { Viewer } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";
import { queueEmail } from "@/lib/notify/queue-email";

import { teamRows } from "./matrix";
import { nudgeableItems, nudgeDay, type Cell, type MatrixItem, type MatrixRow } from "./matrix.rules";
import { viewTeam, type TeamFilters } from "./view";

/*
 * At most one reminder per person, item and UTC day.
 *
 * Each reminded item is its own outbox row keyed `nudge:<personId>:<itemId>:<YYYY-MM-DD>`.
 * The outbox's unique dedupe_key is then the record of "this item was nudged
 * today", enforced by the database: a second click, a second manager up the
 * line or two requests racing each other all hit the same key and queue
 * nothing. A single digest per person would need a separate per-item ledger
 * to keep that guarantee (the digest's key could only cover the whole set),
 * so a person with three open items gets three short emails, once a day at most.
 */
export function nudgeDedupeKey(personId: string, itemId: string, now: Date): string {
  return `nudge:${personId}:${itemId}:${nudgeDay(now)}`;
}

export type NudgeOutcome = { people: number; emails: number; alreadyNudged: number };

const itemPath = (item: MatrixItem) => (item.kind === "course" ? `/courses/${item.id}` : `/agreements/${item.id}`);

function emailItem(item: MatrixItem, cell: Cell): NudgeItem {
  const status = cell.status === "overdue" ? "overdue" : cell.status === "expiring" ? "expiring" : "due";
  return {
    title: item.title,
    kind: item.kind,
    status,
    date: status === "expiring" ? cell.expiresAt : cell.dueAt,
    path: itemPath(item),
  };
}

async function sendNudges(
  viewer: Viewer,
  context: AuditContext,
  targets: { row: MatrixRow; items: { item: MatrixItem; cell: Cell }[] }[],
  now: Date,
): Promise<NudgeOutcome> {
  const db = await getDb();
  const outcome: NudgeOutcome = { people: 0, emails: 0, alreadyNudged: 0 };
  for (const { row, items } of targets) {
    if (items.length === 0) continue;
    // One transaction per person: their emails and the audit event commit together.
    const queued = await db.transaction(async (tx) => {
      const sent: string[] = [];
      for (const { item, cell } of items) {
        const result = await queueEmail(tx, {
          kind: "nudge",
          props: { name: row.person.name, managerName: viewer.name, items: [emailItem(item, cell)] },
          to: { email: row.person.email, personId: row.person.id },
          dedupeKey: nudgeDedupeKey(row.person.id, item.id, now),
          now,
        });
        if (result.queued) sent.push(item.id);
      }
      if (sent.length > 0) {
        await recordAudit(
          tx,
          context,
          {
            action: "nudge.sent",
            targetType: "person",
            targetId: row.person.id,
            data: { items: sent, day: nudgeDay(now) },
          },
          now,
        );
      }
      return sent.length;
    });
    outcome.emails += queued;
    outcome.alreadyNudged += items.length - queued;
    if (queued > 0) outcome.people += 1;
  }
  return outcome;
}

/** Reminds one of the manager's own reports about everything assigned and not yet done. */
export async function nudgePerson(
  viewer: Viewer,
  context: AuditContext,
  personId: string,
  now = new Date(),
): Promise<NudgeOutcome & { name: string }> {
  const db = await getDb();
  const { items, rows } = await teamRows(db, viewer, now, [personId]);
  const row = rows[0];
  if (!row) throw new NotFoundError("That person is not one of your active reports.");
  const outcome = await sendNudges(viewer, context, [{ row, items: nudgeableItems(row, items) }], now);
  return { ...outcome, name: row.person.name };
}

/** Reminds everyone overdue among the rows the filters show (all pages) about their overdue items in the shown columns. */
export async function nudgeAllOverdue(
  viewer: Viewer,
  context: AuditContext,
  filters: TeamFilters,
  now = new Date(),
): Promise<NudgeOutcome> {
  const db = await getDb();
  const { items, rows } = await teamRows(db, viewer, now);
  const view = viewTeam(rows, items, filters, now);
  const targets = view.matching.map((row) => ({
    row,
    items: nudgeableItems(row, view.visibleItems, { onlyOverdue: true }),
  }));
  return sendNudges(viewer, context, targets, now);
}
