import { z } from "zod";

import { personStatuses } from "@/db/schema/people";

/**
 * Every audit action, with its category, a label for people and the shape of
 * its `data`: recordAudit refuses an action that is not here or data of another
 * shape, so every reader (explorer, exports) can rely on what an event says.
 * Names and shapes are those already stored: the chain hashes stored rows, so
 * changing one means adding a new action, not editing an old one. Rows written
 * before a field existed may lack it; readers take stored data as it is.
 */

export const auditCategories = {
  auth: "Sign-in and security",
  people: "People",
  training: "Training",
  agreements: "Agreements and partners",
  access: "Data access",
  privacy: "Privacy",
  api: "API, webhooks and SCIM",
  reports: "Reports and exports",
  admin: "Administration",
  audit: "Audit log",
} as const;

export type AuditCategory = keyof typeof auditCategories;
export const auditCategorySchema = z.enum(Object.keys(auditCategories) as [AuditCategory, ...AuditCategory[]]);

/** Actions that carry no data: stored as `{}`. */
const noData = z.strictObject({}).optional();
const id = z.string();
const isoTime = z.string();
const count = z.number().int().nonnegative();
/** Roles as stored: the people table keeps them as text. */
const roles = z.array(z.string());
/** Each changed field of a person, before and after. */
const personChanges = z.record(z.string(), z.strictObject({ from: z.unknown(), to: z.unknown() }));
const personSnapshot = {
  email: z.string(),
  name: z.string(),
  departmentId: z.string().nullable(),
  title: z.string().nullable(),
  managerEmail: z.string().nullable(),
  hireDate: z.string().nullable(),
  roles,
};
const grant = { personId: id, roleId: z.string() };
const cadence = z.enum(["each", "daily", "weekly"]);
const preferences = z.strictObject({
  // null: the organisation's default cadence.
  reminderDigest: cadence.nullable(),
  managerSeesScores: z.boolean(),
});
const scimMapping = { groupName: z.string(), role: z.string().nullable(), departmentId: z.string().nullable() };

type ActionSpec = { category: AuditCategory; label: string; data: z.ZodType };

const catalogue = {
  // Sign-in and security
  "auth.sso_signed_in": {
    category: "auth",
    label: "Signed in through an identity provider",
    data: z.strictObject({ provider: id, method: z.enum(["sso_oidc", "sso_saml"]), mfa: z.string() }),
  },
  "auth.sso_refused": {
    category: "auth",
    label: "Single sign-on refused",
    data: z.looseObject({ reason: z.string() }),
  },
  "auth.sso_linked": {
    category: "auth",
    label: "Identity provider account linked",
    data: z.looseObject({ provider: id }),
  },
  "identity_provider.created": { category: "admin", label: "Identity provider added", data: z.looseObject({}) },
  "identity_provider.updated": { category: "admin", label: "Identity provider changed", data: z.looseObject({}) },
  "identity_provider.enabled": {
    category: "admin",
    label: "Identity provider enabled",
    data: z.looseObject({}).optional(),
  },
  "identity_provider.disabled": {
    category: "admin",
    label: "Identity provider disabled",
    data: z.looseObject({}).optional(),
  },
  "identity_provider.deleted": { category: "admin", label: "Identity provider deleted", data: z.looseObject({}) },
  "identity_provider.tested": { category: "admin", label: "Identity provider tested", data: z.looseObject({}) },
  "organisation.sso_only_changed": {
    category: "admin",
    label: "Single sign-on policy changed",
    data: z.strictObject({
      from: z.enum(["off", "privileged", "everyone"]),
      to: z.enum(["off", "privileged", "everyone"]),
    }),
  },
  "organisation.email_cadence_changed": {
    category: "admin",
    label: "Default email cadence changed",
    data: z.strictObject({ from: cadence, to: cadence }),
  },
  "auth.signed_in": {
    category: "auth",
    label: "Signed in",
    data: z.strictObject({
      method: z.enum(["password", "password+totp", "password+recovery_code", "password+passkey", "passkey"]),
      phishingResistant: z.boolean(),
    }),
  },
  "auth.sign_in_failed": {
    category: "auth",
    label: "Sign-in failed",
    data: z.strictObject({ reason: z.string(), method: z.literal("passkey").optional() }),
  },
  "auth.locked": {
    category: "auth",
    label: "Sign-in locked",
    data: z.strictObject({ scope: z.enum(["account", "ip"]), until: isoTime }),
  },
  "auth.recovery_code_used": { category: "auth", label: "Recovery code used", data: noData },
  "auth.signed_out": { category: "auth", label: "Signed out", data: noData },
  "auth.signed_out_everywhere": {
    category: "auth",
    label: "Signed out everywhere",
    data: z.strictObject({ sessions: count }),
  },
  "auth.session_ended": { category: "auth", label: "Session ended", data: z.strictObject({ session: id }) },
  "auth.password_reset_requested": {
    category: "auth",
    label: "Password reset requested",
    data: z.strictObject({ account: z.string() }),
  },
  "auth.password_change_failed": {
    category: "auth",
    label: "Password change failed",
    data: z.strictObject({ reason: z.string() }),
  },
  "person.password_changed": {
    category: "auth",
    label: "Password changed",
    data: z.strictObject({
      via: z.literal("account"),
      factor: z.enum(["password", "password+totp", "password+passkey"]),
      sessionsEnded: count,
    }),
  },
  "person.password_set": {
    category: "auth",
    label: "Password set from a link",
    data: z.strictObject({ via: z.enum(["invitation", "reset"]) }),
  },
  "mfa.enrolled": {
    category: "auth",
    label: "Two-factor authentication set up",
    data: z.strictObject({ recoveryCodes: count }),
  },
  "mfa.passkey_added": {
    category: "auth",
    label: "Passkey added",
    data: z.strictObject({ passkey: id, name: z.string(), backedUp: z.boolean() }),
  },
  "mfa.passkey_renamed": {
    category: "auth",
    label: "Passkey renamed",
    data: z.strictObject({ passkey: id, name: z.string() }),
  },
  "mfa.passkey_removed": {
    category: "auth",
    label: "Passkey removed",
    data: z.strictObject({ passkey: id, name: z.string(), mfaTurnedOff: z.boolean() }),
  },

  // People
  "person.created": {
    category: "people",
    label: "Person added",
    data: z.union([
      z.strictObject({ ...personSnapshot, source: z.enum(["form", "import"]) }),
      z.strictObject({ source: z.literal("scim"), client: id, email: z.string(), name: z.string() }),
    ]),
  },
  "person.updated": {
    category: "people",
    label: "Person updated",
    data: z.union([
      z.strictObject({ changes: personChanges, source: z.literal("import").optional() }),
      z.strictObject({ changes: personChanges, source: z.literal("scim"), client: id }),
      z.strictObject({ changes: personChanges, source: z.literal("sso"), provider: id }),
    ]),
  },
  "people.created_by_sso": {
    category: "people",
    label: "Person created at first single sign-on",
    data: z.looseObject({ provider: id }),
  },
  "person.status_changed": {
    category: "people",
    label: "Status changed",
    data: z.strictObject({
      from: z.string(),
      to: z.enum(personStatuses),
      source: z.literal("scim").optional(),
    }),
  },
  "person.roles_changed": {
    category: "people",
    label: "Roles changed",
    data: z.strictObject({ from: roles, to: roles, source: z.literal("scim").optional(), client: id.optional() }),
  },
  "person.invitation_sent": {
    category: "people",
    label: "Invitation sent",
    data: z.union([z.strictObject({ expiresAt: isoTime }), z.strictObject({ reason: z.literal("email_changed") })]),
  },
  "people.imported": {
    category: "people",
    label: "People imported from a file",
    data: z.strictObject({
      rows: count,
      create: count,
      update: count,
      unchanged: count,
      invalid: count,
      created: count,
      updated: count,
      fileSha256: z.string(),
      /** The background import job that applied the file (none from the command line). */
      jobId: z.uuid().optional(),
    }),
  },

  // Training
  "assignment.created": {
    category: "training",
    label: "Course assigned",
    data: z.strictObject({ courseId: z.string(), dueAt: isoTime, assignmentId: id }),
  },
  "attempt.submitted": {
    category: "training",
    label: "Quiz submitted",
    data: z.strictObject({
      courseId: z.string(),
      courseVersion: z.string(),
      scorePercent: z.number(),
      passed: z.boolean(),
    }),
  },
  "attempt.package_ended": {
    category: "training",
    label: "SCORM package run ended",
    data: z.strictObject({
      courseId: z.string(),
      courseVersion: z.string(),
      /** The SHA-256 of the package played; its result was reported by the package from the learner's browser. */
      package: z.string(),
      scorePercent: z.number().nullable(),
      passed: z.boolean(),
    }),
  },
  "certification.issued": {
    category: "training",
    label: "Certification issued",
    data: z.strictObject({ courseId: z.string(), courseVersion: z.string(), expiresAt: isoTime }),
  },
  "certification.annulled": {
    category: "training",
    label: "Certification annulled",
    data: z.strictObject({
      personId: id,
      courseId: z.string(),
      courseVersion: z.string(),
      issuedExpiresAt: isoTime,
      reason: z.string(),
    }),
  },
  "certificate.downloaded": {
    category: "training",
    label: "Certificate downloaded",
    data: z.strictObject({ holder: id }),
  },
  "course.major_released": {
    category: "training",
    label: "New major course version released",
    data: z.strictObject({ version: z.string(), graceDays: z.number() }),
  },
  "content.draft_opened": {
    category: "training",
    label: "Content draft opened",
    data: z.strictObject({ kind: z.string(), itemId: z.string(), from: z.string() }),
  },
  "content.submitted": {
    category: "training",
    label: "Content submitted for approval",
    data: z.strictObject({ kind: z.string(), itemId: z.string(), change: z.string() }),
  },
  "content.returned": {
    category: "training",
    label: "Content returned to its author",
    data: z.strictObject({ kind: z.string(), itemId: z.string(), reason: z.string() }),
  },
  "content.discarded": {
    category: "training",
    label: "Content draft discarded",
    data: z.strictObject({ kind: z.string(), itemId: z.string() }),
  },
  "content.published": {
    category: "training",
    label: "Content version published",
    data: z.strictObject({
      kind: z.string(),
      itemId: z.string(),
      version: z.string(),
      change: z.string(),
      submittedBy: id.nullable(),
      approvedBy: id.nullable(),
      filesSha256: z.string(),
    }),
  },
  "content.exported": {
    category: "reports",
    label: "Organisation content exported",
    data: z.strictObject({ files: count }),
  },
  "content.scorm_exported": {
    category: "reports",
    label: "Course exported as a SCORM package",
    data: z.strictObject({ courseId: z.string(), courseVersion: z.string() }),
  },
  "content.approval_setting_changed": {
    category: "training",
    label: "Content approval setting changed",
    data: z.strictObject({ kind: z.string(), requireApproval: z.boolean() }),
  },
  "nudge.sent": {
    category: "training",
    label: "Reminder sent by a manager",
    data: z.strictObject({ items: z.array(z.string()), day: z.string() }),
  },

  // Agreements and partners
  "agreement.consent_given": {
    category: "agreements",
    label: "Consent to electronic records given",
    data: z.union([
      z.strictObject({ agreementId: z.string(), version: z.string(), consentVersion: z.string() }),
      z.strictObject({ agreementId: z.string(), partnerRequestId: id }),
    ]),
  },
  "agreement.reauth_failed": {
    category: "agreements",
    label: "Re-authentication to sign failed",
    data: z.strictObject({ agreementId: z.string() }),
  },
  "agreement.signed": {
    category: "agreements",
    label: "Agreement signed",
    data: z.strictObject({
      agreementId: z.string(),
      version: z.string(),
      personId: id.nullable(),
      partnerRequestId: id.nullable(),
      pdfSha256: z.string(),
    }),
  },
  "agreement.declined": {
    category: "agreements",
    label: "Agreement declined",
    data: z.strictObject({ agreementId: z.string(), version: z.string(), partnerRequestId: id.nullable() }),
  },
  "agreement.downloaded": {
    category: "agreements",
    label: "Signed agreement downloaded",
    data: z.strictObject({ signer: id.nullable() }),
  },
  "partner.created": {
    category: "agreements",
    label: "Partner added",
    data: z.strictObject({ name: z.string(), agreements: z.array(z.string()) }),
  },
  "partner.agreement_sent": {
    category: "agreements",
    label: "Agreement sent to a partner",
    data: z.strictObject({ partnerId: id, agreementId: z.string(), version: z.string() }),
  },
  "partner.agreement_resent": { category: "agreements", label: "Partner signing link resent", data: noData },
  "partner.link_copied": {
    category: "agreements",
    label: "Partner signing link replaced by a copied link",
    data: noData,
  },
  "partner.signed_copy_downloaded": {
    category: "agreements",
    label: "Signed copy downloaded by the partner signer",
    data: noData,
  },
  "partner.agreement_voided": { category: "agreements", label: "Partner signing request voided", data: noData },
  "partner.code_sent": { category: "agreements", label: "Partner confirmation code sent", data: noData },
  "partner.code_verified": { category: "agreements", label: "Partner confirmation code verified", data: noData },

  // Data access
  "access.requested": {
    category: "access",
    label: "Access requested",
    data: z.strictObject({ roleId: z.string(), requirementsMet: z.boolean() }),
  },
  "access.granted": {
    category: "access",
    label: "Access granted",
    // `pending`: the requirements not met at approval; the grant takes effect once they are (access.effective).
    data: z.strictObject({ ...grant, endsAt: isoTime.nullable(), pending: z.array(z.string()).optional() }),
  },
  "access.denied": {
    category: "access",
    label: "Access request denied",
    data: z.strictObject({ ...grant, endsAt: isoTime.nullable() }),
  },
  "access.revoked": {
    category: "access",
    label: "Access revoked",
    data: z.strictObject({ ...grant, alsoRevoked: z.array(id).optional() }),
  },
  "access.lapsed": {
    category: "access",
    label: "Access lapsed",
    data: z.strictObject({ ...grant, reasons: z.array(z.string()) }),
  },
  "access.effective": {
    category: "access",
    label: "Approved access took effect",
    data: z.strictObject({ ...grant, approvedAt: isoTime }),
  },
  "access.restored": {
    category: "access",
    label: "Access restored",
    data: z.strictObject({ ...grant, lapsedAt: isoTime.nullable() }),
  },

  // Privacy
  "privacy.exported": {
    category: "privacy",
    label: "Personal data exported",
    data: z.union([
      z.strictObject({ format: z.literal("json") }),
      z.strictObject({ format: z.literal("zip"), files: count }),
    ]),
  },
  "privacy.preferences_changed": {
    category: "privacy",
    label: "Preferences changed",
    data: z.strictObject({ from: preferences, to: preferences }),
  },
  "privacy.correction_requested": {
    category: "privacy",
    label: "Correction requested",
    data: z.strictObject({ requestId: id, field: z.string() }),
  },
  "privacy.correction_resolved": {
    category: "privacy",
    label: "Correction resolved",
    data: z.strictObject({ requestId: id }),
  },
  "privacy.correction_rejected": {
    category: "privacy",
    label: "Correction rejected",
    data: z.strictObject({ requestId: id }),
  },
  "retention.purged": {
    category: "privacy",
    label: "Records purged by the retention policy",
    data: z.strictObject({ count, before: isoTime, retention: z.string() }),
  },

  // API, webhooks and SCIM
  "api_client.created": {
    category: "api",
    label: "API client created",
    data: z.strictObject({ name: z.string(), scopes: z.array(z.string()) }),
  },
  "api_client.revoked": { category: "api", label: "API client revoked", data: noData },
  "webhook.created": {
    category: "api",
    label: "Webhook created",
    data: z.strictObject({ url: z.string(), eventTypes: z.array(z.string()) }),
  },
  "webhook.deactivated": {
    category: "api",
    label: "Webhook deactivated",
    data: z.strictObject({ url: z.string(), cancelledDeliveries: count }),
  },
  "xapi.lrs_saved": {
    category: "api",
    label: "Learning record store connected or changed",
    data: z.strictObject({
      endpoint: z.string(),
      actor: z.enum(["account", "mbox"]),
      key: z.boolean(),
      secretReplaced: z.boolean(),
      firstConnection: z.boolean(),
    }),
  },
  "xapi.lrs_disconnected": {
    category: "api",
    label: "Learning record store disconnected",
    data: z.strictObject({ endpoint: z.string() }),
  },
  "xapi.statements_requeued": {
    category: "api",
    label: "Failed xAPI statements queued again",
    data: z.strictObject({ count }),
  },
  "scim.group_created": {
    category: "api",
    label: "SCIM group created",
    data: z.strictObject({ client: id, displayName: z.string(), added: z.array(id) }),
  },
  "scim.group_updated": {
    category: "api",
    label: "SCIM group updated",
    data: z.strictObject({
      client: id,
      displayName: z.string(),
      renamedFrom: z.string().optional(),
      added: z.array(id),
      removed: z.array(id),
    }),
  },
  "scim.group_deleted": {
    category: "api",
    label: "SCIM group deleted",
    data: z.strictObject({ client: id, displayName: z.string(), removed: z.array(id) }),
  },
  "scim.group_mapped": { category: "api", label: "SCIM group mapped", data: z.strictObject(scimMapping) },
  "scim.group_unmapped": { category: "api", label: "SCIM group mapping removed", data: z.strictObject(scimMapping) },

  // Reports and exports
  "overview.exported": {
    category: "reports",
    label: "Compliance overview exported",
    data: z.strictObject({ people: count, rate: z.number().nullable() }),
  },
  "team.exported": {
    category: "reports",
    label: "Team matrix exported",
    data: z.strictObject({ rows: count, filters: z.record(z.string(), z.string()) }),
  },
  "exceptions.exported": {
    category: "reports",
    label: "Exceptions report exported",
    data: z.strictObject({
      from: z.string(),
      to: z.string(),
      department: z.string().nullable(),
      overdueDays: count,
      rows: count,
    }),
  },
  "evidence.requested": {
    category: "reports",
    label: "Evidence pack requested",
    data: z.strictObject({
      from: z.string(),
      to: z.string(),
      department: z.string().nullable(),
      overdueDays: count,
    }),
  },
  "evidence.generated": {
    category: "reports",
    label: "Evidence pack generated",
    data: z.strictObject({
      from: z.string(),
      to: z.string(),
      department: z.string().nullable(),
      overdueDays: count,
      files: count,
      bytes: count,
      sha256: z.string(),
      via: z.enum(["app", "cli"]).optional(),
    }),
  },
  "evidence.downloaded": {
    category: "reports",
    label: "Evidence pack downloaded",
    data: z.strictObject({ sha256: z.string() }),
  },
  "data_events.exported": {
    category: "reports",
    label: "Data operations exported",
    data: z.strictObject({ uncleared: z.boolean(), personId: id.nullable(), rows: count }),
  },

  // Administration
  "email.secret_viewed": {
    category: "admin",
    label: "Email with a secret viewed",
    data: z.strictObject({ kind: z.string(), status: z.string() }),
  },
  "seed.demo_organisation": {
    category: "admin",
    label: "Demo organisation created",
    data: z.strictObject({ people: count, departments: count, partners: count }),
  },
  "seed.demo_history": {
    category: "admin",
    label: "Demo training history created",
    data: z.strictObject({ certifications: count, since: z.iso.date() }),
  },

  // Audit log
  "audit.checkpoint_requested": { category: "audit", label: "Checkpoint requested", data: noData },
  "audit.exported": {
    category: "audit",
    label: "Audit log exported",
    data: z.strictObject({ format: z.enum(["csv", "json"]), filters: z.record(z.string(), z.unknown()) }),
  },
  "audit.chain_keyed": { category: "audit", label: "Audit chain keyed", data: noData },
} satisfies Record<string, ActionSpec>;

type Catalogue = typeof catalogue;
export type AuditAction = keyof Catalogue;
export const auditActions = Object.keys(catalogue) as [AuditAction, ...AuditAction[]];
export const auditActionSchema = z.enum(auditActions);

/** The `data` an action is recorded with. */
export type AuditData<A extends AuditAction> = z.input<Catalogue[A]["data"]>;

/** One event to append: the action decides the shape of `data`, which may be left out when it has none. */
export type AuditEntry = {
  [A in AuditAction]: { action: A; targetType?: string; targetId?: string } & (undefined extends AuditData<A>
    ? { data?: AuditData<A> }
    : { data: AuditData<A> });
}[AuditAction];

/** Run-time twin of AuditEntry: a union keyed by action. */
export const auditEntrySchema = z.discriminatedUnion(
  "action",
  auditActions.map((action) =>
    z.strictObject({
      action: z.literal(action),
      targetType: z.string().optional(),
      targetId: z.string().optional(),
      data: catalogue[action].data,
    }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<AuditEntry, AuditEntry>;

export type AuditActionInfo = { action: string; label: string; category: AuditCategory | null; categoryLabel: string };

export function isAuditAction(action: string): action is AuditAction {
  return Object.hasOwn(catalogue, action);
}

/** Label and category of a stored action; an action not in the catalogue is shown as it is. */
export function auditActionInfo(action: string): AuditActionInfo {
  if (!isAuditAction(action)) return { action, label: action, category: null, categoryLabel: "Other" };
  const { label, category } = catalogue[action];
  return { action, label, category, categoryLabel: auditCategories[category] };
}

export function auditActionsIn(category: AuditCategory): AuditAction[] {
  return auditActions.filter((action) => catalogue[action].category === category);
}
