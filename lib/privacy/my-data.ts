import "server-only";

import { and, desc, eq, or } from "drizzle-orm";

import { getDb } from "@/db/client";
import {
  accessDecisions,
  accessGrants,
  assignments,
  auditEvents,
  certifications,
  correctionRequests,
  dataOperationEvents,
  departments,
  identityProviders,
  lessonProgress,
  loginAttempts,
  outbox,
  passkeys,
  people,
  quizAttempts,
  scormScoData,
  sessions,
  signatures,
  ssoIdentities,
} from "@/db/schema";
import { auditActionInfo } from "@/lib/audit/actions";
import type { Viewer } from "@/lib/auth/roles";
import { describeSignInMethod } from "@/lib/auth/sign-in-method.rules";
import { getContent } from "@/lib/content";
import { periodInWords } from "@/lib/format";

type Group = { id: string; title: string; purpose: string; retention: string; records: Record<string, unknown>[] };

const retentionOf = (id: string, fallback: string) => {
  const rule = getContent().retention.find((r) => r.id === id);
  return rule ? `${periodInWords(rule.retention)}${rule.legalHold ? " (legal hold)" : ""}` : fallback;
};

/**
 * Everything Clearance holds about one person, grouped with why it is kept
 * and for how long. Only the viewer's own records, ever: every query is keyed
 * on the viewer's id. Secrets (password and MFA hashes, encrypted blobs,
 * token hashes) are never included.
 */
export async function collectMyData(
  viewer: Viewer,
): Promise<{ exportedAt: string; person: { id: string; email: string }; groups: Group[] }> {
  const db = await getDb();
  const id = viewer.id;
  const [profile] = await db
    .select({
      id: people.id,
      email: people.email,
      name: people.name,
      department: departments.name,
      title: people.title,
      managerId: people.managerId,
      hireDate: people.hireDate,
      status: people.status,
      roles: people.roles,
      mfaEnabledAt: people.mfaEnabledAt,
      reminderDigest: people.reminderDigest,
      managerSeesScores: people.managerSeesScores,
      createdAt: people.createdAt,
    })
    .from(people)
    .leftJoin(departments, eq(departments.id, people.departmentId))
    .where(eq(people.id, id));
  const [progress, attemptRows, certs, assigned, sigs, grants, decisions, dataEvents, audit, emails, corrections] =
    await Promise.all([
      db
        .select({
          courseId: lessonProgress.courseId,
          lesson: lessonProgress.lessonSlug,
          courseVersion: lessonProgress.courseVersion,
          firstViewedAt: lessonProgress.firstViewedAt,
          completedAt: lessonProgress.completedAt,
        })
        .from(lessonProgress)
        .where(eq(lessonProgress.personId, id)),
      db
        .select({
          id: quizAttempts.id,
          courseId: quizAttempts.courseId,
          courseVersion: quizAttempts.courseVersion,
          kind: quizAttempts.kind,
          status: quizAttempts.status,
          scorePercent: quizAttempts.scorePercent,
          passed: quizAttempts.passed,
          answers: quizAttempts.answers,
          startedAt: quizAttempts.startedAt,
          submittedAt: quizAttempts.submittedAt,
        })
        .from(quizAttempts)
        .where(eq(quizAttempts.personId, id)),
      db
        .select({
          id: certifications.id,
          courseId: certifications.courseId,
          courseVersion: certifications.courseVersion,
          issuedAt: certifications.issuedAt,
          expiresAt: certifications.expiresAt,
          verificationCode: certifications.verificationCode,
        })
        .from(certifications)
        .where(eq(certifications.personId, id)),
      db
        .select({
          courseId: assignments.courseId,
          source: assignments.source,
          assignedAt: assignments.assignedAt,
          dueAt: assignments.dueAt,
          completedAt: assignments.completedAt,
        })
        .from(assignments)
        .where(eq(assignments.personId, id)),
      db
        .select({
          id: signatures.id,
          agreementId: signatures.agreementId,
          version: signatures.agreementVersion,
          outcome: signatures.outcome,
          signedAt: signatures.signedAt,
          ip: signatures.ip,
          userAgent: signatures.userAgent,
          authMethod: signatures.authMethod,
          pdfSha256: signatures.pdfSha256,
          events: signatures.events,
        })
        .from(signatures)
        .where(eq(signatures.personId, id)),
      db
        .select({
          id: accessGrants.id,
          roleId: accessGrants.roleId,
          status: accessGrants.status,
          justification: accessGrants.justification,
          requestedAt: accessGrants.requestedAt,
          decidedAt: accessGrants.decidedAt,
          decisionComment: accessGrants.decisionComment,
          endsAt: accessGrants.endsAt,
          revokedAt: accessGrants.revokedAt,
        })
        .from(accessGrants)
        .where(eq(accessGrants.personId, id)),
      db
        .select({
          at: accessDecisions.at,
          roleId: accessDecisions.roleId,
          allow: accessDecisions.allow,
          reasons: accessDecisions.reasons,
        })
        .from(accessDecisions)
        .where(eq(accessDecisions.personId, id))
        .orderBy(desc(accessDecisions.at))
        .limit(5000),
      db
        .select({
          occurredAt: dataOperationEvents.occurredAt,
          action: dataOperationEvents.action,
          resource: dataOperationEvents.resource,
          roleId: dataOperationEvents.roleId,
          cleared: dataOperationEvents.cleared,
        })
        .from(dataOperationEvents)
        .where(eq(dataOperationEvents.personId, id))
        .orderBy(desc(dataOperationEvents.occurredAt))
        .limit(5000),
      db
        .select({
          id: auditEvents.id,
          at: auditEvents.at,
          action: auditEvents.action,
          actor: auditEvents.actorLabel,
          ip: auditEvents.ip,
          data: auditEvents.data,
        })
        .from(auditEvents)
        .where(or(eq(auditEvents.actorId, id), and(eq(auditEvents.targetType, "person"), eq(auditEvents.targetId, id))))
        .orderBy(desc(auditEvents.id))
        .limit(5000),
      db
        .select({
          kind: outbox.kind,
          subject: outbox.subject,
          status: outbox.status,
          createdAt: outbox.createdAt,
          sentAt: outbox.sentAt,
        })
        .from(outbox)
        .where(eq(outbox.personId, id))
        .orderBy(desc(outbox.createdAt)),
      db
        .select({
          field: correctionRequests.field,
          requestedValue: correctionRequests.requestedValue,
          status: correctionRequests.status,
          createdAt: correctionRequests.createdAt,
          resolution: correctionRequests.resolution,
        })
        .from(correctionRequests)
        .where(eq(correctionRequests.personId, id)),
    ]);
  // A SCORM package's run-time data for each of its runs: what it kept of the learner (answers, place, time).
  const scoData = await db
    .select({
      attemptId: scormScoData.attemptId,
      sco: scormScoData.sco,
      cmi: scormScoData.cmi,
      totalSeconds: scormScoData.totalSeconds,
      updatedAt: scormScoData.updatedAt,
    })
    .from(scormScoData)
    .innerJoin(quizAttempts, eq(quizAttempts.id, scormScoData.attemptId))
    .where(eq(quizAttempts.personId, id));
  // How the person signs in: never a key, a hash or a token, only what describes them.
  const [keys, links, signedIn, attempts] = await Promise.all([
    db
      .select({
        name: passkeys.name,
        createdAt: passkeys.createdAt,
        lastUsedAt: passkeys.lastUsedAt,
        backedUp: passkeys.backedUp,
      })
      .from(passkeys)
      .where(eq(passkeys.personId, id))
      .orderBy(passkeys.createdAt),
    db
      .select({
        provider: identityProviders.name,
        protocol: identityProviders.kind,
        subject: ssoIdentities.subject,
        linkedAt: ssoIdentities.createdAt,
        lastSignedInAt: ssoIdentities.lastSignedInAt,
      })
      .from(ssoIdentities)
      .innerJoin(identityProviders, eq(identityProviders.id, ssoIdentities.providerId))
      .where(eq(ssoIdentities.personId, id))
      .orderBy(ssoIdentities.createdAt),
    db
      .select({
        method: sessions.method,
        mfaByIdp: sessions.mfaByIdp,
        providerName: identityProviders.name,
        ip: sessions.ip,
        userAgent: sessions.userAgent,
        createdAt: sessions.createdAt,
        lastSeenAt: sessions.lastSeenAt,
        expiresAt: sessions.expiresAt,
        revokedAt: sessions.revokedAt,
        revokedReason: sessions.revokedReason,
      })
      .from(sessions)
      .leftJoin(identityProviders, eq(identityProviders.id, sessions.ssoProviderId))
      .where(eq(sessions.personId, id))
      .orderBy(desc(sessions.createdAt))
      .limit(1000),
    profile
      ? db
          .select({ at: loginAttempts.at, ip: loginAttempts.ip, outcome: loginAttempts.outcome })
          .from(loginAttempts)
          .where(eq(loginAttempts.email, profile.email))
          .orderBy(desc(loginAttempts.at))
          .limit(1000)
      : Promise.resolve([]),
  ]);
  const groups: Group[] = [
    {
      id: "profile",
      title: "Profile",
      purpose: "To identify you, know your team and role, and sign you in.",
      retention: "While you work here; anonymised a year after you leave",
      records: profile ? [profile] : [],
    },
    {
      id: "sign-in",
      title: "Passkeys, sign-in accounts, sessions and sign-in attempts",
      purpose:
        "To sign you in securely (also through your organisation's identity provider), show you where you are signed in, and stop password guessing.",
      retention: `Passkeys and identity-provider links while you keep them; sessions and sign-in attempts ${retentionOf("login-attempts", "90 days")}`,
      records: [
        ...keys.map((k) => ({ type: "passkey", ...k })),
        ...links.map((l) => ({ type: "identity_provider_link", ...l })),
        ...signedIn.map(({ mfaByIdp, providerName, ...x }) => ({
          type: "session",
          ...x,
          signedInWith: describeSignInMethod({ method: x.method, providerName, mfaByIdp }),
        })),
        ...attempts.map((a) => ({ type: "sign_in_attempt", ...a })),
      ],
    },
    {
      id: "training-progress",
      title: "Training progress and assignments",
      purpose: "To show what you have read and what is due.",
      retention: "While you work here",
      records: [
        ...assigned.map((a) => ({ type: "assignment", ...a })),
        ...progress.map((p) => ({ type: "lesson", ...p })),
      ],
    },
    {
      id: "quiz-attempts",
      title: "Quiz attempts and course runs",
      purpose: "To grade your quizzes, keep your place in interactive courses, and evidence training.",
      retention: retentionOf("quiz-attempts", "3 years"),
      records: attemptRows.map((a) =>
        a.kind === "package" ? { ...a, scormRunTimeData: scoData.filter((d) => d.attemptId === a.id) } : a,
      ),
    },
    {
      id: "certifications",
      title: "Certifications",
      purpose: "To prove you completed required training.",
      retention: retentionOf("certifications", "7 years"),
      records: certs,
    },
    {
      id: "signatures",
      title: "Signed agreements",
      purpose: "Evidence of the agreements you signed or declined.",
      retention: retentionOf("signed-agreements", "7 years"),
      records: sigs,
    },
    {
      id: "access",
      title: "Access grants and decisions",
      purpose: "To decide whether you may hold data-access roles.",
      retention: retentionOf("access-decisions", "1 year"),
      records: [...grants.map((g) => ({ type: "grant", ...g })), ...decisions.map((d) => ({ type: "decision", ...d }))],
    },
    {
      id: "data-operations",
      title: "Data operations reported by other systems",
      purpose: "The audit of employees' operations on customer data.",
      retention: retentionOf("data-operation-events", "2 years"),
      records: dataEvents,
    },
    {
      id: "audit",
      title: "Audit events about you",
      purpose: "A tamper-evident record of what was done, and by whom.",
      retention: retentionOf("audit-events", "7 years"),
      records: audit.map((event) => {
        const { label, categoryLabel } = auditActionInfo(event.action);
        return { ...event, label, category: categoryLabel };
      }),
    },
    {
      id: "emails",
      title: "Emails sent to you",
      purpose: "Reminders and notices about your training, agreements and access.",
      retention: `${retentionOf("outbox-bodies", "90 days")} for message bodies`,
      records: emails,
    },
    {
      id: "corrections",
      title: "Correction requests",
      purpose: "Your requests to correct your record.",
      retention: "While you work here",
      records: corrections,
    },
  ];
  return { exportedAt: new Date().toISOString(), person: { id, email: viewer.email }, groups };
}
