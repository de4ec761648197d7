import { majorOf, supersededAt } from "@/lib/certification/status.rules";

/**
 * The access decision: a pure function of the person, their grants, their
 * certifications and signatures, the role's requirements and `now`. The rule
 * (README, "How an access decision is made"): any record valid at `now`
 * satisfies its requirement; a revocation ends every grant for the role
 * approved before it.
 */

export type DenyReason =
  | "account_inactive"
  | "no_grant"
  | "grant_revoked"
  | "grant_ended"
  | `course_missing:${string}`
  | `course_expired:${string}`
  | `course_superseded:${string}`
  | `agreement_missing:${string}`
  | `agreement_outdated:${string}`;

export type Decision = { allow: boolean; reasons: DenyReason[]; valid_until: Date | null };

export type GrantFacts = {
  id?: string;
  status: "requested" | "approved" | "denied" | "revoked";
  decidedAt: Date | null;
  requestedAt?: Date;
  endsAt: Date | null;
  revokedAt?: Date | null;
};
export type CertFacts = { courseId: string; courseVersion: string; issuedAt: Date; expiresAt: Date };
export type SignatureFacts = {
  agreementId: string;
  agreementVersion: string;
  signedAt: Date;
  renewalDueAt: Date | null;
  outcome: "signed" | "declined";
};
export type CourseFacts = { id: string; version: string; graceDays: number; currentMajorReleasedAt: Date | null };
export type AgreementFacts = { id: string; version: string };

export type DecisionInput = {
  person: { status: "active" | "suspended" | "departed" };
  role: { courses: string[]; agreements: string[] };
  grants: GrantFacts[];
  certifications: CertFacts[];
  signatures: SignatureFacts[];
  courses: Map<string, CourseFacts>;
  agreements: Map<string, AgreementFacts>;
  now: Date;
};

const ms = (d: Date | null | undefined) => (d ? d.getTime() : Infinity);

export type GrantStanding =
  { grant: GrantFacts; reason: null } | { grant: null; reason: "no_grant" | "grant_revoked" | "grant_ended" };

/**
 * The grant in effect at `now`: of the grants approved by then and after the
 * role's latest revocation, one not yet ended (the one ending last). A
 * revocation counts from its moment and ends every grant for the role approved
 * before it, not only the one it names. Without one: `grant_ended` when grants
 * were approved since the latest revocation, else `grant_revoked` when there
 * was a revocation, else `no_grant`.
 */
export function grantInEffect(grants: GrantFacts[], now: Date): GrantStanding {
  const t = now.getTime();
  const decided = grants.filter(
    (g) => (g.status === "approved" || g.status === "revoked") && g.decidedAt && g.decidedAt.getTime() <= t,
  );
  const revokedAt = (g: GrantFacts) => (g.status === "revoked" ? ms(g.revokedAt ?? g.decidedAt) : Infinity);
  const lastRevocation = Math.max(-Infinity, ...decided.map(revokedAt).filter((r) => r <= t));
  const since = decided.filter((g) => revokedAt(g) > t && g.decidedAt!.getTime() > lastRevocation);
  const open = since
    .filter((g) => ms(g.endsAt) > t)
    .sort((a, b) => ms(b.endsAt) - ms(a.endsAt) || b.decidedAt!.getTime() - a.decidedAt!.getTime());
  if (open.length) return { grant: open[0], reason: null };
  return {
    grant: null,
    reason: since.length ? "grant_ended" : lastRevocation > -Infinity ? "grant_revoked" : "no_grant",
  };
}

/** When a certification stops counting: its expiry, or the end of the grace period after a newer major's release. */
export function certificationStops(cert: CertFacts, course: CourseFacts): Date {
  const superseded = supersededAt(cert.courseVersion, course, course.currentMajorReleasedAt);
  return superseded && superseded < cert.expiresAt ? superseded : cert.expiresAt;
}

/**
 * Where a person stands with one required course at `now`: the certification
 * issued by then that counts longest, if any counts; otherwise why not, from
 * the newest one (superseded: an older major past its grace period).
 */
export function courseStanding(
  certs: CertFacts[],
  course: CourseFacts,
  now: Date,
): { until: Date } | { reason: "missing" | "expired" | "superseded" } {
  const t = now.getTime();
  const issued = certs.filter((c) => c.courseId === course.id && c.issuedAt.getTime() <= t);
  if (!issued.length) return { reason: "missing" };
  const until = Math.max(...issued.map((c) => certificationStops(c, course).getTime()));
  if (until > t) return { until: new Date(until) };
  const newest = issued.reduce((a, b) =>
    b.issuedAt > a.issuedAt || (+b.issuedAt === +a.issuedAt && majorOf(b.courseVersion) > majorOf(a.courseVersion))
      ? b
      : a,
  );
  const superseded = supersededAt(newest.courseVersion, course, course.currentMajorReleasedAt);
  return { reason: superseded && superseded.getTime() <= t ? "superseded" : "expired" };
}

/**
 * Where a person stands with one required agreement at `now`: a signature made
 * by then, at the template's major version or later and before its renewal
 * date, counts; the one renewing last sets the limit. A signature without a
 * renewal date cannot be stored (a database constraint) and counts for nothing.
 */
export function agreementSatisfied(
  signatures: SignatureFacts[],
  template: AgreementFacts,
  now: Date,
): { until: Date } | { reason: "missing" | "outdated" } {
  const t = now.getTime();
  const signed = signatures.filter(
    (s) => s.agreementId === template.id && s.outcome === "signed" && s.signedAt.getTime() <= t,
  );
  if (!signed.length) return { reason: "missing" };
  const valid = signed.filter(
    (s) => majorOf(s.agreementVersion) >= majorOf(template.version) && s.renewalDueAt && s.renewalDueAt.getTime() > t,
  );
  if (!valid.length) return { reason: "outdated" };
  return { until: new Date(Math.max(...valid.map((s) => s.renewalDueAt!.getTime()))) };
}

export function decideAccess(input: DecisionInput): Decision {
  const { now } = input;
  const reasons: DenyReason[] = [];
  const limits: Date[] = [];

  if (input.person.status !== "active") reasons.push("account_inactive");

  const grant = grantInEffect(input.grants, now);
  if (grant.reason) reasons.push(grant.reason);
  else if (grant.grant.endsAt) limits.push(grant.grant.endsAt);

  for (const courseId of input.role.courses) {
    const course = input.courses.get(courseId);
    const standing = course ? courseStanding(input.certifications, course, now) : ({ reason: "missing" } as const);
    if ("until" in standing) limits.push(standing.until);
    else reasons.push(`course_${standing.reason}:${courseId}`);
  }

  for (const agreementId of input.role.agreements) {
    const template = input.agreements.get(agreementId);
    const standing = template ? agreementSatisfied(input.signatures, template, now) : ({ reason: "missing" } as const);
    if ("until" in standing) limits.push(standing.until);
    else reasons.push(`agreement_${standing.reason}:${agreementId}`);
  }

  const allow = reasons.length === 0;
  const valid_until = allow && limits.length ? new Date(Math.min(...limits.map((d) => d.getTime()))) : null;
  return { allow, reasons, valid_until };
}

/**
 * The span of time around `input.now` in which the decision cannot change:
 * from the latest moment at or before `now` to the earliest after it at which
 * any fact it reads starts or stops counting (a grant decided, revoked or
 * ending; a certification issued, expiring or superseded; a signature made or
 * due for renewal). decideAccess compares `now` only with those moments, so
 * for any time in [from, until) it gives the same decision, valid_until
 * included, for the same facts and the same person status.
 */
export function decisionSteadyBetween(input: DecisionInput): { from: number; until: number } {
  const t = input.now.getTime();
  let from = -Infinity;
  let until = Infinity;
  const at = (d: Date | null | undefined) => {
    if (!d) return;
    const x = d.getTime();
    if (x <= t) from = Math.max(from, x);
    else until = Math.min(until, x);
  };
  for (const g of input.grants) {
    at(g.decidedAt);
    at(g.revokedAt);
    at(g.endsAt);
  }
  for (const courseId of input.role.courses) {
    const course = input.courses.get(courseId);
    for (const c of input.certifications) {
      if (c.courseId !== courseId) continue;
      at(c.issuedAt);
      at(c.expiresAt);
      if (course) at(supersededAt(c.courseVersion, course, course.currentMajorReleasedAt));
    }
  }
  for (const agreementId of input.role.agreements)
    for (const s of input.signatures) {
      if (s.agreementId !== agreementId) continue;
      at(s.signedAt);
      at(s.renewalDueAt);
    }
  return { from, until };
}
