import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { accessGrants, auditEvents, certifications, outbox, people, webhookDeliveries } from "@/db/schema";
import { decideRequest, requestAccess } from "@/lib/access/approvals";
import { checkAccess } from "@/lib/access/check";
import { detectAccessLapses, detectExpiredCertifications } from "@/lib/access/lapses";
import { resetEnvForTests } from "@/lib/env";
import { DAY, HOUR } from "@/lib/time";
import { createWebhook, deactivateWebhook } from "@/lib/webhooks/manage-webhooks";
import { verifyWebhookSignature } from "@/lib/webhooks/signature";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { deliverWebhooks } from "../helpers/outbox";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const t0 = new Date("2026-03-02T09:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const PII = "customer-pii-read"; // approved by the person's manager
const EXPORT = "customer-data-export"; // approved by compliance admins

type Hit = { headers: IncomingHttpHeaders; body: string };
const hits: Hit[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
    res.writeHead(200).end();
  });
});
const receiverUrl = new Promise<string>((resolve) =>
  server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/clearance`)),
);
// The receiver listens on loopback.
beforeAll(() => {
  process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = "true";
  resetEnvForTests();
});
afterAll(async () => {
  delete process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS;
  resetEnvForTests();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let adminCache: ReturnType<typeof viewerOf> | undefined;
async function admin() {
  adminCache ??= viewerOf(
    await createPerson(database.db(), { roles: ["compliance_admin"], name: "Carmen Compliance" }),
  );
  return adminCache;
}

async function subscribe(eventTypes: string[]) {
  const viewer = await admin();
  return createWebhook(viewer, context(viewer.id), { url: await receiverUrl, eventTypes }, t0);
}

async function grantRow(id: string) {
  const [row] = await database.db().select().from(accessGrants).where(eq(accessGrants.id, id));
  return row;
}

async function auditFor(grantId: string) {
  return database.db().select().from(auditEvents).where(eq(auditEvents.targetId, grantId)).orderBy(auditEvents.id);
}

async function lapseEmails(grantId: string) {
  return database
    .db()
    .select()
    .from(outbox)
    .where(like(outbox.dedupeKey, `access-lapsed:${grantId}:%`))
    .orderBy(outbox.dedupeKey);
}

async function lapseDeliveries(grantId: string) {
  return database
    .db()
    .select()
    .from(webhookDeliveries)
    .where(like(webhookDeliveries.dedupeKey, `%:access.lapsed:${grantId}:%`));
}

/** Makes one of the person's certifications run out at `when`. */
async function expireCourse(personId: string, courseId: string, when: Date) {
  await database
    .db()
    .update(certifications)
    .set({ expiresAt: when })
    .where(and(eq(certifications.personId, personId), eq(certifications.courseId, courseId)));
}

describe("access lapses", () => {
  it("records a lapse once — audit, emails to the person and their manager, a signed webhook — and a restore once", async () => {
    const db = database.db();
    const hook = await subscribe(["access.lapsed"]);
    const manager = await createPerson(db, { roles: ["manager"], name: "Priya Manager" });
    const person = await createPerson(db, { managerId: manager.id, name: "Ana Lapse" });
    await satisfyRole(db, person.id, PII, t0);
    const grantId = await grantRole(db, person.id, PII, t0);

    expect((await detectAccessLapses(db, at(HOUR))).lapsed).toBe(0);
    expect((await grantRow(grantId)).lapsedAt).toBeNull();

    await expireCourse(person.id, "support-data-handling", at(2 * HOUR));
    const lapsedAt = at(3 * HOUR);
    const first = await detectAccessLapses(db, lapsedAt);
    expect(first).toMatchObject({ lapsed: 1, restored: 0, errors: 0 });
    expect(first.checked).toBeGreaterThanOrEqual(1);
    expect((await grantRow(grantId)).lapsedAt).toEqual(lapsedAt);

    const audit = await auditFor(grantId);
    expect(audit.map((a) => [a.action, a.actorLabel])).toEqual([["access.lapsed", "system"]]);
    expect(audit[0].data).toEqual({
      personId: person.id,
      roleId: PII,
      reasons: ["course_expired:support-data-handling"],
    });

    const emails = await lapseEmails(grantId);
    expect(emails.map((e) => [e.dedupeKey, e.toEmail]).sort()).toEqual(
      [
        [`access-lapsed:${grantId}:${lapsedAt.toISOString()}:${person.id}`, person.email],
        [`access-lapsed:${grantId}:${lapsedAt.toISOString()}:${manager.id}`, manager.email],
      ].sort(),
    );
    const subjects = Object.fromEntries(emails.map((e) => [e.toEmail, e.subject]));
    expect(subjects[person.email]).toBe("Your Read customer personal data access has lapsed");
    expect(subjects[manager.email]).toBe("Ana Lapse's Read customer personal data access has lapsed");
    expect(
      emails.every((e) =>
        e.text
          ?.replace(/\s+/g, " ")
          .includes("Certification in “Handling customer data in technical support” expired on 2 March 2026"),
      ),
    ).toBe(true);

    const deliveries = await lapseDeliveries(grantId);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({
      webhookId: hook.id,
      eventType: "access.lapsed",
      dedupeKey: `${hook.id}:access.lapsed:${grantId}:${lapsedAt.toISOString()}`,
    });
    expect(deliveries[0].payload).toMatchObject({
      id: `access.lapsed:${grantId}:${lapsedAt.toISOString()}`,
      type: "access.lapsed",
      data: {
        grantId,
        personId: person.id,
        email: person.email,
        roleId: PII,
        lapsedAt: lapsedAt.toISOString(),
        reasons: ["course_expired:support-data-handling"],
      },
    });

    // Run again, and twice at once: nothing is recorded twice.
    expect((await detectAccessLapses(db, at(3 * HOUR + 60_000))).lapsed).toBe(0);
    const both = await Promise.all([detectAccessLapses(db, at(4 * HOUR)), detectAccessLapses(db, at(4 * HOUR))]);
    expect(both.map((r) => r.lapsed)).toEqual([0, 0]);
    expect((await auditFor(grantId)).length).toBe(1);
    expect((await lapseEmails(grantId)).length).toBe(2);
    expect((await lapseDeliveries(grantId)).length).toBe(1);
    expect((await grantRow(grantId)).lapsedAt).toEqual(lapsedAt);

    // The receiver gets it signed.
    hits.length = 0;
    expect((await deliverWebhooks({ now: at(4 * HOUR) })).sent).toBeGreaterThanOrEqual(1);
    const hit = hits.find((h) => JSON.parse(h.body).id === `access.lapsed:${grantId}:${lapsedAt.toISOString()}`)!;
    expect(hit.headers["clearance-event"]).toBe("access.lapsed");
    expect(
      verifyWebhookSignature(hook.secret, hit.headers["clearance-signature"] as string, hit.body, new Date()),
    ).toBe(true);

    // Renewed training: the grant is held again, once.
    await satisfyRole(db, person.id, PII, at(5 * HOUR));
    const restored = await Promise.all([detectAccessLapses(db, at(6 * HOUR)), detectAccessLapses(db, at(6 * HOUR))]);
    expect(restored.map((r) => r.restored).sort()).toEqual([0, 1]);
    expect((await grantRow(grantId)).lapsedAt).toBeNull();
    expect((await detectAccessLapses(db, at(7 * HOUR))).restored).toBe(0);
    const afterRestore = await auditFor(grantId);
    expect(afterRestore.map((a) => a.action)).toEqual(["access.lapsed", "access.restored"]);
    expect(afterRestore[1].data).toEqual({ personId: person.id, roleId: PII, lapsedAt: lapsedAt.toISOString() });

    // A second lapse is a new event, with its own emails and webhook.
    await expireCourse(person.id, "data-protection-law", at(8 * HOUR));
    const again = at(9 * HOUR);
    expect((await detectAccessLapses(db, again)).lapsed).toBe(1);
    expect((await auditFor(grantId)).map((a) => a.action)).toEqual([
      "access.lapsed",
      "access.restored",
      "access.lapsed",
    ]);
    expect((await lapseEmails(grantId)).length).toBe(4);
    expect((await lapseDeliveries(grantId)).length).toBe(2);
    await deactivateWebhook(await admin(), context(), hook.id, again);
  });

  it("tells compliance admins for compliance-approved roles, and only the approver when the account is suspended", async () => {
    const db = database.db();
    const carmen = await admin();
    const otherAdmin = await createPerson(db, { roles: ["compliance_admin"] });
    const formerAdmin = await createPerson(db, { roles: ["compliance_admin"], status: "departed" });
    const manager = await createPerson(db, { roles: ["manager"] });
    const person = await createPerson(db, { managerId: manager.id });
    await satisfyRole(db, person.id, EXPORT, t0);
    const grantId = await grantRole(db, person.id, EXPORT, t0);

    await db.update(people).set({ status: "suspended" }).where(eq(people.id, person.id));
    expect((await detectAccessLapses(db, at(10 * DAY))).lapsed).toBeGreaterThanOrEqual(1);
    const audit = await auditFor(grantId);
    expect(audit.map((a) => a.action)).toEqual(["access.lapsed"]);
    expect((audit[0].data as { reasons: string[] }).reasons).toEqual(["account_inactive"]);
    const recipients = (await lapseEmails(grantId)).map((e) => e.personId).sort();
    expect(recipients).toEqual([carmen.id, otherAdmin.id].sort());
    expect(recipients).not.toContain(person.id);
    expect(recipients).not.toContain(manager.id);
    expect(recipients).not.toContain(formerAdmin.id);
  });

  it("records a burst of lapses over several runs, each once", async () => {
    const db = database.db();
    const grants: string[] = [];
    for (let i = 0; i < 3; i++) {
      const person = await createPerson(db, { name: `Burst ${i}` });
      await satisfyRole(db, person.id, PII, t0);
      grants.push(await grantRole(db, person.id, PII, t0));
      await db.update(people).set({ status: "suspended" }).where(eq(people.id, person.id));
    }
    const when = at(20 * DAY);
    for (let run = 0; run < 10; run++) {
      const report = await detectAccessLapses(db, when, { maxLapses: 1 });
      expect(report.lapsed).toBeLessThanOrEqual(1);
      if (report.lapsed === 0) break;
    }
    for (const id of grants) {
      expect((await grantRow(id)).lapsedAt).toEqual(when);
      expect((await auditFor(id)).map((a) => a.action)).toEqual(["access.lapsed"]);
    }
  });

  it("does not count an ended, revoked or still-requested grant as a lapse", async () => {
    const db = database.db();
    const person = await createPerson(db);
    const ended = await grantRole(db, person.id, PII, t0, at(DAY));
    const [revoked] = await db
      .insert(accessGrants)
      .values({
        personId: person.id,
        roleId: EXPORT,
        status: "revoked",
        justification: "test",
        requestedAt: t0,
        decidedAt: t0,
        revokedAt: at(HOUR),
      })
      .returning({ id: accessGrants.id });
    const [requested] = await db
      .insert(accessGrants)
      .values({ personId: person.id, roleId: "payment-data-admin", justification: "test", requestedAt: t0 })
      .returning({ id: accessGrants.id });
    await detectAccessLapses(db, at(2 * DAY));
    for (const id of [ended, revoked.id, requested.id]) {
      expect((await grantRow(id)).lapsedAt).toBeNull();
      expect(await auditFor(id)).toEqual([]);
    }
  });
});

describe("expired certifications", () => {
  it("queues certification.expired once per certification that ran out in the last week and was not renewed", async () => {
    const db = database.db();
    const base = new Date("2031-06-01T12:00:00Z");
    const ago = (ms: number) => new Date(base.getTime() - ms);
    const person = await createPerson(db);
    await satisfyRole(db, person.id, "partner-data-exchange", ago(400 * DAY)); // third-party-sharing, data-protection-law
    const certs = await db.select().from(certifications).where(eq(certifications.personId, person.id));
    const byCourse = new Map(certs.map((c) => [c.courseId, c]));
    const recent = byCourse.get("third-party-sharing")!;
    const old = byCourse.get("data-protection-law")!;
    await db
      .update(certifications)
      .set({ expiresAt: ago(2 * DAY) })
      .where(eq(certifications.id, recent.id));
    await db
      .update(certifications)
      .set({ expiresAt: ago(8 * DAY) })
      .where(eq(certifications.id, old.id));

    // Nobody listens: nothing to do.
    expect(await detectExpiredCertifications(db, base)).toEqual({ expired: 0, queued: 0, statements: 0 });

    const hook = await subscribe(["certification.expired"]);
    const renewer = await createPerson(db);
    await satisfyRole(db, renewer.id, "partner-data-exchange", ago(400 * DAY));
    await db
      .update(certifications)
      .set({ expiresAt: ago(DAY) })
      .where(eq(certifications.personId, renewer.id));
    await satisfyRole(db, renewer.id, "partner-data-exchange", ago(3 * DAY)); // renewed before they ran out

    const first = await detectExpiredCertifications(db, base);
    expect(first).toEqual({ expired: 1, queued: 1, statements: 0 });
    const rows = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, hook.id));
    expect(rows.map((r) => r.dedupeKey)).toEqual([`${hook.id}:certification.expired:${recent.id}`]);
    expect(rows[0].payload).toMatchObject({
      id: `certification.expired:${recent.id}`,
      type: "certification.expired",
      data: {
        certificationId: recent.id,
        personId: person.id,
        email: person.email,
        courseId: "third-party-sharing",
        expiresAt: ago(2 * DAY).toISOString(),
      },
    });

    expect(await detectExpiredCertifications(db, base)).toEqual({ expired: 1, queued: 0, statements: 0 });
    expect(await detectExpiredCertifications(db, new Date(base.getTime() + HOUR))).toEqual({
      expired: 1,
      queued: 0,
      statements: 0,
    });
    expect(await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, hook.id))).toHaveLength(1);
    await deactivateWebhook(await admin(), context(), hook.id, base);
  });
});

describe("access lapses after an approval", () => {
  it("approving a blocked request says so once to each side, records no lapse, and takes effect when the requirements are met", async () => {
    const db = database.db();
    const manager = viewerOf(await createPerson(db, { roles: ["manager"], name: "Priya Blocked" }));
    const person = viewerOf(await createPerson(db, { managerId: manager.id, name: "Ana Blocked" }));
    const mailsTo = async (email: string) =>
      (await db.select().from(outbox).where(eq(outbox.toEmail, email))).filter(
        (m) => !m.dedupeKey.startsWith("access-request:"),
      );

    const { id: grantId } = await requestAccess(person, context(person.id), PII, "I answer billing tickets.", t0);
    const outcome = await decideRequest(manager, context(manager.id), grantId, { approve: true }, at(HOUR));
    expect(outcome.status).toBe("approved");
    expect(outcome.pending).toEqual([
      "course_missing:data-protection-law",
      "course_missing:support-data-handling",
      "course_missing:confidentiality-acceptable-use",
      "agreement_missing:employee-nda",
    ]);

    // The scheduler runs right after: nothing lapsed, since nothing was ever in effect.
    await detectAccessLapses(db, at(HOUR + 60_000));
    expect(await lapseEmails(grantId)).toEqual([]);
    expect((await auditFor(grantId)).map((a) => a.action)).toEqual(["access.requested", "access.granted"]);
    expect((await auditFor(grantId))[1].data).toMatchObject({ pending: outcome.pending });

    const [toPerson] = await mailsTo(person.email);
    expect((await mailsTo(person.email)).length).toBe(1);
    expect(toPerson.subject).toBe("Access approved (not yet in effect): Read customer personal data");
    const personText = toPerson.text!.replace(/\s+/g, " ");
    expect(personText).toContain("It takes effect once you have done the following");
    expect(personText).toContain("Complete the course “Data-protection law essentials”");
    expect(personText).toContain("Sign the “Employee Confidentiality Agreement”");
    expect(personText).not.toContain("You may now hold");
    const toManager = await mailsTo(manager.email);
    expect(toManager.map((m) => m.subject)).toEqual([
      "Approved, not yet in effect: Read customer personal data for Ana Blocked",
    ]);
    expect(toManager[0].text!.replace(/\s+/g, " ")).toContain("It takes effect once they have done the following");

    const [blocked] = await checkAccess(db, null, [{ user: person.id, role: PII }], at(2 * HOUR));
    expect(blocked.decision).toMatchObject({ allow: false, reasons: outcome.pending });

    // Requirements met: the access check allows at once, and the scheduler records the grant taking effect, once.
    await satisfyRole(db, person.id, PII, at(3 * HOUR));
    const [allowed] = await checkAccess(db, null, [{ user: person.id, role: PII }], at(3 * HOUR + 60_000));
    expect(allowed.decision).toMatchObject({ allow: true, reasons: [] });
    await Promise.all([detectAccessLapses(db, at(4 * HOUR)), detectAccessLapses(db, at(4 * HOUR))]);
    const audit = await auditFor(grantId);
    expect(audit.map((a) => [a.action, a.actorLabel])).toEqual([
      ["access.requested", expect.any(String)],
      ["access.granted", expect.any(String)],
      ["access.effective", "system"],
    ]);
    expect(audit[2].data).toEqual({ personId: person.id, roleId: PII, approvedAt: at(HOUR).toISOString() });
    expect((await grantRow(grantId)).lapsedAt).toBeNull();

    // From now on it is an effective grant: when it stops being effective, that is a lapse.
    await expireCourse(person.id, "support-data-handling", at(5 * HOUR));
    await detectAccessLapses(db, at(6 * HOUR));
    expect((await auditFor(grantId)).map((a) => a.action).slice(2)).toEqual(["access.effective", "access.lapsed"]);
    expect((await lapseEmails(grantId)).length).toBe(2);
  });

  it("approving a request whose requirements are met puts it in effect at once, with no approver email", async () => {
    const db = database.db();
    const manager = viewerOf(await createPerson(db, { roles: ["manager"], name: "Priya Ready" }));
    const person = viewerOf(await createPerson(db, { managerId: manager.id, name: "Ana Ready" }));
    await satisfyRole(db, person.id, PII, t0);
    const { id: grantId } = await requestAccess(person, context(person.id), PII, "I answer billing tickets.", t0);
    expect(await decideRequest(manager, context(manager.id), grantId, { approve: true }, at(HOUR))).toEqual({
      status: "approved",
      pending: [],
    });
    expect((await grantRow(grantId)).lapsedAt).toBeNull();
    const [mail] = await db
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, `access-decision:${grantId}`));
    expect(mail.subject).toBe("Access approved: Read customer personal data");
    expect(mail.text).toContain("You may now hold the Read customer personal data role.");
    expect(
      await db
        .select()
        .from(outbox)
        .where(eq(outbox.dedupeKey, `access-decision:${grantId}:approver`)),
    ).toEqual([]);
  });
});
