import type { EmailKind, EmailProps } from "@/lib/notify/templates";

/**
 * Realistic props for every template: the preview script renders them, and the
 * template tests check that each message states its key facts.
 */
export const sampleProps: { [K in EmailKind]: EmailProps<K> } = {
  invitation: {
    name: "Ana Silva",
    setPasswordPath: "/set-password?token=sample-token-not-real",
    expiresAt: new Date("2026-12-06T09:00:00Z"),
    invitedByName: "Carmen Díaz",
  },
  welcome: {
    name: "Ana Silva",
    setPasswordPath: "/set-password/sample-token-not-real",
    expiresAt: new Date("2026-12-06T09:00:00Z"),
    invitedByName: "Carmen Díaz",
    items: [
      {
        title: "GDPR Essentials for Support",
        kind: "course",
        status: "due",
        date: new Date("2026-12-27T23:59:00Z"),
        path: "/courses/gdpr-essentials",
      },
      {
        title: "Employee Confidentiality Agreement",
        kind: "agreement",
        status: "due",
        date: null,
        path: "/agreements/nda",
      },
    ],
  },
  "password-reset": {
    name: "Ana Silva",
    setPasswordPath: "/set-password/sample-token-not-real",
    expiresAt: new Date("2026-11-29T10:30:00Z"),
  },
  "course-assigned": {
    name: "Ana Silva",
    courseTitle: "GDPR Essentials for Support",
    courseSummary:
      "What personal data is, the lawful bases for handling it, and what to do when a customer asks to see or delete theirs.",
    coursePath: "/learn/gdpr-essentials",
    dueAt: new Date("2026-12-27T23:59:00Z"),
    estimatedMinutes: 35,
  },
  "course-due-soon": {
    name: "Ana Silva",
    courseTitle: "GDPR Essentials for Support",
    coursePath: "/learn/gdpr-essentials",
    dueAt: new Date("2026-12-06T23:59:00Z"),
    daysLeft: 7,
  },
  "course-overdue": {
    name: "Ana Silva",
    courseTitle: "Handling Customer Data Securely",
    coursePath: "/learn/secure-data-handling",
    dueAt: new Date("2026-11-22T23:59:00Z"),
    daysOverdue: 7,
    blockedRoles: ["Customer PII reader"],
  },
  escalation: {
    managerName: "Priya Nair",
    reportName: "Ana Silva",
    courseTitle: "Handling Customer Data Securely",
    dueAt: new Date("2026-11-15T23:59:00Z"),
    daysOverdue: 14,
    teamPath: "/team",
  },
  "certification-expiring": {
    name: "José Ñúñez",
    courseTitle: "PCI DSS Awareness",
    coursePath: "/learn/pci-dss-awareness",
    expiresAt: new Date("2026-12-29T00:00:00Z"),
    daysLeft: 30,
  },
  "certification-annulled": {
    name: "José Ñúñez",
    courseTitle: "PCI DSS Awareness",
    coursePath: "/courses/pci-dss-awareness",
    issuedAt: new Date("2026-10-02T10:15:00Z"),
    annulledAt: new Date("2026-12-06T09:30:00Z"),
    reason: "Quiz answers were shared between colleagues during the attempt.",
  },
  "agreement-to-sign": {
    name: "Li Hua",
    agreementTitle: "Employee Confidentiality Agreement",
    version: "2.0",
    agreementPath: "/agreements/employee-confidentiality",
    dueAt: new Date("2026-12-13T23:59:00Z"),
    isNewVersion: true,
  },
  "partner-signing-link": {
    signerName: "Jordan Okafor",
    partnerName: "Northwind Outsourcing Ltd",
    agreementTitle: "Data Processing Agreement",
    signingPath: "/partner-sign/sample-token-not-real",
    expiresAt: new Date("2026-12-13T17:00:00Z"),
    requestedByName: "Carmen Díaz",
  },
  "partner-signing-code": {
    signerName: "Jordan Okafor",
    agreementTitle: "Data Processing Agreement",
    code: "483920",
    expiresAt: new Date("2026-11-29T14:15:00Z"),
  },
  "signed-copy": {
    name: "Li Hua",
    agreementTitle: "Employee Confidentiality Agreement",
    version: "2.0",
    signedAt: new Date("2026-11-29T10:42:17Z"),
    sha256: "9f2c1e7b5a0d4c3e8b6a1f0e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5f4",
    filename: "employee-confidentiality-v2.0-li-hua.pdf",
    viewPath: "/agreements/signed/3b1f6c9e",
  },
  "access-request": {
    approverName: "Priya Nair",
    requesterName: "Ana Silva",
    roleName: "Customer PII reader",
    justification:
      "I am joining the EMEA escalations rota from January and need to read account details to resolve billing disputes.",
    requestedAt: new Date("2026-11-29T09:15:00Z"),
    requestPath: "/access/requests/7d0c2a41",
    requirementsMet: true,
  },
  "access-decision": {
    name: "Ana Silva",
    roleName: "Customer PII reader",
    decision: "approved",
    decidedByName: "Priya Nair",
    comment: "Approved for the escalations rota. Please re-request if you move teams.",
    validUntil: new Date("2027-05-14T00:00:00Z"),
    requestPath: "/access/requests/7d0c2a41",
  },
  "access-lapsed": {
    name: "Ana Silva",
    roleName: "Customer PII reader",
    lapsedAt: new Date("2026-11-29T00:00:00Z"),
    reasons: ["Your GDPR Essentials for Support certification expired on 28 November 2026."],
    accessPath: "/access",
  },
  nudge: {
    name: "Ana Silva",
    managerName: "Priya Nair",
    message: "Could you finish these before the end-of-year audit? Thanks!",
    items: [
      {
        title: "Handling Customer Data Securely",
        kind: "course",
        status: "overdue",
        date: new Date("2026-11-22T23:59:00Z"),
        path: "/learn/secure-data-handling",
      },
      {
        title: "Employee Confidentiality Agreement",
        kind: "agreement",
        status: "due",
        date: new Date("2026-12-13T23:59:00Z"),
        path: "/agreements/employee-confidentiality",
      },
    ],
  },
  "reminder-digest": {
    name: "Ana Silva",
    period: "weekly",
    items: [
      {
        title: "Spotting and reporting security incidents",
        kind: "course",
        status: "due",
        date: new Date("2026-12-04T23:59:00Z"),
        path: "/courses/incident-reporting",
      },
      {
        title: "Acceptable Use and Data-Handling Attestation",
        kind: "agreement",
        status: "due",
        date: null,
        path: "/agreements/acceptable-use-attestation",
      },
    ],
  },
};
