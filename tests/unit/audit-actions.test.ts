import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import {
  auditActionInfo,
  auditActions,
  auditActionsIn,
  auditCategories,
  auditEntrySchema,
  type AuditAction,
  type AuditData,
  type AuditEntry,
} from "@/lib/audit/actions";

/**
 * The audit catalogue against the code that records events: every action the
 * source names is in the catalogue and every catalogue action is recorded
 * somewhere; each schema takes what its call sites record (one example per
 * shape, copied from them) and refuses the wrong thing.
 */

const SOURCE_DIRS = ["app", "lib", "db", "scripts"];
const CATALOGUE_FILES = new Set(["lib/audit/actions.ts", "lib/audit/record.ts"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === "migrations" ? [] : sourceFiles(full);
    return /\.tsx?$/.test(name) ? [full] : [];
  });
}

const files = SOURCE_DIRS.flatMap(sourceFiles).map((file) => ({ file, text: readFileSync(file, "utf8") }));

/** Each `action: …` or `action = …` expression in a file that records audit events, with the names it holds. */
function actionsInSource() {
  const found = new Map<string, string[]>();
  const templates: string[] = [];
  for (const { file, text } of files) {
    if (CATALOGUE_FILES.has(file) || !/recordAudit\(|\bAuditEntry\b/.test(text)) continue;
    for (const [, expression] of text.matchAll(/\baction\s*(?::|=(?!=))\s*([^,;\n}]+)/g)) {
      if (expression.includes("`")) templates.push(`${file}: ${expression.trim()}`);
      for (const [, name] of expression.matchAll(/"([a-z_]+(?:\.[a-z_]+)+)"/g))
        found.set(name, [...(found.get(name) ?? []), file]);
    }
  }
  return { found, templates };
}

// One example per shape each action is recorded with, as its call sites write it.
const examples: { [A in AuditAction]: [AuditData<A>, ...AuditData<A>[]] } = {
  "auth.sso_signed_in": [{ provider: "provider-1", method: "sso_oidc", mfa: "idp" }],
  "auth.sso_refused": [{ reason: "domain_not_allowed", provider: "provider-1" }],
  "auth.sso_linked": [{ provider: "provider-1", protocol: "oidc", subject: "248289761001" }],
  "people.created_by_sso": [{ provider: "provider-1", protocol: "oidc", subject: "248289761001" }],
  "identity_provider.created": [{ kind: "oidc", slug: "okta" }],
  "identity_provider.updated": [{ slug: "okta" }],
  "identity_provider.enabled": [{ slug: "okta" }],
  "identity_provider.disabled": [{ slug: "okta" }],
  "identity_provider.deleted": [{ slug: "okta" }],
  "identity_provider.tested": [{ ok: true }],
  "organisation.sso_only_changed": [{ from: "off", to: "privileged" }],
  "organisation.email_cadence_changed": [{ from: "each", to: "daily" }],
  "auth.signed_in": [
    { method: "password+totp", phishingResistant: false },
    { method: "passkey", phishingResistant: true },
  ],
  "auth.sign_in_failed": [{ reason: "wrong_password" }, { reason: "account_suspended", method: "passkey" }],
  "auth.locked": [{ scope: "account", until: "2026-01-05T10:15:00.000Z" }],
  "auth.recovery_code_used": [undefined],
  "auth.signed_out": [undefined],
  "auth.signed_out_everywhere": [{ sessions: 3 }],
  "auth.session_ended": [{ session: "8f1d4c52-65a4-4bcd-9c47-1f3e2a4b5c6d" }],
  "auth.password_reset_requested": [{ account: "active" }, { account: "unknown" }, { account: "account_departed" }],
  "auth.password_change_failed": [{ reason: "wrong_password" }],
  "person.password_changed": [{ via: "account", factor: "password+totp", sessionsEnded: 2 }],
  "person.password_set": [{ via: "invitation" }, { via: "reset" }],
  "mfa.enrolled": [{ recoveryCodes: 10 }],
  "mfa.passkey_added": [{ passkey: "pk-1", name: "Laptop", backedUp: true }],
  "mfa.passkey_renamed": [{ passkey: "pk-1", name: "Work laptop" }],
  "mfa.passkey_removed": [{ passkey: "pk-1", name: "Work laptop", mfaTurnedOff: false }],
  "person.created": [
    {
      email: "ana@example.com",
      name: "Ana",
      departmentId: "support",
      title: null,
      managerEmail: null,
      hireDate: "2024-02-01",
      roles: ["employee"],
      source: "form",
    },
    {
      email: "li@example.com",
      name: "Li",
      departmentId: null,
      title: "Engineer",
      managerEmail: "ana@example.com",
      hireDate: null,
      roles: ["employee", "manager"],
      source: "import",
    },
    { source: "scim", client: "client-1", email: "jo@example.com", name: "Jo" },
  ],
  "person.updated": [
    { changes: { title: { from: null, to: "Lead" } } },
    { changes: { roles: { from: ["employee"], to: ["employee", "manager"] } }, source: "import" },
    { source: "scim", client: "client-1", changes: { department: { from: null, to: "support" } } },
    { source: "sso", provider: "provider-1", changes: { title: { from: null, to: "Lead" } } },
  ],
  "person.status_changed": [
    { from: "active", to: "suspended" },
    { from: "suspended", to: "active", source: "scim" },
  ],
  "person.roles_changed": [
    { from: ["employee"], to: ["auditor", "employee"] },
    { from: ["employee"], to: ["employee", "manager"], source: "scim", client: "client-1" },
  ],
  "person.invitation_sent": [{ expiresAt: "2026-01-12T10:00:00.000Z" }, { reason: "email_changed" }],
  "people.imported": [
    { rows: 3, create: 1, update: 1, unchanged: 1, invalid: 0, created: 1, updated: 1, fileSha256: "ab".repeat(32) },
  ],
  "assignment.created": [{ courseId: "gdpr-basics", dueAt: "2026-02-01T00:00:00.000Z", assignmentId: "a-1" }],
  "attempt.submitted": [{ courseId: "gdpr-basics", courseVersion: "1.2.0", scorePercent: 80, passed: true }],
  "certification.annulled": [
    {
      personId: "5b8e3c8e-55a4-4a8e-9d55-0d4f1c7a1e11",
      courseId: "gdpr-basics",
      courseVersion: "1.2.0",
      issuedExpiresAt: "2027-01-05T10:00:00.000Z",
      reason: "Answers were shared between colleagues.",
    },
  ],
  "attempt.package_ended": [
    { courseId: "phishing-basics", courseVersion: "1.0.0", package: "ab".repeat(32), scorePercent: null, passed: true },
  ],
  "certification.issued": [{ courseId: "gdpr-basics", courseVersion: "1.2.0", expiresAt: "2027-01-05T10:00:00.000Z" }],
  "certificate.downloaded": [{ holder: "p-1" }],
  "course.major_released": [{ version: "2.0.0", graceDays: 30 }],
  "content.draft_opened": [{ kind: "course", itemId: "phishing", from: "shipped" }],
  "content.submitted": [{ kind: "agreement", itemId: "employee-nda", change: "major" }],
  "content.returned": [{ kind: "agreement", itemId: "employee-nda", reason: "Clause 4 needs legal review." }],
  "content.discarded": [{ kind: "course", itemId: "phishing" }],
  "content.published": [
    {
      kind: "course",
      itemId: "phishing",
      version: "2.0.0",
      change: "major",
      submittedBy: "p-1",
      approvedBy: "p-2",
      filesSha256: "ab",
    },
    {
      kind: "course",
      itemId: "phishing",
      version: "1.1.0",
      change: "minor",
      submittedBy: "p-1",
      approvedBy: null,
      filesSha256: "ab",
    },
  ],
  "content.exported": [{ files: 5 }],
  "content.scorm_exported": [{ courseId: "incident-reporting", courseVersion: "2.0.0" }],
  "content.approval_setting_changed": [{ kind: "agreement", requireApproval: true }],
  "nudge.sent": [{ items: ["gdpr-basics", "support-nda"], day: "2026-01-05" }],
  "agreement.consent_given": [
    { agreementId: "support-nda", version: "1.0.0", consentVersion: "1" },
    { agreementId: "partner-dpa", partnerRequestId: "req-1" },
  ],
  "agreement.reauth_failed": [{ agreementId: "support-nda" }],
  "agreement.signed": [
    { agreementId: "support-nda", version: "1.0.0", personId: "p-1", partnerRequestId: null, pdfSha256: "cd" },
    { agreementId: "partner-dpa", version: "1.0.0", personId: null, partnerRequestId: "req-1", pdfSha256: "ef" },
  ],
  "agreement.declined": [{ agreementId: "partner-dpa", version: "1.0.0", partnerRequestId: "req-1" }],
  "agreement.downloaded": [{ signer: "p-1" }, { signer: null }],
  "partner.created": [{ name: "Acme Hosting", agreements: ["partner-dpa"] }],
  "partner.agreement_sent": [{ partnerId: "partner-1", agreementId: "partner-dpa", version: "1.0.0" }],
  "partner.agreement_resent": [undefined],
  "partner.agreement_voided": [undefined],
  "partner.link_copied": [undefined],
  "partner.signed_copy_downloaded": [undefined],
  "partner.code_sent": [undefined],
  "partner.code_verified": [undefined],
  "access.requested": [{ roleId: "support-pii", requirementsMet: false }],
  "access.granted": [
    { personId: "p-1", roleId: "support-pii", endsAt: null },
    { personId: "p-1", roleId: "support-pii", endsAt: null, pending: ["course_missing:gdpr-basics"] },
  ],
  "access.denied": [{ personId: "p-1", roleId: "support-pii", endsAt: "2026-06-01T00:00:00.000Z" }],
  "access.revoked": [
    { personId: "p-1", roleId: "support-pii" },
    { personId: "p-1", roleId: "support-pii", alsoRevoked: ["g-2"] },
  ],
  "access.lapsed": [{ personId: "p-1", roleId: "support-pii", reasons: ["course_expired:gdpr-basics"] }],
  "access.effective": [{ personId: "p-1", roleId: "support-pii", approvedAt: "2026-01-01T00:00:00.000Z" }],
  "access.restored": [{ personId: "p-1", roleId: "support-pii", lapsedAt: "2026-01-01T00:00:00.000Z" }],
  "privacy.exported": [{ format: "json" }, { format: "zip", files: 4 }],
  "privacy.preferences_changed": [
    {
      from: { reminderDigest: "each", managerSeesScores: true },
      to: { reminderDigest: "weekly", managerSeesScores: false },
    },
    {
      from: { reminderDigest: "weekly", managerSeesScores: false },
      to: { reminderDigest: null, managerSeesScores: false },
    },
  ],
  "privacy.correction_requested": [{ requestId: "c-1", field: "name" }],
  "privacy.correction_resolved": [{ requestId: "c-1" }],
  "privacy.correction_rejected": [{ requestId: "c-1" }],
  "retention.purged": [{ count: 12, before: "2023-01-05T00:00:00.000Z", retention: "P3Y" }],
  "api_client.created": [{ name: "Helpdesk", scopes: ["access:check"] }],
  "api_client.revoked": [undefined],
  "webhook.created": [{ url: "https://hooks.example.com/…", eventTypes: ["access.revoked"] }],
  "webhook.deactivated": [{ url: "https://hooks.example.com/…", cancelledDeliveries: 2 }],
  "xapi.lrs_saved": [
    {
      endpoint: "https://lrs.example.com/xapi/",
      actor: "account",
      key: true,
      secretReplaced: true,
      firstConnection: true,
    },
  ],
  "xapi.lrs_disconnected": [{ endpoint: "https://lrs.example.com/xapi/" }],
  "xapi.statements_requeued": [{ count: 3 }],
  "scim.group_created": [{ client: "client-1", displayName: "Support", added: ["p-1"] }],
  "scim.group_updated": [
    { client: "client-1", displayName: "Support", added: [], removed: ["p-1"] },
    { client: "client-1", displayName: "Support EMEA", renamedFrom: "Support", added: ["p-2"], removed: [] },
  ],
  "scim.group_deleted": [{ client: "client-1", displayName: "Support", removed: ["p-1"] }],
  "scim.group_mapped": [
    { groupName: "Auditors", role: "auditor", departmentId: null },
    { groupName: "Support", role: null, departmentId: "support" },
  ],
  "scim.group_unmapped": [{ groupName: "Auditors", role: "auditor", departmentId: null }],
  "overview.exported": [{ people: 40, rate: 0.85 }],
  "team.exported": [{ rows: 12, filters: { status: "overdue" } }],
  "data_events.exported": [
    { uncleared: true, personId: null, rows: 5 },
    { uncleared: false, personId: "p-1", rows: 2 },
  ],
  "email.secret_viewed": [{ kind: "invitation", status: "queued" }],
  "seed.demo_organisation": [{ people: 40, departments: 6, partners: 1 }],
  "seed.demo_history": [{ certifications: 212, since: "2025-11-21" }],
  "audit.checkpoint_requested": [undefined],
  "exceptions.exported": [{ from: "2026-01-01", to: "2026-06-30", department: null, overdueDays: 30, rows: 4 }],
  "evidence.requested": [{ from: "2026-01-01", to: "2026-06-30", department: "support", overdueDays: 30 }],
  "evidence.generated": [
    {
      from: "2026-01-01",
      to: "2026-06-30",
      department: null,
      overdueDays: 30,
      files: 12,
      bytes: 40960,
      sha256: "ab".repeat(32),
    },
    {
      from: "2026-01-01",
      to: "2026-06-30",
      department: null,
      overdueDays: 0,
      files: 9,
      bytes: 1,
      sha256: "0",
      via: "cli",
    },
  ],
  "evidence.downloaded": [{ sha256: "ab".repeat(32) }],
  "audit.exported": [{ format: "csv", filters: { from: "2026-01-01", outcome: "refused" } }],
  "audit.chain_keyed": [undefined],
};

const entry = (action: string, data: unknown) => ({ action, targetType: "person", targetId: "p-1", data });

describe("audit action catalogue", () => {
  it("names every action the code records, and records every action it names", () => {
    const { found, templates } = actionsInSource();
    expect(templates, "name actions as string literals, so they can be found").toEqual([]);
    const unknown = [...found].filter(([name]) => !auditActions.includes(name as AuditAction));
    expect(unknown, "actions recorded but missing from lib/audit/actions.ts").toEqual([]);
    expect(
      auditActions.filter((name) => !found.has(name)),
      "catalogue actions no code records",
    ).toEqual([]);
  });

  it("is the only way into the audit log: nothing else inserts into audit_events", () => {
    const writers = files
      .filter(({ file }) => file !== "lib/audit/record.ts")
      .filter(({ text }) => /\.insert\(\s*auditEvents\s*\)|insert\s+into\s+audit_events/i.test(text))
      .map(({ file }) => file);
    expect(writers).toEqual([]);
  });

  it.each(auditActions)("%s takes the data its call sites record", (action) => {
    for (const data of examples[action]) {
      const parsed = auditEntrySchema.safeParse(entry(action, data));
      expect(parsed.error?.issues, JSON.stringify(data)).toBeUndefined();
    }
  });

  it("takes an action without data either without it or with {}, as stored", () => {
    expect(auditEntrySchema.safeParse({ action: "auth.signed_out" }).success).toBe(true);
    expect(auditEntrySchema.safeParse({ action: "auth.signed_out", data: {} }).success).toBe(true);
    expect(auditEntrySchema.safeParse({ action: "auth.signed_out", data: { extra: 1 } }).success).toBe(false);
  });

  it.each([
    ["a misspelt action", entry("auth.signed_inn", { method: "password", phishingResistant: false })],
    ["a missing field", entry("auth.signed_in", { method: "password" })],
    ["a field of another type", entry("auth.signed_out_everywhere", { sessions: "3" })],
    ["a field the schema does not know", entry("certificate.downloaded", { holder: "p-1", note: "x" })],
    ["a value outside the enum", entry("auth.locked", { scope: "planet", until: "2026-01-01T00:00:00.000Z" })],
    ["the data of another shape", entry("privacy.exported", { format: "zip" })],
    ["data left out where it is required", { action: "nudge.sent" }],
  ])("refuses %s", (_what, candidate) => {
    expect(auditEntrySchema.safeParse(candidate).success).toBe(false);
  });

  it("gives every action a label and a category, and shows an unknown action as it is", () => {
    for (const action of auditActions) {
      const info = auditActionInfo(action);
      expect(info.label).not.toBe(action);
      expect(info.category && auditCategories[info.category]).toBe(info.categoryLabel);
    }
    expect(new Set(auditActions.map((a) => auditActionInfo(a).label)).size).toBe(auditActions.length);
    expect(auditActionInfo("legacy.event")).toEqual({
      action: "legacy.event",
      label: "legacy.event",
      category: null,
      categoryLabel: "Other",
    });
    expect(Object.keys(auditCategories).flatMap((c) => auditActionsIn(c as never))).toHaveLength(auditActions.length);
  });

  it("types entries by action", () => {
    const ok: AuditEntry[] = [
      { action: "auth.signed_out" },
      { action: "certificate.downloaded", targetType: "certification", targetId: "c-1", data: { holder: "p-1" } },
    ];
    const wrong: AuditEntry[] = [
      // @ts-expect-error: not an action
      { action: "auth.signed_inn" },
      // @ts-expect-error: this action's data has another shape
      { action: "certificate.downloaded", data: { signer: "p-1" } },
      // @ts-expect-error: this action carries data
      { action: "nudge.sent" },
    ];
    expect(ok.concat(wrong).every((e) => typeof e.action === "string")).toBe(true);
  });
});
