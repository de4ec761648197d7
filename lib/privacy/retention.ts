import "server-only";

import { and, eq, inArray, isNotNull, isNull, lt, notExists, or, sql } from "drizzle-orm";

import type { Executor } from "@/db/client";
import {
  accessDecisions,
  certifications,
  dataOperationEvents,
  digestItems,
  loginAttempts,
  outbox,
  people,
  quizAttempts,
  sessions,
  ssoIdentities,
  xapiStatements,
} from "@/db/schema";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { revokeSessionsOf } from "@/lib/auth/sessions";
import { getContent } from "@/lib/content";
import type { RetentionRule } from "@/lib/content/load";
import { env } from "@/lib/env";

/** `now` minus an ISO-8601 duration like P3Y, P1Y6M or P90D. */
export function cutoff(now: Date, duration: string): Date {
  const m = duration.match(/^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$/);
  if (!m) throw new Error(`Not an ISO-8601 duration: ${duration}`);
  const d = new Date(now.getTime());
  d.setUTCFullYear(d.getUTCFullYear() - Number(m[1] ?? 0));
  d.setUTCMonth(d.getUTCMonth() - Number(m[2] ?? 0));
  d.setUTCDate(d.getUTCDate() - Number(m[3] ?? 0));
  return d;
}

function rowCount(result: unknown): number {
  if (Array.isArray(result)) return result.length;
  const r = result as { count?: number; affectedRows?: number; rows?: unknown[] };
  return r.count ?? r.affectedRows ?? r.rows?.length ?? 0;
}

type Purge = (db: Executor, before: Date, now: Date) => Promise<number>;

/**
 * What each rule in content/retention-policy.yaml does. Rules under legal hold
 * (signed agreements, certifications) and the audit log are never purged here:
 * the chain must stay verifiable, so a purge is recorded as a new event instead.
 */
const PURGES: Record<string, Purge> = {
  // Attempts that issued a certification stay with the certification (legal hold). An anti-join (NOT EXISTS through
  // the unique attempt_id index): `NOT IN (subquery)` cannot be one, and past work_mem it rescans the certifications
  // for every attempt (90 s a run at 10,000 people).
  "quiz-attempts": async (db, before) =>
    rowCount(
      await db
        .delete(quizAttempts)
        .where(
          and(
            lt(quizAttempts.startedAt, before),
            notExists(
              db
                .select({ one: sql`1` })
                .from(certifications)
                .where(eq(certifications.attemptId, quizAttempts.id)),
            ),
          ),
        )
        .returning({ id: quizAttempts.id }),
    ),
  "access-decisions": async (db, before) =>
    rowCount(
      await db.delete(accessDecisions).where(lt(accessDecisions.at, before)).returning({ id: accessDecisions.id }),
    ),
  "outbox-bodies": async (db, before) =>
    rowCount(
      await db
        .update(outbox)
        .set({ html: null, text: null, attachmentsEnc: null, payloadEnc: null })
        .where(
          and(
            lt(outbox.createdAt, before),
            inArray(outbox.status, ["sent", "failed"]),
            sql`(${outbox.html} is not null or ${outbox.text} is not null or ${outbox.attachmentsEnc} is not null or ${outbox.payloadEnc} is not null)`,
          ),
        )
        .returning({ id: outbox.id }),
    ) +
    // What a digest listed, once it was sent or dropped: the row and its key stay so the item is not raised again.
    rowCount(
      await db
        .update(digestItems)
        .set({ item: {}, reason: {} })
        .where(
          and(
            lt(digestItems.createdAt, before),
            or(isNotNull(digestItems.digestKey), isNotNull(digestItems.droppedAt)),
            sql`${digestItems.item} <> '{}'::jsonb`,
          ),
        )
        .returning({ id: digestItems.id }),
    ) +
    // A statement sent to (or given up by) the learning record store: its id stays, so the event is not sent again.
    rowCount(
      await db
        .update(xapiStatements)
        .set({ statement: {} })
        .where(
          and(
            lt(xapiStatements.createdAt, before),
            inArray(xapiStatements.status, ["sent", "failed"]),
            sql`${xapiStatements.statement} <> '{}'::jsonb`,
          ),
        )
        .returning({ id: xapiStatements.id }),
    ),
  "login-attempts": async (db, before) =>
    rowCount(await db.delete(loginAttempts).where(lt(loginAttempts.at, before)).returning({ id: loginAttempts.id })) +
    // Sessions that ended (expired or signed out) before the window: where and how the person signed in.
    rowCount(
      await db
        .delete(sessions)
        .where(or(lt(sessions.expiresAt, before), lt(sessions.revokedAt, before)))
        .returning({ id: sessions.id }),
    ),
  "data-operation-events": async (db, before) =>
    rowCount(
      await db
        .delete(dataOperationEvents)
        .where(lt(dataOperationEvents.occurredAt, before))
        .returning({ id: dataOperationEvents.id }),
    ),
  // Personal fields go; the row stays so signed agreements and certifications still point at someone.
  "departed-people": async (db, before, now) => {
    const due = await db
      .select({ id: people.id })
      .from(people)
      .where(
        and(
          eq(people.status, "departed"),
          isNotNull(people.departedAt),
          lt(people.departedAt, before),
          isNull(people.anonymisedAt),
        ),
      );
    for (const { id } of due) {
      await db
        .update(people)
        .set({
          name: `Former employee ${id.slice(0, 8)}`,
          email: `departed-${id}@anonymised.invalid`,
          title: null,
          hireDate: null,
          passwordHash: null,
          mfaSecretEnc: null,
          mfaPendingSecretEnc: null,
          anonymisedAt: now,
          updatedAt: now,
        })
        .where(eq(people.id, id));
      await revokeSessionsOf(db, id, "anonymised", now);
      // The identity provider's id for them is personal data too; a later sign-in finds nobody.
      await db.delete(ssoIdentities).where(eq(ssoIdentities.personId, id));
    }
    return due.length;
  },
};

export type RetentionReport = Record<string, number>;

/** Applies the retention policy at `now`. Idempotent; each purge that removed something is audited. */
export async function applyRetention(
  db: Executor,
  now = new Date(),
  rules: RetentionRule[] = getContent().retention,
): Promise<RetentionReport> {
  const report: RetentionReport = {};
  for (const rule of rules) {
    const purge = PURGES[rule.id];
    if (!purge || rule.legalHold) continue;
    // The outbox's period is an operator's setting (OUTBOX_RETENTION_DAYS), so it can be shortened where mail is heavy.
    const retention = rule.id === "outbox-bodies" ? `P${env().OUTBOX_RETENTION_DAYS}D` : rule.retention;
    const before = cutoff(now, retention);
    await db.transaction(async (tx) => {
      const count = await purge(tx, before, now);
      report[rule.id] = count;
      if (count > 0)
        await recordAudit(
          tx,
          SYSTEM_ACTOR,
          {
            action: "retention.purged",
            targetType: "retention_rule",
            targetId: rule.id,
            data: { count, before: before.toISOString(), retention },
          },
          now,
        );
    });
  }
  return report;
}
