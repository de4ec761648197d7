import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { auditEvents, correctionRequests, departments } from "@/db/schema";
import { FieldError, NotFoundError } from "@/lib/errors";
import { applyCorrection } from "@/lib/privacy/apply-correction";
import { requestCorrection, resolveCorrection } from "@/lib/privacy/preferences";

import { context, createPerson, reload, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();

async function setUp(field: "name" | "department" | "title" | "manager" | "other", requestedValue: string) {
  const db = database.db();
  const admin = viewerOf(await createPerson(db, { name: "Ada Admin", roles: ["compliance_admin"] }));
  const person = await createPerson(db, { name: "Pat Person" });
  const request = await requestCorrection(viewerOf(person), context(person.id), { field, requestedValue });
  return { db, admin, person, request };
}

async function eventsFor(personId: string) {
  return database
    .db()
    .select({ action: auditEvents.action, data: auditEvents.data })
    .from(auditEvents)
    .where(eq(auditEvents.targetId, personId));
}

async function statusOf(id: string) {
  const [row] = await database
    .db()
    .select({ status: correctionRequests.status, resolution: correctionRequests.resolution })
    .from(correctionRequests)
    .where(eq(correctionRequests.id, id));
  return row;
}

describe("apply correction", () => {
  it("changes the record and resolves the request together, auditing both", async () => {
    const { admin, person, request } = await setUp("title", "Support Lead");
    const result = await applyCorrection(admin, context(admin.id), {
      id: request.id,
      value: "Senior Support Lead",
      resolution: "Checked with HR.",
    });
    expect(result.changed).toEqual(["title"]);
    expect((await reload(database.db(), person.id)).title).toBe("Senior Support Lead");
    expect(await statusOf(request.id)).toEqual({ status: "resolved", resolution: "Checked with HR." });
    const events = await eventsFor(person.id);
    expect(events).toContainEqual({
      action: "person.updated",
      data: { changes: { title: { from: null, to: "Senior Support Lead" } } },
    });
    expect(events).toContainEqual({ action: "privacy.correction_resolved", data: { requestId: request.id } });
  });

  it("moves a person to a known department and refuses an unknown one beside the field, changing nothing", async () => {
    const { db, admin, person, request } = await setUp("department", "Finance");
    await db.insert(departments).values({ id: "finance", name: "Finance" });
    const before = await eventsFor(person.id);
    const refused = await applyCorrection(admin, context(admin.id), {
      id: request.id,
      value: "nowhere",
      resolution: "",
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FieldError);
    expect(refused).toMatchObject({ field: "value", message: "Choose a department from the list." });
    expect(await statusOf(request.id)).toMatchObject({ status: "open" });
    expect((await reload(db, person.id)).departmentId).toBe("support");
    expect(await eventsFor(person.id)).toEqual(before);

    await applyCorrection(admin, context(admin.id), { id: request.id, value: "finance", resolution: "" });
    expect((await reload(db, person.id)).departmentId).toBe("finance");
    expect(await statusOf(request.id)).toEqual({ status: "resolved", resolution: null });
  });

  it("refuses an invalid or unknown manager email and an empty name with the person form's messages", async () => {
    const manager = await setUp("manager", "boss");
    for (const [value, message] of [
      ["not an email", "Enter the manager's email address, or leave the field empty."],
      ["nobody@test.example", "No one has this email address. Add the manager first."],
    ]) {
      await expect(
        applyCorrection(manager.admin, context(manager.admin.id), { id: manager.request.id, value, resolution: "" }),
      ).rejects.toMatchObject({ field: "value", message });
    }
    expect(await statusOf(manager.request.id)).toMatchObject({ status: "open" });
    expect((await reload(manager.db, manager.person.id)).managerId).toBeNull();
    await applyCorrection(manager.admin, context(manager.admin.id), {
      id: manager.request.id,
      value: ` ${manager.admin.email.toUpperCase()} `,
      resolution: "",
    });
    expect((await reload(manager.db, manager.person.id)).managerId).toBe(manager.admin.id);

    const name = await setUp("name", "Patricia Person");
    await expect(
      applyCorrection(name.admin, context(name.admin.id), { id: name.request.id, value: "  ", resolution: "" }),
    ).rejects.toMatchObject({ field: "value", message: "Enter the person's full name." });
    expect((await reload(name.db, name.person.id)).name).toBe("Pat Person");
  });

  it("changes the person once and resolves the request once when applied 30 times at once", async () => {
    const { admin, person, request } = await setUp("name", "Patricia Person");
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        applyCorrection(admin, context(admin.id), { id: request.id, value: `Patricia Person ${i}`, resolution: "" }),
      ),
    );
    const applied = results.filter((r) => r.status === "fulfilled");
    expect(applied).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(NotFoundError);
    const events = await eventsFor(person.id);
    expect(events.filter((e) => e.action === "person.updated")).toHaveLength(1);
    expect(events.filter((e) => e.action === "privacy.correction_resolved")).toHaveLength(1);
    expect((await reload(database.db(), person.id)).name).toMatch(/^Patricia Person \d+$/);
  });

  it("leaves rejecting possible, and refuses a request that is closed, one's own, or names no field", async () => {
    const rejected = await setUp("title", "Chief Everything");
    await resolveCorrection(rejected.admin, context(rejected.admin.id), rejected.request.id, "rejected", "No.");
    await expect(
      applyCorrection(rejected.admin, context(rejected.admin.id), {
        id: rejected.request.id,
        value: "Chief Everything",
        resolution: "",
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await reload(rejected.db, rejected.person.id)).title).toBeNull();

    const own = await requestCorrection(rejected.admin, context(rejected.admin.id), {
      field: "title",
      requestedValue: "Boss",
    });
    await expect(
      applyCorrection(rejected.admin, context(rejected.admin.id), { id: own.id, value: "Boss", resolution: "" }),
    ).rejects.toMatchObject({ code: "own_request" });
    expect(await statusOf(own.id)).toMatchObject({ status: "open" });

    const other = await setUp("other", "My start date is wrong");
    await expect(
      applyCorrection(other.admin, context(other.admin.id), { id: other.request.id, value: "x", resolution: "" }),
    ).rejects.toMatchObject({ code: "not_applicable" });
    expect(await statusOf(other.request.id)).toMatchObject({ status: "open" });
  });
});
