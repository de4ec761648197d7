import fc from "fast-check";

import { decide, requestRole, revoke } from "@/app/(app)/access/actions";
import { endAllSessions, endSession, saveEmailCadence } from "@/app/(app)/account/actions";
import { askForCorrection, savePreferences } from "@/app/(app)/account/data/actions";
import { confirmMfa } from "@/app/(app)/account/mfa/actions";
import { addPasskey, beginPasskey, removePasskey, renamePasskey } from "@/app/(app)/account/passkeys/actions";
import { changePassword, startPasskeyConfirmation } from "@/app/(app)/account/password/actions";
import { createClient, mapScimGroup, revokeClient, unmapScimGroup } from "@/app/(app)/admin/api/actions";
import { assignCourse } from "@/app/(app)/admin/assignments/actions";
import {
  approveDraft,
  checkDraft,
  createItem,
  discardDraft,
  openDraft,
  previewAudience,
  returnDraft,
  saveDraft,
  setApproval,
  submitDraft,
} from "@/app/(app)/admin/content/actions";
import { apply, resolve } from "@/app/(app)/admin/corrections/actions";
import {
  deleteProvider,
  saveOidcProvider,
  saveSamlProvider,
  setProviderEnabled,
  setSsoOnlyPolicy,
  testProvider,
} from "@/app/(app)/admin/identity/actions";
import { setDefaultCadence } from "@/app/(app)/admin/outbox/actions";
import { addPartner, copyLink, resendRequest, sendAgreement, voidRequest } from "@/app/(app)/admin/partners/actions";
import {
  addPerson,
  annulCertification,
  applyImportJob,
  cancelImportJob,
  changeRoles,
  changeStatus,
  savePerson,
  sendInvitationAgain,
} from "@/app/(app)/admin/people/actions";
import { addWebhook, deactivate, disconnectLrs, resendStatements, saveLrs } from "@/app/(app)/admin/webhooks/actions";
import { consentToSign, declineAgreement, markAgreementRead, signAgreement } from "@/app/(app)/agreements/actions";
import { createCheckpoint } from "@/app/(app)/audit/actions";
import { generatePack } from "@/app/(app)/audit/evidence/actions";
import { finishLesson, startPackage, startQuiz, submitQuiz } from "@/app/(app)/courses/actions";
import { nudgeOne, nudgeOverdue } from "@/app/(app)/team/actions";
import { requestReset } from "@/app/forgot-password/actions";
import {
  confirmCode,
  giveConsent as partnerConsent,
  decline as partnerDecline,
  sign as partnerSign,
  requestCode,
} from "@/app/partner-sign/[token]/actions";
import { choosePassword } from "@/app/set-password/[token]/actions";
import { startPasskeySignIn } from "@/app/signin/actions";
import { apiScopes, appRoles, personStatuses, webhookEventTypes } from "@/db/schema";
import type { PermissionKey } from "@/lib/auth/permissions";
import { getContent } from "@/lib/content";

import { TEST_PASSWORD } from "../helpers/factories";
import { anyText, idFrom, nastyUnit, randomForm, shapedForm, toFormData, type FormValue } from "./arbitraries";

/** The test data the arbitraries draw real ids, tokens and names from; filled in before the properties run. */
export type World = {
  ids: Record<
    | "people"
    | "reports"
    | "grants"
    | "corrections"
    | "clients"
    | "webhooks"
    | "partners"
    | "requests"
    | "providers"
    | "certifications",
    string[]
  >;
  emails: string[];
  names: string[];
  invitationTokens: string[];
  partnerTokens: string[];
  ceremonies: { agreementId: string; ceremonyId: string }[];
  attemptIds: string[];
};

/**
 * Who is signed in when the action runs. `mfaPending` holds every role but has
 * not set up two-factor authentication; `otherManager` manages a different team.
 * Which of them may run an action is read from lib/auth/permissions.ts.
 */
export type Signer = "admin" | "auditor" | "manager" | "otherManager" | "employee" | "mfaPending" | "nobody";

export type ActionSpec = {
  name: string;
  run: (previous: null, form: FormData) => Promise<unknown>;
  /** Who runs it under random forms: someone its permission lets through. */
  as: Signer;
  /** Its entry in the permission table, which says who may run it. */
  permission: PermissionKey;
  /** Fields with values of the right shape (and random content), for forms that reach the domain code. */
  form: fc.Arbitrary<FormData>;
  fields: string[];
  /** Answers with a verdict rather than `{ ok }`, and stores nothing either way (the public document check). */
  verdict?: boolean;
  /** Security records a rejection with this message must keep, e.g. a failed re-authentication that counts towards a lock. */
  recordsOnRejection?: { error: RegExp; tables: string[] };
};

type Field = fc.Arbitrary<FormValue | FormValue[] | undefined>;

/** A form whose fields depend on each other (a signing and its agreement, a file and its digest). */
class Custom {
  constructor(
    readonly fields: string[],
    readonly form: fc.Arbitrary<FormData>,
  ) {}
}

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined, freq: 4 });
const either = (...values: readonly string[]) =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: anyText });
const pick = (values: () => string[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.nat().map((i) => values()[i % values().length]) },
    { weight: 1, arbitrary: anyText },
  );
const several = (values: readonly string[]) =>
  fc.oneof(fc.subarray([...values]), anyText, fc.array(anyText, { maxLength: 3 }));
const isoDate = fc.oneof(
  fc
    .date({ min: new Date("1900-01-01"), max: new Date("2200-12-31"), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom("2026-02-30", "0000-01-01", ""),
  anyText,
);
const sentence = fc.oneof(fc.constant("I handle customer tickets that contain personal data."), anyText);
const sixDigits = fc.oneof(
  fc.integer({ min: 0, max: 999_999 }).map((n) => String(n).padStart(6, "0")),
  anyText,
);
/** A 1×1 PNG, as a canvas would send a (very small) drawing. */
const TINY_PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/** A drawn signature: a real PNG, a PNG header with anything after it, or not an image at all. */
export const pngDataUrl = fc.oneof(
  fc.constant(TINY_PNG),
  fc
    .uint8Array({ maxLength: 64 })
    .map(
      (tail) =>
        `data:image/png;base64,${Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), tail]).toString("base64")}`,
    ),
  anyText.map((t) => `data:image/png;base64,${t}`),
  anyText,
);

/** "admin/people changeRoles" → "action:admin/people.changeRoles", as the permission table names Server Actions. */
export const actionKey = (name: string) => `action:${name.replace(" ", ".")}` as PermissionKey;

export function actionSpecs(world: World): ActionSpec[] {
  const { agreements, courses, accessRoles } = getContent();
  const everyId = () => Object.values(world.ids).flat();
  /** Mostly an id of the right kind, sometimes one of another kind, any UUID or any text. */
  const id = (kind: keyof World["ids"]) =>
    fc.oneof({ weight: 3, arbitrary: pick(() => world.ids[kind]) }, { weight: 1, arbitrary: idFrom(everyId) });
  const email = fc.oneof(
    pick(() => world.emails),
    fc.emailAddress(),
  );
  const personFields = {
    name: pick(() => world.names),
    email,
    departmentId: either("support", "engineering", ""),
    title: maybe(anyText),
    managerEmail: maybe(
      fc.oneof(
        fc.constant(""),
        pick(() => world.emails),
      ),
    ),
    hireDate: maybe(isoDate),
    roles: several(appRoles),
  };
  const employeeAgreement = either(...agreements.filter((a) => a.audience === "employee").map((a) => a.id));
  const courseId = either(...courses.map((c) => c.id));
  const lesson = either(...courses.flatMap((c) => c.lessons.map((l) => l.slug)));
  // A draft's files as the editor sends them (JSON of path → text), or anything at all.
  const contentFiles = fc.oneof(
    fc
      .dictionary(
        fc.oneof(fc.constantFrom("agreements/employee-nda.md", "courses/x/course.yaml", "../etc/passwd"), anyText),
        anyText,
      )
      .map((d) => JSON.stringify(d)),
    anyText,
  );
  // The agreement and the signing opened for it, as the signing page posts them; or any mix.
  const signing = fc.oneof(
    { weight: 2, arbitrary: fc.nat().map((i) => world.ceremonies[i % world.ceremonies.length]) },
    {
      weight: 1,
      arbitrary: fc.record({
        agreementId: employeeAgreement,
        ceremonyId: fc.oneof(
          pick(() => world.ceremonies.map((c) => c.ceremonyId)),
          idFrom(everyId),
        ),
      }),
    },
  );
  const onSigning = (fields: Record<string, Field>) =>
    new Custom(
      ["agreementId", "ceremonyId", ...Object.keys(fields)],
      fc
        .tuple(signing, shapedForm(fields))
        .map(([s, rest]) =>
          toFormData([
            ["agreementId", s.agreementId],
            ["ceremonyId", s.ceremonyId],
            ...(Array.from(rest.entries()) as [string, FormValue][]),
          ]),
        ),
    );
  const partnerToken = pick(() => world.partnerTokens);
  const answers = fc.dictionary(
    fc.oneof(
      fc.string({ unit: nastyUnit, maxLength: 6 }).map((k) => `q.${k}`),
      fc.string({ maxLength: 6 }),
    ),
    fc.oneof(anyText, fc.array(anyText, { maxLength: 12 })),
    { maxKeys: 6 },
  );

  const spec = (
    name: string,
    run: ActionSpec["run"],
    as: Signer,
    shape: Record<string, Field> | Custom,
    options: Partial<Pick<ActionSpec, "verdict" | "recordsOnRejection">> = {},
  ): ActionSpec => ({
    name,
    run,
    as,
    permission: actionKey(name),
    fields: shape instanceof Custom ? shape.fields : Object.keys(shape),
    form: shape instanceof Custom ? shape.form : shapedForm(shape),
    verdict: options.verdict,
    recordsOnRejection: options.recordsOnRejection,
  });
  const run = <S>(fn: (previous: S, form: FormData) => Promise<unknown>) => fn as unknown as ActionSpec["run"];

  return [
    // Compliance admins
    spec("admin/api createClient", run(createClient), "admin", {
      name: anyText,
      scopes: several(apiScopes),
      rateLimitPerMinute: fc.oneof(fc.integer().map(String), anyText),
    }),
    spec("admin/api revokeClient", run(revokeClient), "admin", { id: id("clients") }),
    spec("admin/api mapScimGroup", run(mapScimGroup), "admin", {
      clientId: id("clients"),
      groupName: anyText,
      target: either(
        "role:auditor",
        "role:manager",
        "role:compliance_admin",
        "role:employee",
        "department:support",
        "department:nowhere",
      ),
    }),
    spec("admin/api unmapScimGroup", run(unmapScimGroup), "admin", { id: fc.oneof(fc.uuid(), anyText) }),
    spec("admin/corrections resolve", run(resolve), "admin", {
      id: id("corrections"),
      outcome: either("resolved", "rejected"),
      resolution: maybe(anyText),
    }),
    spec("admin/corrections apply", run(apply), "admin", {
      id: id("corrections"),
      value: fc.oneof(anyText, fc.emailAddress(), either("support", "nowhere", "")),
      resolution: maybe(anyText),
    }),
    spec("admin/content createItem", run(createItem), "admin", {
      kind: either("course", "agreement"),
      id: fc.oneof(fc.constantFrom("our-tools", "employee-nda", "A b", ""), anyText),
      title: anyText,
    }),
    spec("admin/content openDraft", run(openDraft), "admin", {
      kind: either("course", "agreement"),
      id: fc.oneof(courseId, employeeAgreement, anyText),
      from: either("current", "shipped", "version"),
      versionId: maybe(fc.oneof(fc.uuid(), anyText)),
    }),
    spec("admin/content saveDraft", run(saveDraft), "admin", {
      draftId: fc.oneof(fc.uuid(), anyText),
      files: contentFiles,
      expectedUpdatedAt: fc.oneof(fc.constant(new Date().toISOString()), anyText),
    }),
    spec("admin/content checkDraft", run(checkDraft), "admin", {
      kind: either("course", "agreement"),
      id: fc.oneof(courseId, employeeAgreement, anyText),
      files: contentFiles,
      preview: maybe(fc.oneof(fc.constant("agreements/employee-nda.md"), anyText)),
    }),
    spec("admin/content previewAudience", run(previewAudience), "admin", {
      rule: fc.oneof(
        fc.constantFrom(
          '{"everyone":true}',
          '{"departments":["support"],"accessRoles":["customer-pii-read"]}',
          "{}",
          "[",
          "",
        ),
        fc
          .record({ appRoles: fc.subarray(["employee", "manager", "auditor", "nobody"]) })
          .map((r) => JSON.stringify(r)),
        anyText,
      ),
    }),
    spec("admin/content submitDraft", run(submitDraft), "admin", {
      draftId: fc.oneof(fc.uuid(), anyText),
      kind: either("course", "agreement"),
      id: fc.oneof(courseId, anyText),
      change: either("major", "minor"),
      note: maybe(anyText),
    }),
    spec("admin/content approveDraft", run(approveDraft), "admin", {
      draftId: fc.oneof(fc.uuid(), anyText),
      kind: either("course", "agreement"),
      id: fc.oneof(courseId, anyText),
    }),
    spec("admin/content returnDraft", run(returnDraft), "admin", {
      draftId: fc.oneof(fc.uuid(), anyText),
      kind: either("course", "agreement"),
      id: fc.oneof(courseId, anyText),
      reason: anyText,
    }),
    spec("admin/content discardDraft", run(discardDraft), "admin", {
      draftId: fc.oneof(fc.uuid(), anyText),
      kind: either("course", "agreement"),
      id: fc.oneof(courseId, anyText),
    }),
    spec("admin/content setApproval", run(setApproval), "admin", {
      kind: either("course", "agreement"),
      requireApproval: either("on", "off"),
    }),
    spec("admin/partners addPartner", run(addPartner), "admin", {
      name: anyText,
      contactName: anyText,
      contactEmail: fc.oneof(fc.emailAddress(), anyText),
      requiredAgreements: several(agreements.map((a) => a.id)),
    }),
    spec("admin/partners sendAgreement", run(sendAgreement), "admin", {
      partnerId: id("partners"),
      agreementId: either(...agreements.map((a) => a.id)),
    }),
    spec("admin/partners resendRequest", run(resendRequest), "admin", { requestId: id("requests") }),
    spec("admin/partners copyLink", run(copyLink), "admin", { requestId: id("requests") }),
    spec("admin/partners voidRequest", run(voidRequest), "admin", { requestId: id("requests") }),
    spec("admin/webhooks addWebhook", run(addWebhook), "admin", {
      url: fc.oneof(
        fc.webUrl({ withQueryParameters: true, withFragments: true }),
        fc.constantFrom(
          "http://localhost:9/hook",
          "http://example.com/x",
          "javascript:alert(1)",
          "https://user:pw@siem.example/h",
          "https://[::1]/",
        ),
        anyText,
      ),
      eventTypes: several(webhookEventTypes),
    }),
    spec("admin/webhooks deactivate", run(deactivate), "admin", { webhookId: id("webhooks") }),
    // Loopback only (or not a web URL at all): saving asks the store at once whether it takes the key.
    spec("admin/webhooks saveLrs", run(saveLrs), "admin", {
      endpoint: fc.oneof(
        fc.constantFrom(
          "http://127.0.0.1:9/xapi/",
          "http://127.0.0.1:9/xapi/statements",
          "https://10.0.0.1/xapi",
          "https://user:pw@lrs.example/x",
          "http://lrs.example.com/xapi/",
          "ftp://127.0.0.1/",
        ),
        anyText.filter((t) => !/^\s*https?:/i.test(t)),
      ),
      username: maybe(fc.oneof(fc.constantFrom("key", "a:b", ""), anyText)),
      password: maybe(fc.oneof(fc.constant("secret"), anyText)),
      actor: maybe(fc.oneof(fc.constantFrom("account", "mbox"), anyText)),
    }),
    spec("admin/webhooks disconnectLrs", run(disconnectLrs), "admin", {}),
    spec("admin/webhooks resendStatements", run(resendStatements), "admin", {}),
    spec("admin/identity saveOidcProvider", run(saveOidcProvider), "admin", {
      id: maybe(id("providers")),
      name: fc.oneof(fc.constant("Okta"), anyText),
      slug: fc.oneof(fc.constantFrom("okta", "entra-id", "Okta", "-x", ""), anyText),
      // Loopback only (or not a web URL at all): "Test configuration" may later read what is saved here.
      issuer: fc.oneof(
        fc.constantFrom(
          "http://127.0.0.1:9",
          "https://127.0.0.1:9/realms/x",
          "ftp://127.0.0.1/",
          "javascript:alert(1)",
        ),
        anyText.filter((t) => !/^\s*https?:/i.test(t)),
      ),
      clientId: fc.oneof(fc.constant("clearance"), anyText),
      clientSecret: maybe(anyText),
      scopes: fc.oneof(fc.constantFrom("openid email profile", "email", 'openid "x"'), anyText),
      tokenAuthMethod: either("client_secret_basic", "client_secret_post"),
      emailClaim: maybe(either("email", "upn")),
      emailVerifiedClaim: maybe(either("email_verified", "xms_edov")),
      mfaAmrValues: maybe(either("mfa", "mfa otp")),
      mfaAcrValues: maybe(anyText),
      allowedDomains: fc.oneof(
        fc.constantFrom("test.example", "test.example, @Other.example", "not a domain"),
        anyText,
      ),
      jitProvisioning: maybe(either("on")),
      acceptIdpMfa: maybe(either("on")),
      departmentClaim: maybe(anyText),
      managerClaim: maybe(anyText),
      titleClaim: maybe(anyText),
    }),
    spec("admin/identity saveSamlProvider", run(saveSamlProvider), "admin", {
      id: maybe(id("providers")),
      name: fc.oneof(fc.constant("Okta SAML"), anyText),
      slug: fc.oneof(fc.constantFrom("okta-saml", "x-", "Okta", ""), anyText),
      metadataXml: maybe(
        fc.oneof(
          fc.constantFrom(
            "<EntityDescriptor/>",
            "not xml <",
            '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example"><md:IDPSSODescriptor/></md:EntityDescriptor>',
          ),
          anyText,
        ),
      ),
      idpEntityId: maybe(fc.oneof(fc.constant("https://idp.example/saml"), anyText)),
      // Loopback or not a web URL: nothing saved here is ever fetched by the tests.
      idpSsoUrl: maybe(fc.oneof(fc.constantFrom("http://127.0.0.1:9/sso", "javascript:alert(1)"), anyText)),
      idpCertificate: maybe(
        fc.oneof(fc.constant("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"), anyText),
      ),
      allowedDomains: fc.oneof(fc.constantFrom("test.example", "not a domain"), anyText),
      jitProvisioning: maybe(either("on")),
      acceptIdpMfa: maybe(either("on")),
      allowIdpInitiated: maybe(either("on")),
      emailAttribute: maybe(fc.oneof(fc.constant("email"), anyText)),
      nameAttribute: maybe(anyText),
      departmentClaim: maybe(anyText),
      managerClaim: maybe(anyText),
      titleClaim: maybe(anyText),
      mfaAuthnContexts: maybe(anyText),
    }),
    spec("admin/identity setProviderEnabled", run(setProviderEnabled), "admin", {
      providerId: id("providers"),
      enabled: either("true", "false"),
    }),
    spec("admin/identity deleteProvider", run(deleteProvider), "admin", { providerId: id("providers") }),
    spec("admin/identity testProvider", run(testProvider), "admin", { providerId: id("providers") }),
    spec("admin/identity setSsoOnlyPolicy", run(setSsoOnlyPolicy), "admin", {
      policy: either("off", "privileged", "everyone"),
    }),
    spec("admin/people changeStatus", run(changeStatus), "admin", {
      personId: id("people"),
      status: either(...personStatuses),
    }),
    spec("admin/people changeRoles", run(changeRoles), "admin", { personId: id("people"), roles: several(appRoles) }),
    spec("admin/people annulCertification", run(annulCertification), "admin", {
      certificationId: id("certifications"),
      reason: maybe(either("Answers were shared during the attempt.", "")),
    }),
    spec("admin/people addPerson", run(addPerson), "admin", personFields),
    spec("admin/people savePerson", run(savePerson), "admin", { ...personFields, personId: id("people") }),
    spec("admin/people sendInvitationAgain", run(sendInvitationAgain), "admin", { personId: id("people") }),
    // Any uuid: a job that does not exist (or is not ready) is a refusal with a message, never a 500.
    spec("admin/people applyImportJob", run(applyImportJob), "admin", { jobId: id("people") }),
    spec("admin/people cancelImportJob", run(cancelImportJob), "admin", { jobId: id("people") }),
    spec("admin/assignments assignCourse", run(assignCourse), "admin", { email, courseId, dueDate: isoDate }),
    // Compliance admins and auditors
    spec("audit createCheckpoint", run(createCheckpoint), "auditor", {}),
    // Valid periods queue a pack (the same one again while it is pending); anything else is a field message.
    spec("audit/evidence generatePack", run(generatePack), "auditor", {
      from: isoDate,
      to: isoDate,
      department: either("support", "engineering", ""),
      overdueDays: maybe(either("0", "30", "-1", "1e9")),
    }),
    // Managers
    spec("team nudgeOne", run(nudgeOne), "manager", { personId: id("reports") }),
    spec("team nudgeOverdue", run(nudgeOverdue), "manager", {
      q: maybe(anyText),
      department: maybe(anyText),
      status: maybe(either("overdue", "due_soon")),
      item: maybe(anyText),
      sort: maybe(anyText),
      page: maybe(fc.oneof(fc.integer().map(String), anyText)),
    }),
    spec("access decide", run(decide), "manager", {
      grantId: id("grants"),
      decision: either("approve", "deny"),
      comment: maybe(anyText),
      endsOn: maybe(isoDate),
    }),
    spec("access revoke", run(revoke), "manager", { grantId: id("grants"), reason: maybe(anyText) }),
    // Everyone signed in
    spec("access requestRole", run(requestRole), "employee", {
      roleId: either(...accessRoles.map((r) => r.id)),
      justification: sentence,
    }),
    spec("account/data savePreferences", run(savePreferences), "employee", {
      managerSeesScores: either("scores", "pass_fail"),
    }),
    spec("account/data askForCorrection", run(askForCorrection), "employee", {
      field: either("name", "department", "title", "manager", "other"),
      requestedValue: anyText,
      note: maybe(anyText),
    }),
    spec("account/mfa confirmMfa", run(confirmMfa), "mfaPending", { code: sixDigits }),
    spec("account endSession", run(endSession), "employee", { sessionId: maybe(fc.oneof(fc.uuid(), anyText)) }),
    spec("account endAllSessions", run(endAllSessions), "employee", {}),
    spec("account saveEmailCadence", run(saveEmailCadence), "employee", {
      cadence: either("organisation", "each", "daily", "weekly"),
    }),
    spec("admin/outbox setDefaultCadence", run(setDefaultCadence), "admin", {
      cadence: either("each", "daily", "weekly"),
    }),
    // Passkeys: a made-up answer never verifies; the ceremony itself is in tests/e2e/passkeys.spec.ts.
    spec("account/passkeys beginPasskey", run(beginPasskey), "mfaPending", {}),
    spec("account/passkeys addPasskey", run(addPasskey), "mfaPending", { name: anyText, response: anyText }),
    spec("account/passkeys renamePasskey", run(renamePasskey), "employee", {
      passkeyId: idFrom(everyId),
      name: anyText,
    }),
    spec("account/passkeys removePasskey", run(removePasskey), "employee", { passkeyId: idFrom(everyId) }),
    // A wrong current password is counted, so five of them pause changes. (Success replaces the cookie: tests/integration/passwords.test.ts.)
    spec(
      "account/password changePassword",
      run(changePassword),
      "employee",
      {
        current: anyText,
        next: fc.oneof(fc.constant("a long enough new password"), anyText),
        confirm: fc.oneof(fc.constant("a long enough new password"), anyText),
        code: maybe(sixDigits),
        passkey: maybe(anyText),
      },
      {
        recordsOnRejection: {
          error: /^(Please correct|Too many wrong tries)/,
          tables: ["attempt_counters", "audit_events"],
        },
      },
    ),
    spec("account/password startPasskeyConfirmation", run(startPasskeyConfirmation), "employee", {}),
    // A wrong code from the consent-check PDF is counted on the signing, so five wrong codes discard it.
    spec(
      "agreements consentToSign",
      run(consentToSign),
      "employee",
      onSigning({ consent: maybe(either("yes")), consentCode: maybe(either("ABCDEF", "abc-def")) }),
      { recordsOnRejection: { error: /^Please correct/, tables: ["signing_ceremonies"] } },
    ),
    spec(
      "agreements signAgreement",
      run(signAgreement),
      "employee",
      onSigning({
        typedName: pick(() => world.names),
        password: maybe(either(TEST_PASSWORD)),
        code: maybe(sixDigits),
        signature: maybe(pngDataUrl),
      }),
      // A failed re-authentication is counted on the signing and on the account's sign-in limit, and audited, so five wrong passwords lock it.
      {
        recordsOnRejection: {
          error: /^(That (password|code) is not right|Too many failed confirmations for your account)/,
          tables: ["signing_ceremonies", "audit_events", "attempt_counters", "login_attempts"],
        },
      },
    ),
    spec("agreements markAgreementRead", run(markAgreementRead), "employee", onSigning({})),
    spec("agreements declineAgreement", run(declineAgreement), "employee", {
      agreementId: employeeAgreement,
      reason: maybe(anyText),
    }),
    spec("courses finishLesson", run(finishLesson), "employee", { courseId, lesson }),
    spec("courses startQuiz", run(startQuiz), "employee", { courseId }),
    spec("courses startPackage", run(startPackage), "employee", { courseId }),
    spec(
      "courses submitQuiz",
      run(submitQuiz),
      "employee",
      new Custom(
        ["attemptId", "courseId", "q.1"],
        fc
          .tuple(
            fc.oneof(
              pick(() => world.attemptIds),
              idFrom(everyId),
            ),
            courseId,
            answers,
          )
          .map(([attemptId, course, given]) =>
            toFormData([
              ["attemptId", attemptId],
              ["courseId", course],
              ...Object.entries(given).flatMap(([k, v]) =>
                (Array.isArray(v) ? v : [v]).map((one) => [k, one] as [string, FormValue]),
              ),
            ]),
          ),
      ),
    ),
    // No session: the link's token, or nothing, is the authority
    spec(
      "set-password choosePassword",
      run(choosePassword),
      "nobody",
      new Custom(
        ["token", "password", "confirm"],
        fc
          .tuple(
            pick(() => world.invitationTokens),
            fc.oneof(fc.constant("a long enough password"), anyText),
            fc.boolean(),
            anyText,
          )
          .map(([token, password, same, other]) =>
            toFormData([
              ["token", token],
              ["password", password],
              ["confirm", same ? password : other],
            ]),
          ),
      ),
    ),
    spec("forgot-password requestReset", run(requestReset), "nobody", { email: fc.oneof(email, anyText) }),
    spec("signin startPasskeySignIn", run(startPasskeySignIn), "nobody", {}),
    spec("partner-sign requestCode", run(requestCode), "nobody", { token: partnerToken }),
    // A wrong code is counted on the request, so five wrong codes lock it.
    spec(
      "partner-sign confirmCode",
      run(confirmCode),
      "nobody",
      { token: partnerToken, code: sixDigits },
      { recordsOnRejection: { error: /^That code is not right/, tables: ["partner_signing_requests"] } },
    ),
    spec(
      "partner-sign giveConsent",
      run(partnerConsent),
      "nobody",
      { token: partnerToken, consent: either("yes"), consentCode: maybe(either("ABCDEF")) },
      { recordsOnRejection: { error: /consent-check PDF/, tables: ["signing_ceremonies"] } },
    ),
    spec("partner-sign sign", run(partnerSign), "nobody", {
      token: partnerToken,
      typedName: either("Hannah Müller", "hannah müller"),
      signature: maybe(pngDataUrl),
    }),
    spec("partner-sign decline", run(partnerDecline), "nobody", { token: partnerToken, reason: maybe(anyText) }),
  ];
}

/** The form an action gets: well-shaped with random values, or random keys and values around its fields. */
export function formFor(spec: ActionSpec): fc.Arbitrary<FormData> {
  return fc.oneof({ weight: 2, arbitrary: spec.form }, { weight: 1, arbitrary: randomForm(spec.fields) });
}
