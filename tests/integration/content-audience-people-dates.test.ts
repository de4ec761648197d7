import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import YAML from "yaml";

import { assignments, departments } from "@/db/schema";
import { agreementsFor } from "@/lib/agreements/employee-agreements";
import type { ItemRef } from "@/lib/content/item-files";
import type { AudienceRule } from "@/lib/content/schemas";
import { overviewFromDatabase } from "@/lib/reports/overview";
import { syncAssignments } from "@/lib/training/assignments";

import { grantRole } from "../helpers/access-fixtures";
import { createPerson } from "../helpers/factories";
import { publishOwnEdit, resetToShippedContent } from "../helpers/own-content";
import { withTestDatabase } from "../helpers/test-database";
import { buildOverview, overviewFacts } from "../model/overview-reference";

/**
 * Audiences that name people, and audiences with a first and a last day, as
 * an organisation publishes them: who is assigned a course, who is asked to
 * sign an agreement, and what the overview counts as required, which must
 * match the row-by-row reference.
 */

const database = withTestDatabase();
const COURSE: ItemRef = { kind: "course", id: "data-protection-law" };
const NDA: ItemRef = { kind: "agreement", id: "employee-nda" };
const ROLE = "customer-pii-read";

// Every test starts from the shipped catalogue.
afterEach(() => resetToShippedContent(database.db()));

/** Publishes the item with its audience replaced by `rule`. */
async function publishAudience(ref: ItemRef, rule: AudienceRule, now: Date) {
  await publishOwnEdit(
    database.db(),
    ref,
    (files) => {
      if (ref.kind === "course") {
        const file = `courses/${ref.id}/course.yaml`;
        const meta = YAML.parse(files[file]) as Record<string, unknown>;
        return { ...files, [file]: YAML.stringify({ ...meta, assignTo: rule }) };
      }
      const file = `agreements/${ref.id}.md`;
      return { ...files, [file]: files[file].replace(/^signers: .*$/m, `signers: ${JSON.stringify(rule)}`) };
    },
    { now },
  );
}

async function assignedTo(personId: string) {
  const rows = await database
    .db()
    .select({ id: assignments.id })
    .from(assignments)
    .where(and(eq(assignments.personId, personId), eq(assignments.courseId, COURSE.id)));
  return rows.length;
}

describe("audiences that name people or have dates", () => {
  it("assign a course to named people and departments only between the first and the last day", async () => {
    const db = database.db();
    await db.insert(departments).values({ id: "legal", name: "Legal" }).onConflictDoNothing();
    const named = await createPerson(db, { email: "Named.Person@Example.test" });
    const lawyer = await createPerson(db, { departmentId: "legal" });
    const other = await createPerson(db);
    const published = new Date("2027-02-01T09:00:00Z");
    await publishAudience(
      COURSE,
      { people: ["named.person@example.test"], departments: ["legal"], from: "2027-03-01", until: "2027-03-31" },
      published,
    );

    // Before the first day, nobody.
    await syncAssignments(db, { now: new Date("2027-02-28T23:59:00Z") });
    expect([await assignedTo(named.id), await assignedTo(lawyer.id), await assignedTo(other.id)]).toEqual([0, 0, 0]);
    // From the first day, the named person (whatever the case of the address) and the department.
    await syncAssignments(db, { now: new Date("2027-03-01T00:00:00Z") });
    expect([await assignedTo(named.id), await assignedTo(lawyer.id), await assignedTo(other.id)]).toEqual([1, 1, 0]);

    // After the last day, nobody new; those assigned keep their assignment.
    const lateLawyer = await createPerson(db, { departmentId: "legal" });
    await syncAssignments(db, { now: new Date("2027-04-01T00:00:00Z") });
    expect(await assignedTo(lateLawyer.id)).toBe(0);
    expect(await assignedTo(lawyer.id)).toBe(1);
    // On the last day itself, the rule still applies.
    await syncAssignments(db, { now: new Date("2027-03-31T23:59:59Z") });
    expect(await assignedTo(lateLawyer.id)).toBe(1);
  });

  it("ask named people and access-role holders to sign an agreement, and the overview counts them as the reference does", async () => {
    const db = database.db();
    const named = await createPerson(db, { email: "signer@example.test" });
    const holder = await createPerson(db);
    const other = await createPerson(db);
    // After the people were recorded, so they count as in post.
    const now = new Date(Date.now() + 1000);
    await grantRole(db, holder.id, ROLE, new Date(now.getTime() - 60_000));
    await publishAudience(NDA, { people: ["signer@example.test"], accessRoles: [ROLE] }, now);
    // A course whose audience has already ended counts as required for nobody.
    await publishAudience(COURSE, { everyone: true, until: "2020-12-31" }, now);

    const asks = async (person: typeof named) =>
      (await agreementsFor(person.id, person, now)).some((i) => i.template.id === NDA.id);
    expect([await asks(named), await asks(holder), await asks(other)]).toEqual([true, true, false]);

    const overview = await overviewFromDatabase(db, now);
    expect(overview.agreements.find((a) => a.agreementId === NDA.id)?.required).toBe(2);
    expect(overview.courses.find((c) => c.courseId === COURSE.id)?.required).toBe(0);
    expect(overview).toEqual(buildOverview(await overviewFacts(db), now));
  });
});
