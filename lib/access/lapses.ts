import "server-only";

import { and, arrayContains, eq, gt, isNotNull, isNull, lte, notExists, or, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";

import type { Db } from "@/db/client";
import { inIds } from "@/db/id-list";
import { accessGrants, certifications, people, webhookDeliveries, webhooks, xapiStatements } from "@/db/schema";
import { recordAudit, SYSTEM_ACTOR } from "@/lib/audit/record";
import { log } from "@/lib/log";
import { queueEmail } from "@/lib/notify/queue-email";
import { inSweep, type Sweep } from "@/lib/scheduler/sweep";
import { addDays } from "@/lib/time";
import { enqueueWebhookEvent } from "@/lib/webhooks/enqueue";
import { courseRef, queueAccessChange, queueStatement, xapiOrigin } from "@/lib/xapi/queue";
import { certificationExpired, certificationExpiredId, type CourseRef, type Origin } from "@/lib/xapi/statements";

import type { DenyReason } from "./decide.rules";
import { reasonInWords } from "./describe";
import { accessRole, decisionFor, loadFactsFor, type Facts } from "./facts";

/** Decision facts are loaded for this many people per query set. */
const CHUNK = 1000;
/** Expired certifications older than this are not announced: it bounds each run's work. */
export const EXPIRED_LOOKBACK_DAYS = 7;

/**
 * Lapses one run records at most, each with its emails and webhook. A first
 * run over an organisation that was never checked could otherwise find
 * thousands at once; the rest are recorded on the next runs (decisions are
 * made live, so access is refused meanwhile either way).
 */
export const MAX_LAPSES_PER_RUN = 500;

export type LapseReport = { checked: number; lapsed: number; restored: number; errors: number };

type HeldGrant = { id: string; personId: string; roleId: string; decidedAt: Date | null; lapsedAt: Date | null };
type Recipient = { id: string; name: string; email: string };

/**
 * Finds approved grants whose role is no longer held (training expired, an
 * agreement is due, the account was suspended …) and records each lapse once:
 * `lapsed_at`, an `access.lapsed` audit event, emails to the person and their
 * approver, and an `access.lapsed` webhook. A grant held again is restored.
 *
 * A grant approved before its requirements were met starts with `lapsed_at`
 * equal to its decision time (lib/access/approvals.ts): it never lapses, since
 * it was never in effect, and takes effect here, once, with `access.effective`.
 *
 * Safe to run twice or on two workers at once: each lapse is claimed with a
 * conditional update (`where lapsed_at is null`), and only the claimant writes.
 */
export async function detectAccessLapses(
  db: Db,
  now = new Date(),
  options: { maxLapses?: number; sweep?: Sweep } = {},
): Promise<LapseReport> {
  const maxLapses = options.maxLapses ?? MAX_LAPSES_PER_RUN;
  const report: LapseReport = { checked: 0, lapsed: 0, restored: 0, errors: 0 };
  let admins: Recipient[] | null = null;
  const complianceAdmins = async () =>
    (admins ??= await db
      .select({ id: people.id, name: people.name, email: people.email })
      .from(people)
      .where(and(eq(people.status, "active"), arrayContains(people.roles, ["compliance_admin"]))));

  for await (const { facts, checked, lapses, restores } of heldGrantsDecided(db, now, options.sweep)) {
    report.checked += checked;
    // Past this run's share, lapses wait for the next run: their grants are still unclaimed.
    const recordNow = lapses.slice(0, Math.max(0, maxLapses - report.lapsed));
    if (recordNow.length) {
      const recipients = await recipientsFor(
        db,
        recordNow.map((l) => l.grant),
      );
      for (const lapse of recordNow) {
        try {
          if (await recordLapse(db, lapse.grant, lapse.reasons, facts, recipients, complianceAdmins, now))
            report.lapsed++;
        } catch (error) {
          // One bad row (say, an unusable email address) must not hold up every other lapse.
          report.errors++;
          log().error({ err: error, grantId: lapse.grant.id }, "recording an access lapse failed");
        }
      }
    }
    for (const grant of restores) {
      if (await restoreGrant(db, grant, now)) report.restored++;
    }
  }
  return report;
}

/**
 * Every approved grant in force, decided again at `now` a chunk of people at a
 * time: those whose role is no longer held and whose lapse is not recorded
 * yet, and those held again after a recorded lapse.
 */
async function* heldGrantsDecided(
  db: Db,
  now: Date,
  sweep?: Sweep,
): AsyncGenerator<{
  facts: Facts;
  checked: number;
  lapses: { grant: HeldGrant; reasons: DenyReason[] }[];
  restores: HeldGrant[];
}> {
  // Approved and in force: a grant that ended or was revoked is not a lapse.
  const grants: HeldGrant[] = await db
    .select({
      id: accessGrants.id,
      personId: accessGrants.personId,
      roleId: accessGrants.roleId,
      decidedAt: accessGrants.decidedAt,
      lapsedAt: accessGrants.lapsedAt,
    })
    .from(accessGrants)
    .where(
      and(
        eq(accessGrants.status, "approved"),
        lte(accessGrants.decidedAt, now),
        or(isNull(accessGrants.endsAt), gt(accessGrants.endsAt, now)),
        inSweep(accessGrants.personId, sweep),
      ),
    );
  const byPerson = new Map<string, HeldGrant[]>();
  for (const g of grants) byPerson.set(g.personId, [...(byPerson.get(g.personId) ?? []), g]);
  const personIds = Array.from(byPerson.keys());
  for (let i = 0; i < personIds.length; i += CHUNK) {
    const ids = personIds.slice(i, i + CHUNK);
    // Only the roles each person holds a grant for: their courses and agreements, not the whole catalogue's.
    const { facts } = await loadFactsFor(
      db,
      ids.flatMap((personId) => byPerson.get(personId)!.map((g) => ({ user: personId, role: g.roleId }))),
    );
    const lapses: { grant: HeldGrant; reasons: DenyReason[] }[] = [];
    const restores: HeldGrant[] = [];
    let checked = 0;
    for (const personId of ids) {
      for (const grant of byPerson.get(personId)!) {
        const role = accessRole(grant.roleId);
        if (!role) continue; // a role removed from content: nothing to decide against
        checked++;
        const decision = decisionFor(facts, personId, role, now);
        if (!decision.allow && !grant.lapsedAt) lapses.push({ grant, reasons: decision.reasons });
        else if (decision.allow && grant.lapsedAt) restores.push(grant);
      }
    }
    yield { facts, checked, lapses, restores };
  }
}

/** The grants in force whose role is no longer held and whose lapse is not recorded yet (what the next runs will record). */
export async function unrecordedLapses(db: Db, now = new Date()): Promise<string[]> {
  const ids: string[] = [];
  for await (const { lapses } of heldGrantsDecided(db, now)) ids.push(...lapses.map((l) => l.grant.id));
  return ids;
}

/** The people the lapse emails go to, and the managers of those whose role a manager approves; one query each. */
async function recipientsFor(db: Db, grants: HeldGrant[]) {
  const holders = await db
    .select({
      id: people.id,
      name: people.name,
      email: people.email,
      status: people.status,
      managerId: people.managerId,
    })
    .from(people)
    .where(inIds(people.id, Array.from(new Set(grants.map((g) => g.personId)))));
  const managerIds = Array.from(new Set(holders.map((h) => h.managerId).filter((id): id is string => Boolean(id))));
  const managers = managerIds.length
    ? await db
        .select({ id: people.id, name: people.name, email: people.email })
        .from(people)
        .where(and(inIds(people.id, managerIds), eq(people.status, "active")))
    : [];
  return { holders: new Map(holders.map((h) => [h.id, h])), managers: new Map(managers.map((m) => [m.id, m])) };
}

async function recordLapse(
  db: Db,
  grant: HeldGrant,
  reasons: DenyReason[],
  facts: Facts,
  recipients: Awaited<ReturnType<typeof recipientsFor>>,
  complianceAdmins: () => Promise<Recipient[]>,
  now: Date,
): Promise<boolean> {
  const role = accessRole(grant.roleId)!;
  const holder = recipients.holders.get(grant.personId);
  if (!holder) return false;
  // Approvers as for the request: the direct manager for manager-approved roles, else (or with no active manager) compliance admins.
  const manager =
    role.approver === "manager" && holder.managerId ? recipients.managers.get(holder.managerId) : undefined;
  const approvers = manager ? [manager] : await complianceAdmins();
  const words = reasons.map((r) => reasonInWords(r, { expiredOn: expiredOn(facts, grant.personId, r) }));
  const at = now.toISOString();

  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(accessGrants)
      .set({ lapsedAt: now })
      .where(and(eq(accessGrants.id, grant.id), isNull(accessGrants.lapsedAt), eq(accessGrants.status, "approved")))
      .returning({ id: accessGrants.id });
    if (!claimed) return false; // another run recorded this lapse
    await recordAudit(
      tx,
      SYSTEM_ACTOR,
      {
        action: "access.lapsed",
        targetType: "access_grant",
        targetId: grant.id,
        data: { personId: grant.personId, roleId: role.id, reasons },
      },
      now,
    );

    const sent = new Set<string>();
    const mail = async (to: Recipient, accessPath: string) => {
      if (sent.has(to.id)) return;
      sent.add(to.id);
      await queueEmail(tx, {
        kind: "access-lapsed",
        props: {
          name: to.name,
          roleName: role.name,
          lapsedAt: now,
          reasons: words,
          accessPath,
          holderName: to.id === holder.id ? null : holder.name,
        },
        to: { email: to.email, personId: to.id },
        dedupeKey: `access-lapsed:${grant.id}:${at}:${to.id}`,
        now,
      });
    };
    // A suspended or departed person gets no email; their approver still does.
    if (holder.status === "active") await mail(holder, "/access");
    for (const approver of approvers) await mail(approver, `/people/${grant.personId}`);

    await queueAccessChange(
      tx,
      {
        change: "lapsed",
        grantId: grant.id,
        holder: { id: grant.personId, email: holder.email },
        decidedBy: null,
        roleId: role.id,
        key: at,
      },
      now,
    );
    await enqueueWebhookEvent(
      tx,
      "access.lapsed",
      `access.lapsed:${grant.id}:${at}`,
      { grantId: grant.id, personId: grant.personId, email: holder.email, roleId: role.id, lapsedAt: at, reasons },
      now,
    );
    return true;
  });
}

async function restoreGrant(db: Db, grant: HeldGrant, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [restored] = await tx
      .update(accessGrants)
      .set({ lapsedAt: null })
      .where(and(eq(accessGrants.id, grant.id), isNotNull(accessGrants.lapsedAt)))
      .returning({ id: accessGrants.id });
    if (!restored) return false;
    const neverInEffect = grant.lapsedAt !== null && grant.lapsedAt.getTime() === grant.decidedAt?.getTime();
    await recordAudit(
      tx,
      SYSTEM_ACTOR,
      neverInEffect
        ? {
            action: "access.effective",
            targetType: "access_grant",
            targetId: grant.id,
            data: { personId: grant.personId, roleId: grant.roleId, approvedAt: grant.decidedAt!.toISOString() },
          }
        : {
            action: "access.restored",
            targetType: "access_grant",
            targetId: grant.id,
            data: { personId: grant.personId, roleId: grant.roleId, lapsedAt: grant.lapsedAt?.toISOString() ?? null },
          },
      now,
    );
    await queueAccessChange(
      tx,
      {
        change: neverInEffect ? "effective" : "restored",
        grantId: grant.id,
        holder: { id: grant.personId },
        decidedBy: null,
        roleId: grant.roleId,
        key: now.toISOString(),
      },
      now,
    );
    return true;
  });
}

/** The latest certification's expiry, so a lapse email can say when training ran out. */
function expiredOn(facts: Facts, personId: string, reason: DenyReason): Date | null {
  if (!reason.startsWith("course_expired:")) return null;
  const courseId = reason.slice("course_expired:".length);
  const latest = facts.persons
    .get(personId)
    ?.certifications.filter((c) => c.courseId === courseId)
    .sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime())[0];
  return latest?.expiresAt ?? null;
}

export type ExpiredCertificationReport = { expired: number; queued: number; statements: number };

/**
 * Queues the `certification.expired` webhook, and the xAPI `expired`
 * statement when a learning record store is configured, once per
 * certification that expired in the last week and was not renewed. Event
 * and statement ids make each one queue once however often this runs.
 */
export async function detectExpiredCertifications(db: Db, now = new Date()): Promise<ExpiredCertificationReport> {
  const subscribed = await db
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(and(eq(webhooks.active, true), arrayContains(webhooks.eventTypes, ["certification.expired"])));
  const origin = await xapiOrigin(db);
  if (subscribed.length === 0 && !origin) return { expired: 0, queued: 0, statements: 0 };

  const later = alias(certifications, "later_certification");
  const expired = await db
    .select({
      id: certifications.id,
      personId: certifications.personId,
      email: people.email,
      courseId: certifications.courseId,
      courseVersion: certifications.courseVersion,
      expiresAt: certifications.expiresAt,
    })
    .from(certifications)
    .innerJoin(people, eq(people.id, certifications.personId))
    .where(
      and(
        lte(certifications.expiresAt, now),
        gt(certifications.expiresAt, addDays(now, -EXPIRED_LOOKBACK_DAYS)),
        // Renewed before it ran out: nothing expired for the person.
        notExists(
          db
            .select({ one: sql`1` })
            .from(later)
            .where(
              and(
                eq(later.personId, certifications.personId),
                eq(later.courseId, certifications.courseId),
                gt(later.issuedAt, certifications.issuedAt),
                lte(later.issuedAt, certifications.expiresAt),
              ),
            ),
        ),
      ),
    );
  if (expired.length === 0) return { expired: 0, queued: 0, statements: 0 };
  const statements = origin ? await queueExpiryStatements(db, origin, expired, now) : 0;
  if (subscribed.length === 0) return { expired: expired.length, queued: 0, statements };

  // Most runs find every delivery already queued: check the dedupe keys in one query instead of one insert each.
  const keyOf = (webhookId: string, certId: string) => `${webhookId}:certification.expired:${certId}`;
  const known = new Set<string>();
  for (let i = 0; i < expired.length; i += CHUNK) {
    const keys = expired.slice(i, i + CHUNK).flatMap((c) => subscribed.map((w) => keyOf(w.id, c.id)));
    for (const row of await db
      .select({ key: webhookDeliveries.dedupeKey })
      .from(webhookDeliveries)
      .where(sql`${webhookDeliveries.dedupeKey} = any(${sql.param(keys)}::text[])`))
      known.add(row.key);
  }
  let queued = 0;
  for (const cert of expired) {
    if (subscribed.every((w) => known.has(keyOf(w.id, cert.id)))) continue;
    queued += await enqueueWebhookEvent(
      db,
      "certification.expired",
      `certification.expired:${cert.id}`,
      {
        certificationId: cert.id,
        personId: cert.personId,
        email: cert.email,
        courseId: cert.courseId,
        courseVersion: cert.courseVersion,
        expiresAt: cert.expiresAt.toISOString(),
      },
      now,
    );
  }
  return { expired: expired.length, queued, statements };
}

type Expired = {
  id: string;
  personId: string;
  email: string;
  courseId: string;
  courseVersion: string;
  expiresAt: Date;
};

/** The xAPI `expired` statements not yet queued: the ids are checked in one query per chunk, as for the webhooks. */
async function queueExpiryStatements(db: Db, origin: Origin, expired: Expired[], now: Date): Promise<number> {
  const known = new Set<string>();
  for (let i = 0; i < expired.length; i += CHUNK) {
    const ids = expired.slice(i, i + CHUNK).map((c) => certificationExpiredId(origin, c.id));
    for (const row of await db
      .select({ id: xapiStatements.id })
      .from(xapiStatements)
      .where(sql`${xapiStatements.id} = any(${sql.param(ids)}::uuid[])`))
      known.add(row.id);
  }
  const courses = new Map<string, CourseRef>();
  let queued = 0;
  for (const cert of expired) {
    if (known.has(certificationExpiredId(origin, cert.id))) continue;
    const courseKey = `${cert.courseId}@${cert.courseVersion}`;
    if (!courses.has(courseKey)) courses.set(courseKey, await courseRef(db, cert.courseId, cert.courseVersion));
    const sent = await queueStatement(
      db,
      () =>
        certificationExpired(origin, {
          person: { id: cert.personId, email: cert.email },
          course: courses.get(courseKey)!,
          certificationId: cert.id,
          expiresAt: cert.expiresAt,
        }),
      now,
    );
    if (sent) queued++;
  }
  return queued;
}
