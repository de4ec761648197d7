import { describe, expect, it } from "vitest";

import { assignments, correctionRequests } from "@/db/schema";
import { requestAccess } from "@/lib/access/approvals";
import { getAgreementTemplate, getContent } from "@/lib/content";
import { myToDo } from "@/lib/dashboard/my-to-do";
import { waitingOnMe } from "@/lib/dashboard/waiting-on-me";
import { addDays } from "@/lib/time";

import { certifyCourse, grantRole, satisfyRole } from "../helpers/access-fixtures";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
// Approved by the requester's manager, and needs the employee NDA (content/access-roles.yaml).
const ROLE = "customer-pii-read";
const ROLE_NAME = "Read customer personal data";
const NDA = "/agreements/employee-nda";

async function teams() {
  const db = database.db();
  const manager = viewerOf(await createPerson(db, { name: "Priya Nair", roles: ["manager"] }));
  const otherManager = viewerOf(await createPerson(db, { name: "Isabel Costa", roles: ["manager"] }));
  const employee = viewerOf(await createPerson(db, { name: "Ana Silva", managerId: manager.id }));
  const otherReport = viewerOf(await createPerson(db, { name: "Mei Chen", managerId: otherManager.id }));
  return { manager, otherManager, employee, otherReport };
}

describe("the dashboard's to-do list", () => {
  it("shows the unsigned agreement that blocks a requested role, with the role it unlocks, and drops it once signed", async () => {
    const { employee } = await teams();
    const before = await myToDo(employee);
    const nda = before.items.find((i) => i.href === NDA)!;
    expect(nda).toMatchObject({ kind: "agreement", unlocks: [], status: "To sign" });
    expect(nda.title).toBe(`Sign the “${getAgreementTemplate("employee-nda")!.title}”`);

    await requestAccess(employee, context(employee.id), ROLE, "I answer tickets with customer data.");
    const requested = await myToDo(employee);
    const blocking = requested.items.find((i) => i.href === NDA)!;
    expect(blocking).toMatchObject({ unlocks: [ROLE_NAME], urgency: "soon", blocksGranted: false });
    // What the role needs that was not otherwise on the list (a course not assigned to everyone) is added, once each.
    const hrefs = requested.items.map((i) => i.href);
    expect(new Set(hrefs).size).toBe(hrefs.length);
    expect(requested.items.filter((i) => i.unlocks.includes(ROLE_NAME)).length).toBeGreaterThan(1);

    await satisfyRole(database.db(), employee.id, ROLE);
    const done = await myToDo(employee);
    expect(done.items.find((i) => i.href === NDA)).toBeUndefined();
    expect(done.items.some((i) => i.unlocks.includes(ROLE_NAME))).toBe(false);
  });

  it("puts what blocks a granted role first, as overdue, and orders the rest overdue, soon, later", async () => {
    const { employee } = await teams();
    const now = new Date();
    await grantRole(database.db(), employee.id, ROLE, addDays(now, -1));
    await database
      .db()
      .insert(assignments)
      .values({
        personId: employee.id,
        courseId: "incident-reporting",
        source: "manual",
        assignedAt: addDays(now, -30),
        dueAt: addDays(now, -2),
      });
    const { items } = await myToDo(employee, now);
    const nda = items.find((i) => i.href === NDA)!;
    expect(nda).toMatchObject({ urgency: "overdue", blocksGranted: true, unlocks: [ROLE_NAME] });
    expect(items[0].blocksGranted).toBe(true);
    expect(items.find((i) => i.href === "/courses/incident-reporting")).toMatchObject({
      urgency: "overdue",
      status: "Overdue",
    });
    const rank = { overdue: 0, soon: 1, later: 2 };
    const ranks = items.map((i) => rank[i.urgency]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it("is only the viewer's own: another person's request and signatures change nothing", async () => {
    const { employee, otherReport } = await teams();
    const mine = await myToDo(employee);
    await requestAccess(otherReport, context(otherReport.id), ROLE, "I need it for tickets.");
    await satisfyRole(database.db(), otherReport.id, ROLE);
    expect(await myToDo(employee)).toEqual({ ...mine, items: mine.items });
  });

  it("with nothing to do says when the next thing falls due", async () => {
    const { employee } = await teams();
    const db = database.db();
    // Everything satisfied: every role's requirements, hence every course and agreement.
    for (const role of ["customer-pii-read", "customer-data-export", "support-remote-session", "partner-data-exchange"])
      await satisfyRole(db, employee.id, role);
    await satisfyRole(db, employee.id, "payment-data-admin");
    await satisfyRole(db, employee.id, "backup-restore-operator");
    // And the courses no role needs but everyone (or their department) must take.
    for (const course of getContent().courses) await certifyCourse(db, employee.id, course.id);
    const { items, next } = await myToDo(employee);
    expect(items).toEqual([]);
    expect(next?.at.getTime()).toBeGreaterThan(Date.now());
  });
});

describe("what waits for the viewer", () => {
  it("shows a manager their reports' requests and overdue people, and never another team's", async () => {
    const { manager, otherManager, employee, otherReport } = await teams();
    const db = database.db();
    await requestAccess(employee, context(employee.id), ROLE, "I answer tickets with customer data.");
    await requestAccess(otherReport, context(otherReport.id), ROLE, "I need it for tickets.");
    const now = new Date();
    for (const person of [employee, otherReport])
      await db.insert(assignments).values({
        personId: person.id,
        courseId: "incident-reporting",
        source: "manual",
        assignedAt: addDays(now, -30),
        dueAt: addDays(now, -3),
      });

    const mine = await waitingOnMe(manager, now);
    expect(mine.approvals?.total).toBe(1);
    expect(mine.approvals?.oldest.map((r) => [r.name, r.roleName])).toEqual([["Ana Silva", ROLE_NAME]]);
    expect(mine.team?.overduePeople).toBe(1);
    expect(mine.team?.people.map((p) => [p.name, p.overdue])).toEqual([["Ana Silva", 1]]);
    expect(mine.admin).toBeNull();

    const theirs = await waitingOnMe(otherManager, now);
    expect(theirs.approvals?.oldest.map((r) => r.name)).toEqual(["Mei Chen"]);
    expect(theirs.team?.people.map((p) => p.name)).toEqual(["Mei Chen"]);

    // An employee decides nothing and leads nobody.
    expect(await waitingOnMe(employee, now)).toEqual({ approvals: null, team: null, admin: null });
  });

  it("shows compliance admins every request and the organisation's open corrections", async () => {
    const { employee, otherReport } = await teams();
    const db = database.db();
    const admin = viewerOf(await createPerson(db, { name: "Carmen Díaz", roles: ["compliance_admin"] }));
    // The database is shared by this file's tests: count what this test adds.
    const before = await waitingOnMe(admin);
    await requestAccess(employee, context(employee.id), ROLE, "I answer tickets with customer data.");
    await requestAccess(
      otherReport,
      context(otherReport.id),
      "customer-data-export",
      "Access requests from customers.",
    );
    await db
      .insert(correctionRequests)
      .values({ personId: employee.id, field: "name", requestedValue: "Ana Sílva", createdAt: new Date() });
    const waiting = await waitingOnMe(admin);
    expect(waiting.approvals!.total - before.approvals!.total).toBe(2);
    expect(waiting.admin!.openCorrections - before.admin!.openCorrections).toBe(1);
    expect(waiting.admin!.importsReady).toBe(before.admin!.importsReady);
    expect(waiting.team).toBeNull();
  });
});
