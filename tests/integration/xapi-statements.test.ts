import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";

import { certifications, xapiStatements } from "@/db/schema";
import { decideRequest, requestAccess, revokeGrant } from "@/lib/access/approvals";
import { detectAccessLapses, detectExpiredCertifications } from "@/lib/access/lapses";
import { markRead, openSigning, signAsEmployee } from "@/lib/agreements/employee-agreements";
import { getCourse } from "@/lib/content";
import { attachPackage, createItem, submitDraft } from "@/lib/content/authoring";
import type { ItemRef } from "@/lib/content/item-files";
import { itemVersions } from "@/lib/content/versions";
import { deliverDue, MAX_ATTEMPTS, RETRY_DELAYS_MS } from "@/lib/outbox/worker";
import { commitSco, startPackageRun } from "@/lib/scorm/runs";
import { DAY, HOUR } from "@/lib/time";
import { startAttempt, submitAttempt } from "@/lib/training/attempts";
import { completeLesson } from "@/lib/training/lesson-progress";
import { lrsChannel } from "@/lib/xapi/lrs-channel";
import { VERBS } from "@/lib/xapi/statements";

import { satisfyRole } from "../helpers/access-fixtures";
import { consentToSign } from "../helpers/consent";
import { setEnv } from "../helpers/env";
import { context, createPerson, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { startLrsStub, statementProblems, type LrsStub } from "../helpers/lrs-stub";
import { resetToShippedContent } from "../helpers/own-content";
import { answersFor } from "../helpers/quiz-answers";
import { cleanDeskPackage, cmi12 } from "../helpers/scorm-fixtures";
import { withTestDatabase } from "../helpers/test-database";

/**
 * xAPI out: with a learning record store configured, what people do in
 * Clearance reaches it as xAPI 1.0.3 statements, queued with the change,
 * sent by the outbox worker, checked by a real HTTP LRS against the
 * specification's rules, retried while it fails, and stored once however
 * often a statement is sent.
 */

const database = withTestDatabase();
const COURSE = "incident-reporting";
const AGREEMENT = "acceptable-use-attestation";
const ROLE = "customer-pii-read";
let lrs: LrsStub;

beforeEach(async () => {
  await database.db().delete(xapiStatements);
  lrs = await startLrsStub();
  setEnv({ XAPI_LRS_URL: lrs.url, XAPI_LRS_USERNAME: lrs.username, XAPI_LRS_PASSWORD: lrs.password });
});
afterEach(() => lrs.close());
afterAll(() =>
  setEnv({
    XAPI_LRS_URL: undefined,
    XAPI_LRS_USERNAME: undefined,
    XAPI_LRS_PASSWORD: undefined,
    XAPI_ACTOR: undefined,
  }),
);

const send = (now = new Date()) => deliverDue(lrsChannel({ timeoutMs: 2_000 }), { now });
const queued = () => database.db().select().from(xapiStatements).orderBy(xapiStatements.createdAt);
const sentStatements = () => [...lrs.stored.values()];
const verbsSent = () => sentStatements().map((s) => (s.verb as { id: string }).id);

async function learner(name = "Léa Dubois", managerId?: string) {
  return viewerOf(await createPerson(database.db(), { name, managerId }));
}

async function passCourse(viewer: ReturnType<typeof viewerOf>, failFirst = false) {
  for (const lesson of getCourse(COURSE)!.lessons) await completeLesson(viewer, COURSE, lesson.slug);
  if (failFirst) {
    const { attemptId } = await startAttempt(viewer, COURSE);
    await submitAttempt(viewer, context(viewer.id), attemptId, await answersFor(database.db(), attemptId, false));
  }
  const { attemptId } = await startAttempt(viewer, COURSE);
  await submitAttempt(viewer, context(viewer.id), attemptId, await answersFor(database.db(), attemptId, true));
  return attemptId;
}

async function sign(viewer: ReturnType<typeof viewerOf>) {
  const ctx = { ...context(viewer.id), ip: "203.0.113.8", userAgent: "vitest" };
  const opened = await openSigning(viewer, AGREEMENT, ctx.ip);
  await consentToSign(viewer, ctx, AGREEMENT, opened.ceremony.id);
  await markRead(viewer, AGREEMENT, opened.ceremony.id);
  return signAsEmployee(viewer, ctx, {
    agreementId: AGREEMENT,
    ceremonyId: opened.ceremony.id,
    password: TEST_PASSWORD,
    typedName: viewer.name,
  });
}

describe("xAPI statements to a learning record store", () => {
  it("sends lessons, attempts, results, certifications, signatures and access changes as valid xAPI 1.0.3", async () => {
    const db = database.db();
    const manager = viewerOf(await createPerson(db, { name: "Priya Manager", roles: ["manager"] }));
    const viewer = await learner("Léa Dubois", manager.id);
    const passedAttempt = await passCourse(viewer, true);
    await sign(viewer);
    await satisfyRole(db, viewer.id, ROLE);
    const grant = await requestAccess(viewer, context(viewer.id), ROLE, "I answer support tickets.");
    await decideRequest(manager, context(manager.id), grant.id, { approve: true });
    await revokeGrant(manager, context(manager.id), grant.id, "moved team");

    const lessons = getCourse(COURSE)!.lessons.length;
    expect((await queued()).every((r) => r.status === "queued")).toBe(true);
    expect(await send()).toMatchObject({ sent: lessons + 2 + 2 + 1 + 1 + 2, retried: 0, failed: 0 });
    expect(lrs.requests.every((r) => r.status === 204)).toBe(true);
    expect((await queued()).every((r) => r.status === "sent" && r.lastStatusCode === 204)).toBe(true);

    const verbs = verbsSent();
    expect(verbs.filter((v) => v === VERBS.completed.id)).toHaveLength(lessons);
    expect(verbs.filter((v) => v === VERBS.attempted.id)).toHaveLength(2);
    expect(verbs.filter((v) => v === VERBS.failed.id)).toHaveLength(1);
    expect(verbs.filter((v) => v === VERBS.passed.id)).toHaveLength(1);
    expect(verbs.filter((v) => v === VERBS.earned.id)).toHaveLength(1);
    expect(verbs.filter((v) => v === VERBS.agreed.id)).toHaveLength(1);
    expect(verbs.filter((v) => v === VERBS.authorized.id)).toHaveLength(1);
    expect(verbs.filter((v) => v === VERBS.retracted.id)).toHaveLength(1);

    // The learner is an account on the organisation's Clearance: no name, no e-mail address.
    const home = new URL("/", process.env.APP_URL ?? "http://localhost:3000").toString();
    const passed = sentStatements().find((s) => (s.verb as { id: string }).id === VERBS.passed.id)!;
    expect(passed).toMatchObject({
      actor: { objectType: "Agent", account: { homePage: home, name: viewer.id } },
      object: {
        id: `${home}courses/${COURSE}/quiz`,
        definition: { type: "http://adlnet.gov/expapi/activities/assessment" },
      },
      result: { success: true, completion: true, score: { scaled: 1, raw: 100, min: 0, max: 100 } },
      context: { registration: passedAttempt },
    });
    expect((passed.result as { duration: string }).duration).toMatch(/^PT/);
    const everything = JSON.stringify(sentStatements());
    expect(everything).not.toContain(viewer.email);
    expect(everything).not.toContain("Léa");

    // The approver authorized the holder, for the role named in the context.
    const authorized = sentStatements().find((s) => (s.verb as { id: string }).id === VERBS.authorized.id)!;
    expect(authorized).toMatchObject({
      actor: { account: { name: manager.id } },
      object: { objectType: "Agent", account: { name: viewer.id } },
      context: { contextActivities: { other: [{ id: `${home}access/roles/${ROLE}` }] } },
    });
  });

  it("sends a lapse and its restore, and an expired certification, once however often the scheduler runs", async () => {
    const db = database.db();
    const manager = viewerOf(await createPerson(db, { name: "Mo Manager", roles: ["manager"] }));
    const person = await createPerson(db, { name: "Ana Lapse", managerId: manager.id });
    const t0 = new Date(Date.now() - 10 * DAY);
    await satisfyRole(db, person.id, ROLE, t0);
    const grant = await requestAccess(viewerOf(person), context(person.id), ROLE, "Support.", t0);
    await decideRequest(manager, context(manager.id), grant.id, { approve: true }, t0);
    await db
      .update(certifications)
      .set({ expiresAt: new Date(Date.now() - DAY) })
      .where(eq(certifications.personId, person.id));
    const now = new Date();
    await detectAccessLapses(db, now);
    await detectAccessLapses(db, new Date(now.getTime() + HOUR));
    expect(await detectExpiredCertifications(db, now)).toMatchObject({ statements: 3 });
    expect(await detectExpiredCertifications(db, new Date(now.getTime() + HOUR))).toMatchObject({ statements: 0 });
    await send(now);
    const verbs = verbsSent();
    expect(verbs.filter((v) => v === VERBS.retracted.id)).toHaveLength(1);
    expect(verbs.filter((v) => v === VERBS.expired.id)).toHaveLength(3);
    const lapse = sentStatements().find((s) => (s.verb as { id: string }).id === VERBS.retracted.id)!;
    expect(lapse.actor).toMatchObject({ name: "Clearance", account: { name: "system" } });
    expect(lrs.requests.every((r) => r.status === 204)).toBe(true);
  });

  it("sends a SCORM package run as attempted, then passed with the package's score and time, once for 30 commits", async () => {
    const db = database.db();
    const author = viewerOf(await createPerson(db, { name: "Content Admin", roles: ["compliance_admin"] }));
    const ref: ItemRef = { kind: "course", id: "clean-desk" };
    await createItem(db, author, context(author.id), ref, "Clean desk");
    await attachPackage(db, author, ref, cleanDeskPackage("1.2"));
    const draft = (await itemVersions(db, author, ref)).find((v) => v.state === "draft")!;
    await submitDraft(db, author, context(author.id), { draftId: draft.id, change: "major" });
    try {
      const viewer = await learner("Pat Package");
      const { attemptId } = await startPackageRun(viewer, "clean-desk");
      const values = cmi12({
        "cmi.core.lesson_status": "completed",
        "cmi.core.score.raw": "90",
        "cmi.core.session_time": "00:02:00",
      });
      await Promise.all(
        Array.from({ length: 30 }, () =>
          commitSco(viewer, context(viewer.id), { attemptId, sco: "desk", values, terminate: true }),
        ),
      );
      await send();
      const verbs = verbsSent();
      expect(verbs.filter((v) => v === VERBS.attempted.id)).toHaveLength(1);
      expect(verbs.filter((v) => v === VERBS.earned.id)).toHaveLength(1);
      const passed = sentStatements().filter((st) => (st.verb as { id: string }).id === VERBS.passed.id);
      expect(passed).toHaveLength(1);
      expect(passed[0]).toMatchObject({
        result: { success: true, score: { raw: 90, scaled: 0.9 }, duration: "PT2M" },
        context: { registration: attemptId },
      });
      expect(lrs.requests.every((r) => r.status === 204)).toBe(true);
    } finally {
      await resetToShippedContent(db);
    }
  });

  it("queues one statement per event: a lesson completed twice, an attempt submitted twice", async () => {
    const viewer = await learner();
    const slug = getCourse(COURSE)!.lessons[0].slug;
    await completeLesson(viewer, COURSE, slug);
    await completeLesson(viewer, COURSE, slug, new Date(Date.now() + HOUR));
    const [row] = await queued();
    expect(await queued()).toHaveLength(1);
    expect((row.statement as { timestamp: string }).timestamp).toBe((row.createdAt as Date).toISOString());
    expect(row.id).toBe((row.statement as { id: string }).id);
  });

  it("a statement sent again after a lost answer is stored once; 30 workers at once send each statement once", async () => {
    const viewer = await learner();
    for (const lesson of getCourse(COURSE)!.lessons) await completeLesson(viewer, COURSE, lesson.slug);
    const total = (await queued()).length;
    const results = await Promise.all(Array.from({ length: 30 }, () => send()));
    expect(results.reduce((n, r) => n + r.sent, 0)).toBe(total);
    expect(lrs.requests).toHaveLength(total);

    // The LRS stored it but its answer was lost: the worker sends the same statement again.
    await database.db().update(xapiStatements).set({ status: "queued" });
    expect((await send()).sent).toBe(total);
    expect(lrs.requests.slice(total).every((r) => r.status === 204)).toBe(true);
    expect(lrs.stored.size).toBe(total);
  });

  it("retries on the backoff while the LRS is down or drops the connection, and says why, without the credentials", async () => {
    const viewer = await learner();
    await completeLesson(viewer, COURSE, getCourse(COURSE)!.lessons[0].slug);
    const t0 = new Date(Date.now() + 1000);

    lrs.mode("unavailable");
    expect(await send(t0)).toMatchObject({ sent: 0, retried: 1 });
    let [row] = await queued();
    expect(row).toMatchObject({ status: "queued", attempts: 1, lastStatusCode: 503 });
    expect(row.lastError).toBe("HTTP 503: the LRS did not store the statement");
    expect(row.nextAttemptAt.getTime()).toBe(t0.getTime() + RETRY_DELAYS_MS[0]);
    // Not due yet: nothing is sent.
    expect((await send(new Date(t0.getTime() + 1000))).retried).toBe(0);

    lrs.mode("drop");
    const t1 = new Date(t0.getTime() + RETRY_DELAYS_MS[0]);
    expect(await send(t1)).toMatchObject({ retried: 1 });
    [row] = await queued();
    expect(row).toMatchObject({ attempts: 2, lastStatusCode: null });
    expect(row.lastError).toMatch(/^connection (reset|closed)|^request failed/);

    lrs.mode("ok");
    expect(await send(new Date(t1.getTime() + RETRY_DELAYS_MS[1]))).toMatchObject({ sent: 1 });
    [row] = await queued();
    expect(row).toMatchObject({ status: "sent", lastError: null, lastStatusCode: 204 });
    expect(lrs.stored.size).toBe(1);

    // Wrong credentials: refused, retried, and the reason names the settings, never the secret.
    setEnv({ XAPI_LRS_PASSWORD: "not-the-secret" });
    await completeLesson(viewer, COURSE, getCourse(COURSE)!.lessons[1].slug);
    expect(await send()).toMatchObject({ retried: 1 });
    const refused = (await queued()).find((r) => r.status === "queued")!;
    expect(refused.lastStatusCode).toBe(401);
    expect(refused.lastError).toContain("XAPI_LRS_USERNAME");
    expect(refused.lastError).not.toContain("not-the-secret");
    expect(MAX_ATTEMPTS).toBeGreaterThan(1);
  });

  it("names people by e-mail only when XAPI_ACTOR=mbox, and queues nothing without an LRS", async () => {
    setEnv({ XAPI_ACTOR: "mbox" });
    const viewer = await learner("Mia Mbox");
    await completeLesson(viewer, COURSE, getCourse(COURSE)!.lessons[0].slug);
    await send();
    expect(sentStatements()[0].actor).toEqual({ objectType: "Agent", mbox: `mailto:${viewer.email}` });

    setEnv({ XAPI_ACTOR: undefined, XAPI_LRS_URL: undefined });
    await completeLesson(viewer, COURSE, getCourse(COURSE)!.lessons[1].slug);
    expect(await queued()).toHaveLength(1);
  });
});

describe("the LRS's statement rules", () => {
  const valid = {
    id: "0b3f1c2e-8a4d-5f6b-9c7d-1e2f3a4b5c6d",
    actor: { objectType: "Agent", account: { homePage: "https://clearance.example/", name: "p1" } },
    verb: { id: "http://adlnet.gov/expapi/verbs/completed", display: { "en-US": "completed" } },
    object: { objectType: "Activity", id: "https://clearance.example/courses/x" },
    result: { duration: "PT1M30S", score: { scaled: 0.5, raw: 50, min: 0, max: 100 } },
    context: { platform: "Clearance", registration: "0b3f1c2e-8a4d-4f6b-9c7d-1e2f3a4b5c6d" },
    timestamp: "2026-12-07T10:00:00.000Z",
  };

  it("accepts a well-formed statement and names each broken rule", () => {
    expect(statementProblems(valid)).toEqual([]);
    const broken = (patch: object) => statementProblems({ ...valid, ...patch });
    expect(broken({ id: "not-a-uuid" })).toEqual(["id: not a UUID"]);
    expect(broken({ actor: { mbox: "mailto:a@b.example", account: valid.actor.account } })[0]).toMatch(
      /not exactly one/,
    );
    expect(broken({ verb: { id: "completed" } })).toEqual(["verb.id: not an IRI"]);
    expect(broken({ result: { duration: "90 seconds" } })).toEqual(["result.duration: not an ISO 8601 duration"]);
    expect(broken({ result: { score: { scaled: 2 } } })).toEqual(["result.score.scaled: outside -1..1"]);
    expect(broken({ timestamp: "2026-12-07 10:00" })[0]).toMatch(/timestamp/);
    expect(broken({ object: valid.actor })).toEqual(["context.platform: only allowed when the object is an activity"]);
    expect(broken({ context: { language: null } })).toEqual([
      "statement.context.language: null",
      "context.language: not an RFC 5646 language tag",
    ]);
    expect(broken({ grade: "A" })).toEqual(["statement.grade: not a property xAPI defines"]);
  });
});
