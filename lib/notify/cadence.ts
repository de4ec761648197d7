import "server-only";

import { eq } from "drizzle-orm";

import { getDb } from "@/db/client";
import { organisationSettings, people, type EmailCadence } from "@/db/schema";
import { recordAudit, type AuditContext } from "@/lib/audit/record";
import { assertMay } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { updatePreferences } from "@/lib/privacy/preferences";

import { organisationCadence } from "./digests";

/** The viewer's own cadence choice (null: the organisation's default) and that default. */
export async function myEmailCadence(
  viewer: Viewer,
): Promise<{ choice: EmailCadence | null; organisationDefault: EmailCadence }> {
  const db = await getDb();
  const [row] = await db.select({ choice: people.reminderDigest }).from(people).where(eq(people.id, viewer.id));
  return { choice: row?.choice ?? null, organisationDefault: await organisationCadence(db) };
}

/** The organisation's default cadence, for the admin screen. */
export async function defaultEmailCadence(viewer: Viewer): Promise<EmailCadence> {
  assertMay(viewer, "administer");
  return organisationCadence(await getDb());
}

/** Sets how often the viewer hears about routine notifications; null follows the organisation's default. */
export async function setMyEmailCadence(
  viewer: Viewer,
  context: AuditContext,
  choice: EmailCadence | null,
  now = new Date(),
): Promise<void> {
  await updatePreferences(viewer, context, { reminderDigest: choice }, now);
}

/** The organisation's default cadence of routine notifications; compliance admins only. */
export async function setOrganisationCadence(
  viewer: Viewer,
  context: AuditContext,
  cadence: EmailCadence,
  now = new Date(),
): Promise<void> {
  assertMay(viewer, "administer");
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.insert(organisationSettings).values({ id: 1, updatedAt: now }).onConflictDoNothing();
    const [before] = await tx
      .select({ cadence: organisationSettings.emailCadence })
      .from(organisationSettings)
      .where(eq(organisationSettings.id, 1))
      .for("update");
    if (before.cadence === cadence) return;
    await tx
      .update(organisationSettings)
      .set({ emailCadence: cadence, updatedBy: viewer.id, updatedAt: now })
      .where(eq(organisationSettings.id, 1));
    await recordAudit(
      tx,
      context,
      {
        action: "organisation.email_cadence_changed",
        targetType: "organisation",
        targetId: "1",
        data: { from: before.cadence, to: cadence },
      },
      now,
    );
  });
}
