import { and, eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";

import { prepareDatabase } from "@/db/prepare";
import { auditEvents, courseReleases } from "@/db/schema";
import { checkAccess } from "@/lib/access/check";
import { getContent } from "@/lib/content";
import { DAY } from "@/lib/time";
import { currentReleases, recordLoadedCourseReleases } from "@/lib/training/course-releases";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { createPerson } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const ROLE = "customer-pii-read";
const COURSE = "data-protection-law";

const course = () => getContent().courses.find((c) => c.id === COURSE)!;
const original = course().version;
afterEach(() => {
  course().version = original;
});

describe("course releases", () => {
  it("a new major version loaded at start supersedes older certifications after the grace period, with no scheduler or page view", async () => {
    const db = database.db();
    const person = await createPerson(db);
    await satisfyRole(db, person.id, ROLE); // certified at major 1
    await grantRole(db, person.id, ROLE);
    await recordLoadedCourseReleases(db, new Date(Date.now() - 400 * DAY)); // the previous deploy

    // A deploy ships major 2 of the course: the process loads it and starts.
    course().version = "2.0.0";
    const before = await checkAccess(db, null, [{ user: person.id, role: ROLE }]);
    expect(before[0].decision?.allow).toBe(true);
    await prepareDatabase({ seed: false });

    const [release] = await db
      .select()
      .from(courseReleases)
      .where(and(eq(courseReleases.courseId, COURSE), eq(courseReleases.major, 2)));
    expect(release.version).toBe("2.0.0");
    const events = await db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "course.major_released"), eq(auditEvents.targetId, COURSE)));
    expect(events).toHaveLength(1);
    expect((await currentReleases(db)).get(COURSE)).toEqual(release.releasedAt);

    // Within the grace period the old certification counts, until the grace period ends; then it is superseded.
    const graceEnds = new Date(release.releasedAt.getTime() + course().graceDays * DAY);
    const [during] = await checkAccess(db, null, [{ user: person.id, role: ROLE }], new Date(graceEnds.getTime() - 1));
    expect(during.decision).toMatchObject({ allow: true, valid_until: graceEnds });
    const [after] = await checkAccess(db, null, [{ user: person.id, role: ROLE }], graceEnds);
    expect(after.decision).toEqual({ allow: false, reasons: [`course_superseded:${COURSE}`], valid_until: null });

    // Starting again changes nothing: the release keeps its first moment.
    await prepareDatabase({ seed: false });
    expect(await db.select().from(courseReleases).where(eq(courseReleases.courseId, COURSE))).toHaveLength(2);

    // Another instance already on major 3 records its release; this one, on major 2, decides by its own.
    await db.insert(courseReleases).values({
      courseId: COURSE,
      major: 3,
      version: "3.0.0",
      releasedAt: new Date(release.releasedAt.getTime() - 60 * DAY),
    });
    const [still] = await checkAccess(db, null, [{ user: person.id, role: ROLE }], new Date(graceEnds.getTime() - 1));
    expect(still.decision).toMatchObject({ allow: true, valid_until: graceEnds });
    expect((await currentReleases(db)).get(COURSE)).toEqual(release.releasedAt);
  });
});
