import type { AppRole } from "../../db/schema/people";
import { ForbiddenError } from "../errors";

/**
 * Who may do what: every page, layout, route handler, download and Server
 * Action, with who may use it and whether a person who must use MFA may use
 * it before enrolling. `gate()` below is the only place these are decided;
 * `requireViewer`, `routeViewer` and `action()` call it with their key, and
 * the authorization tests read this table. Pure data, so tests import it.
 *
 * To add an entry: one line below, keyed by kind and path as Next.js routes
 * it (route groups dropped, except in layout keys):
 *   "page:/admin/things": { who: "administer" },       → requireViewer("page:/admin/things")
 *   "route:/admin/things/search": { who: "administer" } → routeViewer("route:/admin/things/search")
 *   "download:/things/[id]": { who: "signed_in" }       → routeViewer("download:/things/[id]")
 *   "action:admin/things.addThing": { who: "administer" } → action({ permission: "action:admin/things.addThing", … })
 * tests/unit/auth-permissions.test.ts fails until every file has its entry and every entry its file.
 */

/**
 * Named capabilities: the one meaning of "an admin", "an auditor", "a manager".
 * lib/ checks a capability with `may`/`assertMay`; a record-level check
 * (is this my report?) stays beside its data and builds on these.
 */
export const CAPABILITIES = {
  /** Changes organisation-wide records: people, assignments, partners, API clients, webhooks, corrections; reads the outbox. */
  administer: ["compliance_admin"],
  /** Reads organisation-wide records: overview, people, partners, audit log, data events, everyone's submitted quizzes. */
  oversee: ["compliance_admin", "auditor"],
  /** Follows a team: which people are theirs is decided beside the data. */
  lead_team: ["manager"],
  /** Decides data-access requests: whose, and for which roles, is decided beside the data. */
  approve_access: ["manager", "compliance_admin"],
} as const satisfies Record<string, readonly AppRole[]>;

export type Capability = keyof typeof CAPABILITIES;

/**
 * - "public": no session needed; the gate is not consulted (public pages, and links whose token is the credential).
 * - "token": a credential other than a session (an API token, the cron secret), checked in the handler; a browser session grants nothing.
 * - "signed_in": anyone signed in.
 * - a capability: people who hold one of its roles.
 */
export type Audience = "public" | "token" | "signed_in" | Capability;

/** `mfaPending: true` lets a person who has yet to enrol in MFA through (enrolment itself); the default refuses them. */
export type Permission = { who: Audience; mfaPending?: true };

export const PERMISSIONS = {
  // Public: no account, no session
  "page:/": { who: "public" },
  "page:/signin": { who: "public" },
  "page:/verify": { who: "public" },
  "page:/partner-sign/[token]": { who: "public" },
  "download:/partner-sign/[token]/document": { who: "public" },
  "download:/partner-sign/[token]/consent-check": { who: "public" },
  "page:/set-password/[token]": { who: "public" },
  "page:/forgot-password": { who: "public" },
  "route:/api/auth/[...nextauth]": { who: "public" },
  "route:/api/health": { who: "public" },
  "route:/api/health/live": { who: "public" },
  "route:/api/health/ready": { who: "public" },
  "route:/api/v1/openapi.json": { who: "public" },
  "route:/api/v1/verify": { who: "public" },
  "route:/guides": { who: "public" },
  "route:/guides/[slug]": { who: "public" },
  "route:/guides/feed.xml": { who: "public" },
  "route:/privacy": { who: "public" },
  "route:/robots.txt": { who: "public" },
  "route:/sitemap.xml": { who: "public" },
  "action:partner-sign.requestCode": { who: "public" },
  "action:partner-sign.confirmCode": { who: "public" },
  "action:partner-sign.giveConsent": { who: "public" },
  "action:partner-sign.sign": { who: "public" },
  "action:partner-sign.decline": { who: "public" },
  "action:set-password.choosePassword": { who: "public" },
  "action:forgot-password.requestReset": { who: "public" },
  "action:signin.startPasskeySignIn": { who: "public" },
  // Single sign-on: the identity provider's round trip (the state, not a session, is the credential)
  "route:/api/sso/oidc/[slug]/start": { who: "public" },
  "route:/api/sso/oidc/[slug]/callback": { who: "public" },
  // SAML: the SP metadata an IdP reads, the AuthnRequest, and the IdP's cross-site POST (the stored request ID is the credential)
  "route:/api/sso/saml/[slug]/metadata": { who: "public" },
  "route:/api/sso/saml/[slug]/start": { who: "public" },
  "route:/api/sso/saml/[slug]/acs": { who: "public" },
  "route:/verify/upload": { who: "public" },
  // AuthZEN metadata: where the decision endpoints are (public, as the standard has it)
  "route:/.well-known/authzen-configuration": { who: "public" },

  // Other systems, with their own credential
  "route:/api/v1/access/check": { who: "token" },
  "route:/api/v1/access/changes": { who: "token" },
  "route:/access/v1/evaluation": { who: "token" },
  "route:/access/v1/evaluations": { who: "token" },
  "route:/api/v1/audit/checkpoints": { who: "token" },
  "route:/api/v1/access/holders": { who: "token" },
  "route:/api/v1/events": { who: "token" },
  "route:/api/cron/tick": { who: "token" },
  "route:/metrics": { who: "token" },
  "route:/scim/v2/Users": { who: "token" },
  "route:/scim/v2/Users/[id]": { who: "token" },
  "route:/scim/v2/Groups": { who: "token" },
  "route:/scim/v2/Groups/[id]": { who: "token" },
  "route:/scim/v2/ServiceProviderConfig": { who: "token" },
  "route:/scim/v2/Schemas": { who: "token" },
  "route:/scim/v2/ResourceTypes": { who: "token" },

  // MFA enrolment: the only way through for a person who must enrol
  "layout:/(app)": { who: "signed_in", mfaPending: true },
  "page:/account/mfa": { who: "signed_in", mfaPending: true },
  "action:account/mfa.confirmMfa": { who: "signed_in", mfaPending: true },
  // A passkey is a second factor too: it may be the one a person enrols.
  "action:account/passkeys.beginPasskey": { who: "signed_in", mfaPending: true },
  "action:account/passkeys.addPasskey": { who: "signed_in", mfaPending: true },

  // Everyone signed in (what is theirs to see is checked beside the data)
  "page:/dashboard": { who: "signed_in" },
  "page:/courses": { who: "signed_in" },
  "page:/courses/[courseId]": { who: "signed_in" },
  "page:/courses/[courseId]/lessons/[lesson]": { who: "signed_in" },
  "page:/courses/[courseId]/attempts/[attemptId]": { who: "signed_in" },
  "page:/agreements": { who: "signed_in" },
  "page:/agreements/[agreementId]": { who: "signed_in" },
  "page:/access": { who: "signed_in" },
  "page:/account": { who: "signed_in" },
  "action:account.endSession": { who: "signed_in" },
  "action:account.endAllSessions": { who: "signed_in" },
  "action:account.saveEmailCadence": { who: "signed_in" },
  "page:/notifications": { who: "signed_in" },
  "page:/notifications/[id]": { who: "signed_in" },
  "download:/courses/[courseId]/calendar": { who: "signed_in" },
  "download:/agreements/[agreementId]/calendar": { who: "signed_in" },
  "download:/agreements/[agreementId]/pdf": { who: "signed_in" },
  "download:/courses/[courseId]/images/[name]": { who: "signed_in" },
  "page:/account/data": { who: "signed_in" },
  "page:/people/[personId]": { who: "signed_in" },
  "download:/certificates/[id]": { who: "signed_in" },
  "download:/agreements/documents/[id]": { who: "signed_in" },
  "download:/agreements/consent-check/[ceremonyId]": { who: "signed_in" },
  "download:/account/data/export": { who: "signed_in" },
  "action:access.requestRole": { who: "signed_in" },
  "action:account/data.savePreferences": { who: "signed_in" },
  "action:account/data.askForCorrection": { who: "signed_in" },
  "action:account/password.changePassword": { who: "signed_in" },
  "action:account/password.startPasskeyConfirmation": { who: "signed_in" },
  "action:account/passkeys.renamePasskey": { who: "signed_in" },
  "action:account/passkeys.removePasskey": { who: "signed_in" },
  "action:agreements.consentToSign": { who: "signed_in" },
  "action:agreements.signAgreement": { who: "signed_in" },
  "action:agreements.markAgreementRead": { who: "signed_in" },
  "action:agreements.declineAgreement": { who: "signed_in" },
  "action:courses.finishLesson": { who: "signed_in" },
  "action:courses.startQuiz": { who: "signed_in" },
  "action:courses.submitQuiz": { who: "signed_in" },
  "action:courses.startPackage": { who: "signed_in" },
  "page:/courses/[courseId]/play/[attemptId]": { who: "signed_in" },
  "download:/scorm/[sha256]/[...path]": { who: "signed_in" },
  "route:/api/scorm/runs/[attemptId]/commit": { who: "signed_in" },

  // Managers
  "layout:/(app)/team": { who: "lead_team" },
  "page:/team": { who: "lead_team" },
  "download:/team/export": { who: "lead_team" },
  "action:team.nudgeOne": { who: "lead_team" },
  "action:team.nudgeOverdue": { who: "lead_team" },
  "page:/access/approvals": { who: "approve_access" },
  "action:access.decide": { who: "approve_access" },
  "action:access.revoke": { who: "approve_access" },

  // Compliance admins and auditors: reading the organisation
  "layout:/(app)/admin": { who: "oversee" },
  "layout:/(app)/audit": { who: "oversee" },
  "page:/admin": { who: "oversee" },
  "page:/admin/overview": { who: "oversee" },
  "page:/admin/people": { who: "oversee" },
  "page:/admin/people/[personId]": { who: "oversee" },
  "page:/admin/partners": { who: "oversee" },
  "page:/admin/content": { who: "oversee" },
  "page:/admin/content/[kind]/[id]": { who: "oversee" },
  "page:/admin/content/[kind]/[id]/compare": { who: "oversee" },
  "download:/admin/content/export": { who: "oversee" },
  "download:/admin/content/[kind]/[id]/scorm": { who: "oversee" },
  "page:/audit": { who: "oversee" },
  "page:/audit/data-events": { who: "oversee" },
  "download:/admin/overview/export": { who: "oversee" },
  "download:/audit/data-events/export": { who: "oversee" },
  "download:/audit/export": { who: "oversee" },
  "page:/audit/exceptions": { who: "oversee" },
  "download:/audit/exceptions/export": { who: "oversee" },
  "download:/audit/checkpoints/[id]": { who: "oversee" },
  "page:/audit/evidence": { who: "oversee" },
  "route:/audit/evidence/[packId]/status": { who: "oversee" },
  "download:/audit/evidence/[packId]/download": { who: "oversee" },
  "action:audit/evidence.generatePack": { who: "oversee" },
  "action:audit.createCheckpoint": { who: "oversee" },

  // Compliance admins: changing the organisation
  "page:/admin/people/new": { who: "administer" },
  "page:/admin/people/import": { who: "administer" },
  "page:/admin/people/import/[jobId]": { who: "administer" },
  "route:/admin/people/import/upload": { who: "administer" },
  "route:/admin/people/import/[jobId]/status": { who: "administer" },
  "download:/admin/people/import/[jobId]/problems": { who: "administer" },
  "page:/admin/assignments": { who: "administer" },
  "page:/admin/corrections": { who: "administer" },
  "page:/admin/content/[kind]/[id]/draft": { who: "administer" },
  "action:admin/content.createItem": { who: "administer" },
  "action:admin/content.openDraft": { who: "administer" },
  "action:admin/content.saveDraft": { who: "administer" },
  "action:admin/content.checkDraft": { who: "administer" },
  "action:admin/content.previewAudience": { who: "administer" },
  "action:admin/content.submitDraft": { who: "administer" },
  "action:admin/content.approveDraft": { who: "administer" },
  "action:admin/content.returnDraft": { who: "administer" },
  "action:admin/content.discardDraft": { who: "administer" },
  "action:admin/content.setApproval": { who: "administer" },
  "route:/admin/content/import": { who: "administer" },
  "route:/admin/content/[kind]/[id]/document": { who: "administer" },
  "route:/admin/content/[kind]/[id]/package": { who: "administer" },
  "route:/admin/content/[kind]/[id]/images": { who: "administer" },
  "page:/admin/outbox": { who: "administer" },
  "page:/admin/outbox/[id]": { who: "administer" },
  "action:admin/outbox.setDefaultCadence": { who: "administer" },
  "page:/admin/api": { who: "administer" },
  "page:/admin/api/reference": { who: "administer" },
  "page:/admin/webhooks": { who: "administer" },
  "page:/admin/webhooks/[id]": { who: "administer" },
  "page:/admin/identity": { who: "administer" },
  "route:/admin/assignments/people": { who: "administer" },
  "action:admin/api.createClient": { who: "administer" },
  "action:admin/api.revokeClient": { who: "administer" },
  "action:admin/api.mapScimGroup": { who: "administer" },
  "action:admin/api.unmapScimGroup": { who: "administer" },
  "action:admin/assignments.assignCourse": { who: "administer" },
  "action:admin/corrections.resolve": { who: "administer" },
  "action:admin/corrections.apply": { who: "administer" },
  "action:admin/partners.addPartner": { who: "administer" },
  "action:admin/partners.sendAgreement": { who: "administer" },
  "action:admin/partners.resendRequest": { who: "administer" },
  "action:admin/partners.copyLink": { who: "administer" },
  "action:admin/partners.voidRequest": { who: "administer" },
  "action:admin/people.changeStatus": { who: "administer" },
  "action:admin/people.changeRoles": { who: "administer" },
  "action:admin/people.annulCertification": { who: "administer" },
  "action:admin/people.addPerson": { who: "administer" },
  "action:admin/people.savePerson": { who: "administer" },
  "action:admin/people.sendInvitationAgain": { who: "administer" },
  "action:admin/people.applyImportJob": { who: "administer" },
  "action:admin/people.cancelImportJob": { who: "administer" },
  "action:admin/webhooks.addWebhook": { who: "administer" },
  "action:admin/webhooks.deactivate": { who: "administer" },
  "action:admin/webhooks.saveLrs": { who: "administer" },
  "action:admin/webhooks.disconnectLrs": { who: "administer" },
  "action:admin/webhooks.resendStatements": { who: "administer" },
  "action:admin/identity.saveOidcProvider": { who: "administer" },
  "action:admin/identity.saveSamlProvider": { who: "administer" },
  "action:admin/identity.setProviderEnabled": { who: "administer" },
  "action:admin/identity.deleteProvider": { who: "administer" },
  "action:admin/identity.testProvider": { who: "administer" },
  "action:admin/identity.setSsoOnlyPolicy": { who: "administer" },
} as const satisfies Record<string, Permission>;

export type PermissionKey = keyof typeof PERMISSIONS;
/** Keys the gate decides (a session is the credential), by kind. */
type Gated<Prefix extends string> = {
  [K in PermissionKey]: K extends `${Prefix}:${string}`
    ? (typeof PERMISSIONS)[K]["who"] extends "public" | "token"
      ? never
      : K
    : never;
}[PermissionKey];
export type PageKey = Gated<"page" | "layout">;
export type RouteKey = Gated<"route" | "download">;
export type ActionKey = Gated<"action">;

export function permission(key: PermissionKey): Permission {
  return PERMISSIONS[key];
}

/** Whether someone with these roles holds the capability. */
export function may(viewer: { roles: readonly AppRole[] }, capability: Capability): boolean {
  const roles: readonly AppRole[] = CAPABILITIES[capability];
  return viewer.roles.some((r) => roles.includes(r));
}

/** For lib/: refuses with a ForbiddenError unless the viewer holds the capability. */
export function assertMay(viewer: { roles: readonly AppRole[] }, capability: Capability, message?: string): void {
  if (!may(viewer, capability)) throw new ForbiddenError(message);
}

export type Refusal = "signed_out" | "mfa_required" | "forbidden";
/** What the gate needs to know of the signed-in person (a `Viewer` has it all). */
export type GatePerson = { roles: readonly AppRole[]; mfaRequired: boolean; mfaEnabled: boolean; mfaByIdp?: boolean };

/**
 * Holds a role that must use MFA and has not enrolled yet, unless this
 * session's second factor was done at an identity provider trusted for it.
 */
export function mustEnrolMfa(viewer: GatePerson): boolean {
  return viewer.mfaRequired && !viewer.mfaEnabled && !viewer.mfaByIdp;
}

/**
 * The gate: may this person (null when signed out) use this entry? The MFA
 * rule lives here and nowhere else: a person who holds an MFA-required role
 * and has not enrolled is refused everything that does not say `mfaPending`.
 */
export function gate(viewer: GatePerson | null, key: PermissionKey): { ok: true } | { ok: false; refusal: Refusal } {
  const { who, mfaPending } = PERMISSIONS[key] as Permission;
  if (who === "public" || who === "token") return { ok: true };
  if (!viewer) return { ok: false, refusal: "signed_out" };
  if (mustEnrolMfa(viewer) && !mfaPending) return { ok: false, refusal: "mfa_required" };
  if (who !== "signed_in" && !may(viewer, who)) return { ok: false, refusal: "forbidden" };
  return { ok: true };
}
