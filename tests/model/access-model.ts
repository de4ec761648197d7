/**
 * A reference model of the access decision, written from the rule in
 * docs/access-decisions.md and sharing no code with
 * lib/access/. It is deliberately plain: loops over every record, no
 * shortcuts, times as milliseconds. The property test compares it with
 * decideAccess over facts read from a real database.
 */

export type ModelGrant = {
  status: "requested" | "approved" | "denied" | "revoked";
  decidedAt: number | null;
  endsAt: number | null;
  revokedAt: number | null;
};
export type ModelCertification = { courseId: string; version: string; issuedAt: number; expiresAt: number };
export type ModelSignature = {
  agreementId: string;
  version: string;
  outcome: "signed" | "declined";
  signedAt: number;
  renewalDueAt: number | null;
};
export type ModelRelease = { courseId: string; major: number; releasedAt: number };

export type ModelWorld = {
  courses: Record<string, { version: string; graceDays: number }>;
  agreements: Record<string, { version: string }>;
  releases: ModelRelease[];
};

export type ModelPerson = {
  status: "active" | "suspended" | "departed";
  grants: Record<string, ModelGrant[]>;
  certifications: ModelCertification[];
  signatures: ModelSignature[];
};

export type ModelAnswer = { allow: boolean; reasons: string[]; validUntil: number | null; grantEndsAt: number | null };

const DAY = 86_400_000;

/** The major version: the number before the first dot. */
function major(version: string): number {
  const digits = /^(\d+)/.exec(version);
  return digits ? Number(digits[1]) : NaN;
}

/** A grant and the role's revocations as of `t`. */
function grantAt(
  grants: ModelGrant[],
  t: number,
): { counts: ModelGrant[]; approvedSinceRevocation: boolean; revoked: boolean } {
  // Moments at which a revocation of this role had happened by t.
  const revocations: number[] = [];
  for (const g of grants) {
    if (g.status !== "revoked" || g.decidedAt === null || g.decidedAt > t) continue;
    const when = g.revokedAt ?? g.decidedAt;
    if (when <= t) revocations.push(when);
  }
  const latestRevocation = revocations.length ? Math.max(...revocations) : null;
  const counts: ModelGrant[] = [];
  let approvedSinceRevocation = false;
  for (const g of grants) {
    if (g.status !== "approved" && g.status !== "revoked") continue;
    if (g.decidedAt === null || g.decidedAt > t) continue; // not approved yet
    if (g.status === "revoked" && (g.revokedAt ?? g.decidedAt) <= t) continue; // itself revoked by then
    if (latestRevocation !== null && g.decidedAt <= latestRevocation) continue; // ended by a later revocation of the role
    approvedSinceRevocation = true;
    if (g.endsAt === null || t < g.endsAt) counts.push(g);
  }
  return { counts, approvedSinceRevocation, revoked: latestRevocation !== null };
}

/** Until when a certification counts: its expiry, or the end of the grace period once a newer major of its course was released. */
function certificationCountsUntil(c: ModelCertification, world: ModelWorld): number {
  const course = world.courses[c.courseId];
  const current = major(course.version);
  const release = world.releases.find((r) => r.courseId === c.courseId && r.major === current);
  if (major(c.version) < current && release) return Math.min(c.expiresAt, release.releasedAt + course.graceDays * DAY);
  return c.expiresAt;
}

function graceOverFor(c: ModelCertification, world: ModelWorld, t: number): boolean {
  const course = world.courses[c.courseId];
  const current = major(course.version);
  const release = world.releases.find((r) => r.courseId === c.courseId && r.major === current);
  return major(c.version) < current && release !== undefined && t >= release.releasedAt + course.graceDays * DAY;
}

export function modelDecision(
  world: ModelWorld,
  person: ModelPerson,
  role: { id: string; courses: string[]; agreements: string[] },
  t: number,
): ModelAnswer {
  const reasons: string[] = [];
  const limits: number[] = [];

  if (person.status !== "active") reasons.push("account_inactive");

  const grant = grantAt(person.grants[role.id] ?? [], t);
  let grantEndsAt: number | null = null;
  if (grant.counts.length) {
    // The grant in effect is the one that lasts longest; one without an end lasts longest of all.
    const open = grant.counts.filter((g) => g.endsAt === null);
    if (!open.length) {
      grantEndsAt = Math.max(...grant.counts.map((g) => g.endsAt!));
      limits.push(grantEndsAt);
    }
  } else if (grant.approvedSinceRevocation) reasons.push("grant_ended");
  else if (grant.revoked) reasons.push("grant_revoked");
  else reasons.push("no_grant");

  for (const courseId of role.courses) {
    if (!world.courses[courseId]) {
      reasons.push(`course_missing:${courseId}`);
      continue;
    }
    const issued = person.certifications.filter((c) => c.courseId === courseId && c.issuedAt <= t);
    const counting = issued.filter((c) => t < certificationCountsUntil(c, world));
    if (counting.length) limits.push(Math.max(...counting.map((c) => certificationCountsUntil(c, world))));
    else if (!issued.length) reasons.push(`course_missing:${courseId}`);
    else {
      // Why not: the state of the newest certification (on the same moment, the higher major).
      let newest = issued[0];
      for (const c of issued)
        if (
          c.issuedAt > newest.issuedAt ||
          (c.issuedAt === newest.issuedAt && major(c.version) > major(newest.version))
        )
          newest = c;
      reasons.push(graceOverFor(newest, world, t) ? `course_superseded:${courseId}` : `course_expired:${courseId}`);
    }
  }

  for (const agreementId of role.agreements) {
    const template = world.agreements[agreementId];
    const signed = person.signatures.filter(
      (s) => s.agreementId === agreementId && s.outcome === "signed" && s.signedAt <= t,
    );
    const counting = template
      ? signed.filter(
          (s) => major(s.version) >= major(template.version) && s.renewalDueAt !== null && t < s.renewalDueAt,
        )
      : [];
    if (counting.length) limits.push(Math.max(...counting.map((s) => s.renewalDueAt!)));
    else if (!template || !signed.length) reasons.push(`agreement_missing:${agreementId}`);
    else reasons.push(`agreement_outdated:${agreementId}`);
  }

  const allow = reasons.length === 0;
  return {
    allow,
    reasons,
    validUntil: allow && limits.length ? Math.min(...limits) : null,
    grantEndsAt: allow ? grantEndsAt : null,
  };
}
