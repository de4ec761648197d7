import "server-only";

import { getDb, type Executor } from "@/db/client";
import { courseReleases } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { getContent } from "@/lib/content";
import { isoDate } from "@/lib/format";
import { syncCourseReleases } from "@/lib/training/course-releases";

import { toCsv } from "./csv";
import { assembleOverview, coursePlans, namedAudiences } from "./overview-aggregates";
import { overviewAggregates } from "./overview-queries";
import { overviewTable, type Overview } from "./overview.rules";

/**
 * Completion, overdue and expiring training, agreement coverage and the
 * 12-month trend, for compliance admins and auditors, counted by the database
 * (overview-queries.ts) so only small aggregates are read. Nothing is written apart from a new course release: overdue counts
 * include the assignments a sync would create already overdue, so they are
 * right even if no job has run, without syncing every assignment per view.
 */
export async function organisationOverview(viewer: Viewer, now = new Date()): Promise<Overview> {
  assertMay(viewer, "oversee", "Only compliance admins and auditors can see the organisation overview.");
  return overviewFromDatabase(await getDb(), now);
}

/** organisationOverview without the access check, for callers that made it. */
export async function overviewFromDatabase(db: Executor, now: Date): Promise<Overview> {
  const { courses, agreements } = getContent();
  const current = await syncCourseReleases(db, courses, now);
  const releases = await db
    .select({ courseId: courseReleases.courseId, major: courseReleases.major, releasedAt: courseReleases.releasedAt })
    .from(courseReleases);
  const overviewCourses = courses.map((c) => ({
    id: c.id,
    title: c.title,
    version: c.version,
    graceDays: c.graceDays,
    assignTo: c.assignTo,
  }));
  const templates = agreements
    .filter((a) => a.audience === "employee")
    .map((a) => ({ id: a.id, title: a.title, version: a.version, signers: a.signers }));
  const plans = coursePlans(overviewCourses, releases, current, now);
  const named = namedAudiences(overviewCourses, templates);
  const aggregates = await overviewAggregates(db, plans.courses, plans.steps, templates, named, now);
  return assembleOverview(aggregates, overviewCourses, plans.courses, templates, now);
}

/** The overview's tables as CSV; the export is audited. */
export async function organisationOverviewCsv(
  viewer: Viewer,
  context: AuditContext,
  now = new Date(),
): Promise<{ csv: string; filename: string }> {
  const overview = await organisationOverview(viewer, now);
  const db = await getDb();
  await recordAudit(
    db,
    context,
    { action: "overview.exported", data: { people: overview.people, rate: overview.rate } },
    now,
  );
  return { csv: toCsv(overviewTable(overview)), filename: `compliance-overview-${isoDate(now)}.csv` };
}
