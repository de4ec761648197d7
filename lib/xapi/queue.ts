import "server-only";

import { eq } from "drizzle-orm";

import type { Executor } from "@/db/client";
import { people, xapiStatements } from "@/db/schema";
import { accessRole } from "@/lib/access/facts";
import { getCourse } from "@/lib/content";
import { env } from "@/lib/env";
import { courseAtVersion } from "@/lib/training/learner-course";

import { lrsConfig } from "./lrs-config";
import {
  accessChanged,
  VERBS,
  type AccessChange,
  type CourseRef,
  type Origin,
  type Person,
  type Statement,
} from "./statements";

/** Where statements point, or null when no learning record store is configured (nothing is then queued). */
export async function xapiOrigin(tx: Executor): Promise<Origin | null> {
  const config = await lrsConfig(tx);
  if (!config) return null;
  return { appUrl: env().APP_URL, actor: config.actor };
}

/**
 * Queues the statement an event makes, in the transaction of the change, so
 * it is sent exactly when the change is kept. Queuing the same event again
 * does nothing (the statement id is derived from it). Returns whether a
 * statement was queued.
 */
export async function queueStatement(
  tx: Executor,
  make: (origin: Origin) => Statement | null | Promise<Statement | null>,
  now = new Date(),
): Promise<boolean> {
  const origin = await xapiOrigin(tx);
  if (!origin) return false;
  const statement = await make(origin);
  if (!statement) return false;
  const verb = Object.entries(VERBS).find(([, v]) => v.id === statement.verb.id)?.[0] ?? "other";
  const inserted = await tx
    .insert(xapiStatements)
    .values({ id: statement.id, verb, statement, nextAttemptAt: now, createdAt: now })
    .onConflictDoNothing()
    .returning({ id: xapiStatements.id });
  return inserted.length > 0;
}

/** A person as statements name them; their e-mail is read only when statements carry it (XAPI_ACTOR=mbox). */
export async function personRef(tx: Executor, origin: Origin, id: string, email?: string | null): Promise<Person> {
  if (origin.actor !== "mbox" || email) return { id, email };
  const [row] = await tx.select({ email: people.email }).from(people).where(eq(people.id, id));
  return { id, email: row?.email ?? null };
}

/** The course as it was at the version taken: its title then, for the activity's name. */
export async function courseRef(tx: Executor, courseId: string, version: string): Promise<CourseRef> {
  const course = (await courseAtVersion(tx, courseId, version)) ?? getCourse(courseId);
  return { id: courseId, title: course?.title ?? courseId, version };
}

/** The statement of a change to who holds a data-access role; `decidedBy` is null when Clearance decided it. */
export async function queueAccessChange(
  tx: Executor,
  e: {
    change: AccessChange;
    grantId: string;
    holder: { id: string; email?: string | null };
    decidedBy: { id: string; email?: string | null } | null;
    roleId: string;
    key?: string;
  },
  now: Date,
): Promise<boolean> {
  return queueStatement(
    tx,
    async (origin) =>
      accessChanged(origin, {
        change: e.change,
        holder: await personRef(tx, origin, e.holder.id, e.holder.email),
        decidedBy: e.decidedBy ? await personRef(tx, origin, e.decidedBy.id, e.decidedBy.email) : null,
        role: { id: e.roleId, name: accessRole(e.roleId)?.name ?? e.roleId },
        grantId: e.grantId,
        key: e.key,
        at: now,
      }),
    now,
  );
}
