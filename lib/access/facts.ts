import "server-only";
import { inArray } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { accessGrants, certifications, people, signatures } from "@/db/schema";
import { getContent } from "@/lib/content";
import type { AccessRole } from "@/lib/content/load";
import { currentReleases } from "@/lib/training/course-releases";
import { decideAccess, type CourseFacts, type Decision, type DecisionInput } from "./decide";

type PersonFacts = Pick<DecisionInput, "person" | "grants" | "certifications" | "signatures"> & { grantsByRole: Map<string, DecisionInput["grants"]> };

export function accessRoles(): AccessRole[] {
  return getContent().accessRoles;
}

export function accessRole(id: string): AccessRole | null {
  return accessRoles().find((r) => r.id === id) ?? null;
}

/**
 * Everything the decision needs for a set of people, in four set-based
 * queries whatever the number of people or roles.
 */
export async function loadDecisionFacts(db: Executor, personIds: string[]) {
  const ids = Array.from(new Set(personIds));
  const empty = { persons: new Map<string, PersonFacts>(), courses: new Map<string, CourseFacts>(), agreements: new Map<string, { id: string; version: string }>() };
  if (ids.length === 0) return empty;
  const [personRows, grantRows, certRows, sigRows, releases] = await Promise.all([
    db.select({ id: people.id, status: people.status }).from(people).where(inArray(people.id, ids)),
    db
      .select({ personId: accessGrants.personId, roleId: accessGrants.roleId, status: accessGrants.status, requestedAt: accessGrants.requestedAt, decidedAt: accessGrants.decidedAt, endsAt: accessGrants.endsAt, revokedAt: accessGrants.revokedAt })
      .from(accessGrants)
      .where(inArray(accessGrants.personId, ids)),
    db
      .select({ personId: certifications.personId, courseId: certifications.courseId, courseVersion: certifications.courseVersion, issuedAt: certifications.issuedAt, expiresAt: certifications.expiresAt })
      .from(certifications)
      .where(inArray(certifications.personId, ids)),
    db
      .select({ personId: signatures.personId, agreementId: signatures.agreementId, agreementVersion: signatures.agreementVersion, signedAt: signatures.signedAt, renewalDueAt: signatures.renewalDueAt, outcome: signatures.outcome })
      .from(signatures)
      .where(inArray(signatures.personId, ids)),
    currentReleases(db),
  ]);
  const { courses, agreements } = getContent();
  const courseFacts = new Map(courses.map((c) => [c.id, { id: c.id, version: c.version, graceDays: c.graceDays, currentMajorReleasedAt: releases.get(c.id) ?? null }]));
  const agreementFacts = new Map(agreements.map((a) => [a.id, { id: a.id, version: a.version }]));
  const persons = new Map<string, PersonFacts>();
  for (const p of personRows) persons.set(p.id, { person: { status: p.status }, grants: [], grantsByRole: new Map(), certifications: [], signatures: [] });
  for (const g of grantRows) {
    const p = persons.get(g.personId)!;
    p.grants.push(g);
    p.grantsByRole.set(g.roleId, [...(p.grantsByRole.get(g.roleId) ?? []), g]);
  }
  for (const c of certRows) persons.get(c.personId)?.certifications.push(c);
  for (const s of sigRows) if (s.personId) persons.get(s.personId)?.signatures.push(s);
  return { persons, courses: courseFacts, agreements: agreementFacts };
}

export type Facts = Awaited<ReturnType<typeof loadDecisionFacts>>;

export function decisionFor(facts: Facts, personId: string, role: AccessRole, now: Date): Decision {
  const p = facts.persons.get(personId);
  if (!p) return { allow: false, reasons: ["no_grant"], valid_until: null };
  return decideAccess({
    person: p.person,
    role,
    grants: p.grantsByRole.get(role.id) ?? [],
    certifications: p.certifications,
    signatures: p.signatures,
    courses: facts.courses,
    agreements: facts.agreements,
    now,
  });
}
