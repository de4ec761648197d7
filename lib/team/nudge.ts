import "server-only";

import { eq, sql } from "drizzle-orm";

import { getDb } from "@/db/client";
import { selectRows } from "@/db/rows";
import { people } from "@/db/schema";
import type { NudgeItem } from "@/emails/nudge";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import type { Viewer } from "@/lib/auth/roles";
import { sha256Hex } from "@/lib/crypto/hash";
import { NotFoundError } from "@/lib/errors";
import { queueEmail } from "@/lib/notify/queue-email";

import { teamRows } from "./matrix";
import { nudgeableItems, nudgeDay, type Cell, type MatrixItem, type MatrixRow } from "./matrix.rules";
import { viewTeam, type TeamFilters } from "./view";

/*
 * One nudge is one email per person, listing every item reminded; and each
 * item at most once per person and UTC day.
 *
 * The message's `covers` holds a key per item, `nudge:<personId>:<itemId>:<YYYY-MM-DD>`:
 * the record of "this item was nudged today". Nudges for one person take turns
 * on a lock of that person's row, and each lists only the items no message of
 * the day covers yet. So a second click, a second manager up the line or thirty
 * requests racing each other add nothing for items already reminded; a nudge
 * that finds some items new sends one email about those.
 */
export function nudgeDedupeKey(personId: string, itemId: string, now: Date): string {
  return `nudge:${personId}:${itemId}:${nudgeDay(now)}`;
}

/** `emails`: messages queued (one per person reminded); `items`: what they list; `alreadyNudged`: items left out as reminded today. */
export type NudgeOutcome = { people: number; emails: number; items: number; alreadyNudged: number };

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
  const outcome: NudgeOutcome = { people: 0, emails: 0, items: 0, alreadyNudged: 0 };
  for (const { row, items } of targets) {
    if (items.length === 0) continue;
    // One transaction per person: their email and the audit event commit together.
    const queued = await db.transaction(async (tx) => {
      await tx.select({ id: people.id }).from(people).where(eq(people.id, row.person.id)).for("update");
      const keyed = items.map((i) => ({ ...i, key: nudgeDedupeKey(row.person.id, i.item.id, now) }));
      const keys = keyed.map((i) => i.key);
      const done = await selectRows<{ key: string }>(
        tx,
        sql`select k as key from outbox, unnest(coalesce(covers, '{}') || dedupe_key) as k
            where person_id = ${row.person.id} and kind = 'nudge' and k = any(${sql.param(keys)}::text[])`,
      );
      const already = new Set(done.map((d) => d.key));
      const fresh = keyed.filter((i) => !already.has(i.key));
      if (fresh.length === 0) return 0;
      const covers = fresh.map((i) => i.key).sort();
      const result = await queueEmail(tx, {
        kind: "nudge",
        props: {
          name: row.person.name,
          managerName: viewer.name,
          items: fresh.map(({ item, cell }) => emailItem(item, cell)),
        },
        to: { email: row.person.email, personId: row.person.id },
        dedupeKey: `nudge:${row.person.id}:${nudgeDay(now)}:${sha256Hex(covers.join("\n")).slice(0, 32)}`,
        covers,
        now,
      });
      if (!result.queued) return 0;
      await recordAudit(
        tx,
        context,
        {
          action: "nudge.sent",
          targetType: "person",
          targetId: row.person.id,
          data: { items: fresh.map((i) => i.item.id), day: nudgeDay(now) },
        },
        now,
      );
      return fresh.length;
    });
    outcome.items += queued;
    outcome.alreadyNudged += items.length - queued;
    if (queued > 0) {
      outcome.people += 1;
      outcome.emails += 1;
    }
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
