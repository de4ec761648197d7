import { agreementStanding, type SignatureFacts } from "@/lib/agreements/rules";
import { certificationStatus, supersededAt } from "@/lib/certification/status";

/**
 * The access decision: a pure function of the person, their grant, their
 * certifications and signatures, the role's requirements and `now`.
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

export type GrantFacts = { status: "requested" | "approved" | "denied" | "revoked"; decidedAt: Date | null; requestedAt: Date; endsAt: Date | null; revokedAt?: Date | null };
export type CertFacts = { courseId: string; courseVersion: string; issuedAt: Date; expiresAt: Date };
export type CourseFacts = { id: string; version: string; graceDays: number; currentMajorReleasedAt: Date | null };
export type AgreementFacts = { id: string; version: string };

export type DecisionInput = {
  person: { status: "active" | "suspended" | "departed" };
  role: { courses: string[]; agreements: string[] };
  grants: GrantFacts[];
  certifications: CertFacts[];
  signatures: (SignatureFacts & { agreementId: string })[];
  courses: Map<string, CourseFacts>;
  agreements: Map<string, AgreementFacts>;
  now: Date;
};

/**
 * The grant that counts at `now`: of the grants approved by then, the most
 * recent; a revocation counts from the moment it was made.
 */
export function effectiveGrant(grants: GrantFacts[], now: Date): GrantFacts | null {
  const t = now.getTime();
  const asOf = grants
    .filter((g) => (g.status === "approved" || g.status === "revoked") && g.decidedAt && g.decidedAt.getTime() <= t)
    .map((g): GrantFacts => (g.status === "revoked" && g.revokedAt && g.revokedAt.getTime() > t ? { ...g, status: "approved" } : g));
  const when = (g: GrantFacts) => (g.status === "revoked" ? (g.revokedAt ?? g.decidedAt!) : g.decidedAt!).getTime();
  return asOf.sort((a, b) => when(b) - when(a))[0] ?? null;
}

export function decideAccess(input: DecisionInput): Decision {
  const { now } = input;
  const reasons: DenyReason[] = [];
  const limits: Date[] = [];

  if (input.person.status !== "active") reasons.push("account_inactive");

  const grant = effectiveGrant(input.grants, now);
  if (!grant) reasons.push("no_grant");
  else if (grant.status === "revoked") reasons.push("grant_revoked");
  else if (grant.endsAt && now.getTime() >= grant.endsAt.getTime()) reasons.push("grant_ended");
  else if (grant.endsAt) limits.push(grant.endsAt);

  for (const courseId of input.role.courses) {
    const course = input.courses.get(courseId);
    const cert = input.certifications
      .filter((c) => c.courseId === courseId && c.issuedAt.getTime() <= now.getTime())
      .sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime())[0];
    if (!course || !cert) {
      reasons.push(`course_missing:${courseId}`);
      continue;
    }
    const status = certificationStatus({ certification: cert, course, currentMajorReleasedAt: course.currentMajorReleasedAt, now });
    if (status === "superseded") reasons.push(`course_superseded:${courseId}`);
    else if (status === "expired") reasons.push(`course_expired:${courseId}`);
    else {
      limits.push(cert.expiresAt);
      const stops = supersededAt(cert.courseVersion, course, course.currentMajorReleasedAt);
      if (stops) limits.push(stops);
    }
  }

  for (const agreementId of input.role.agreements) {
    const template = input.agreements.get(agreementId);
    const mine = input.signatures.filter((s) => s.agreementId === agreementId && s.signedAt.getTime() <= now.getTime());
    const { standing, signature } = template ? agreementStanding(template, mine, now) : { standing: "to_sign" as const, signature: null };
    if (standing === "to_sign") reasons.push(`agreement_missing:${agreementId}`);
    else if (standing === "new_version" || standing === "renewal_due") reasons.push(`agreement_outdated:${agreementId}`);
    else if (signature?.renewalDueAt) limits.push(signature.renewalDueAt);
  }

  const allow = reasons.length === 0;
  const valid_until = allow && limits.length ? new Date(Math.min(...limits.map((d) => d.getTime()))) : null;
  return { allow, reasons, valid_until };
}
