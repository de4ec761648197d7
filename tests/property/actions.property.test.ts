import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";

import { eq } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { certifications, outbox, people } from "@/db/schema";
import { createApiClient } from "@/lib/access/api-clients";
import { requestAccess } from "@/lib/access/approvals";
import { openSigning } from "@/lib/agreements/employee-agreements";
import { createPartner, sendPartnerAgreement } from "@/lib/agreements/partner-register";
import { sendPartnerCode, verifyPartnerCode } from "@/lib/agreements/partner-signing";
import { startMfaEnrolment } from "@/lib/auth/mfa";
import { gate, PERMISSIONS, type PermissionKey } from "@/lib/auth/permissions";
import type { Viewer } from "@/lib/auth/roles";
import { getContent } from "@/lib/content";
import { saveOidcProvider } from "@/lib/identity/providers/manage-providers";
import { createLogger, setLoggerForTests } from "@/lib/log";
import { createPerson as createPersonAsAdmin } from "@/lib/people/person-editor";
import { requestCorrection } from "@/lib/privacy/preferences";
import { startAttempt } from "@/lib/training/attempts";
import { recordLoadedCourseReleases } from "@/lib/training/course-releases";
import { completeLesson } from "@/lib/training/lesson-progress";
import { createWebhook } from "@/lib/webhooks/manage-webhooks";

import { satisfyRole } from "../helpers/access-fixtures";
import { consentToSign } from "../helpers/consent";
import { context, createPerson, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";
import { actionKey, actionSpecs, formFor, pngDataUrl, type ActionSpec, type Signer, type World } from "./action-specs";
import { headerValue, RUNS, TIMEOUT, toFormData } from "./arbitraries";
import { watchTables } from "./table-state";

/**
 * The session and the request headers are what Next.js would provide; the
 * database and every line of product code below them are real.
 */
const request = vi.hoisted(() => ({
  viewer: null as Viewer | null,
  headers: new Headers(),
  cookies: new Map<string, string>(),
}));
vi.mock("@/lib/auth/viewer", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/auth/viewer")>()),
  getViewer: async () => request.viewer,
  currentSessionId: async () => null,
}));
vi.mock("next/headers", () => ({
  headers: async () => request.headers,
  // The browser's cookies stay as they were set up: an action setting or deleting one changes nothing for the next.
  cookies: async () => ({
    get: (name: string) => (request.cookies.has(name) ? { name, value: request.cookies.get(name)! } : undefined),
    set: () => {},
    delete: () => {},
  }),
}));
vi.mock("next/cache", () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));
/** Work an action leaves for after its answer (making a pack, sending a reset mail) runs before the tables are compared. */
const afterAnswer: Array<Promise<unknown>> = [];
vi.mock("next/server", async (importOriginal) => ({
  ...(await importOriginal<typeof import("next/server")>()),
  after: (task: Promise<unknown> | (() => unknown)) => {
    afterAnswer.push(typeof task === "function" ? Promise.resolve().then(task) : task);
  },
}));

const database = withTestDatabase();
const tables = watchTables(database.db);
const world: World = {
  ids: {
    people: [],
    reports: [],
    grants: [],
    corrections: [],
    clients: [],
    webhooks: [],
    partners: [],
    requests: [],
    providers: [],
    certifications: [],
  },
  emails: [],
  names: [],
  invitationTokens: [],
  partnerTokens: [],
  ceremonies: [],
  attemptIds: [],
};
const signers = {} as Record<Exclude<Signer, "nobody">, Viewer>;
const specs = actionSpecs(world);

/** Tokens live only in the emails that carry them: read them back from the outbox. */
async function tokensInOutbox(kind: string, pattern: RegExp): Promise<string[]> {
  const rows = await database
    .db()
    .select({ text: outbox.text })
    .from(outbox)
    .where(eq(outbox.kind, kind))
    .orderBy(outbox.createdAt);
  return rows.flatMap((r) => Array.from(r.text?.matchAll(pattern) ?? [], (m) => m[1]));
}

beforeAll(async () => {
  const db = database.db();
  const now = new Date();
  // As the server does at start: later reads find the releases recorded, whichever action runs first.
  await recordLoadedCourseReleases(db, now);
  const enrolled = async (roles: ("manager" | "compliance_admin" | "auditor")[], name: string, managerId?: string) => {
    const person = await createPerson(db, { roles, name, managerId });
    await db.update(people).set({ mfaEnabledAt: now }).where(eq(people.id, person.id));
    return viewerOf({ ...person, mfaEnabledAt: now });
  };
  signers.admin = await enrolled(["compliance_admin"], "Carmen Díaz");
  signers.manager = await enrolled(["manager"], "Priya Nair");
  signers.otherManager = await enrolled(["manager"], "Isabel Costa");
  signers.auditor = await enrolled(["auditor"], "Amir Haddad");
  const secondAdmin = await enrolled(["compliance_admin"], "Amir Haddad");
  signers.employee = viewerOf(await createPerson(db, { name: "José Ñúñez", managerId: signers.manager.id }));
  signers.mfaPending = viewerOf(
    await createPerson(db, { name: "李华", roles: ["manager", "compliance_admin", "auditor"] }),
  );
  await startMfaEnrolment(signers.mfaPending);
  const audit = (viewer: Viewer) => context(viewer.id);

  const invited = await createPersonAsAdmin(signers.admin, audit(signers.admin), {
    name: "Léa Dubois",
    email: "lea.dubois@test.example",
    departmentId: "support",
    title: null,
    managerEmail: signers.manager.email,
    hireDate: null,
    roles: ["employee"],
  });
  // Certifications an admin may annul: Léa's, for the courses a data-access role needs.
  await satisfyRole(database.db(), invited.id, "customer-pii-read");
  const certified = await database
    .db()
    .select({ id: certifications.id })
    .from(certifications)
    .where(eq(certifications.personId, invited.id));
  const grant = await requestAccess(
    signers.employee,
    audit(signers.employee),
    "customer-pii-read",
    "I answer tickets with customer data.",
  );
  const correction = await requestCorrection(signers.employee, audit(signers.employee), {
    field: "title",
    requestedValue: "Support Engineer",
  });
  const ownCorrection = await requestCorrection(signers.admin, audit(signers.admin), {
    field: "name",
    requestedValue: "Carmen Diaz",
  });
  const client = await createApiClient(signers.admin, audit(signers.admin), {
    name: "support console",
    scopes: ["access:check"],
  });
  const webhook = await createWebhook(signers.admin, audit(signers.admin), {
    url: "https://siem.example.com/hooks/clearance",
    eventTypes: ["access.granted"],
  });

  // Links for the partner-signing actions: one waiting for its code, one with the inbox confirmed
  // (so consent, signing and declining are reachable). Their ids stay out of the admin actions'
  // reach, so a resend or void there does not end these links.
  const partner = await createPartner(signers.admin, audit(signers.admin), {
    name: "Acme Logistics GmbH",
    contactName: "Hannah Müller",
    contactEmail: "hannah@acme.example",
    requiredAgreements: ["partner-dpa"],
  });
  const otherPartner = await createPartner(signers.admin, audit(signers.admin), {
    name: "Beta Freight",
    contactName: "Hannah Müller",
    contactEmail: "ops@beta.example",
    requiredAgreements: ["partner-dpa"],
  });
  await sendPartnerAgreement(signers.admin, audit(signers.admin), partner.id, "partner-dpa");
  await sendPartnerAgreement(signers.admin, audit(signers.admin), otherPartner.id, "partner-dpa");
  world.partnerTokens = await tokensInOutbox("partner-signing-link", /partner-sign\/([A-Za-z0-9_-]+)/g);
  const partnerContext = { ...context(null), ip: "198.51.100.4" };
  await sendPartnerCode(world.partnerTokens[1], partnerContext);
  const [code] = await tokensInOutbox("partner-signing-code", /\b(\d{6})\b/g);
  const { browserKey } = await verifyPartnerCode(world.partnerTokens[1], code, partnerContext);
  request.cookies.set("clearance-partner-signer", browserKey);
  const thirdPartner = await createPartner(signers.admin, audit(signers.admin), {
    name: "Gamma Data",
    contactName: "Ola Nordmann",
    contactEmail: "ola@gamma.example",
    requiredAgreements: ["partner-dpa"],
  });
  const forAdmins = await sendPartnerAgreement(signers.admin, audit(signers.admin), thirdPartner.id, "partner-dpa");

  // Signings the employee has opened, one with consent given, so re-authentication is reachable.
  for (const [index, agreement] of getContent()
    .agreements.filter((a) => a.audience === "employee")
    .entries()) {
    const opened = await openSigning(signers.employee, agreement.id, "127.0.0.1");
    if (index === 0)
      await consentToSign(
        signers.employee,
        { ...audit(signers.employee), ip: "127.0.0.1" },
        agreement.id,
        opened.ceremony.id,
      );
    world.ceremonies.push({ agreementId: agreement.id, ceremonyId: opened.ceremony.id });
  }
  const course = getContent().courses[0];
  for (const lesson of course.lessons) await completeLesson(signers.employee, course.id, lesson.slug);
  world.attemptIds = [(await startAttempt(signers.employee, course.id)).attemptId];

  // An identity provider whose issuer is a closed loopback port: testing it never leaves the machine.
  const provider = await saveOidcProvider(
    signers.admin,
    {
      name: "Test IdP",
      slug: "test-idp",
      issuer: "http://127.0.0.1:9",
      clientId: "clearance",
      clientSecret: "secret",
      scopes: ["openid", "email"],
      tokenAuthMethod: "client_secret_basic",
      emailClaim: "email",
      emailVerifiedClaim: "email_verified",
      mfaAmrValues: ["mfa"],
      mfaAcrValues: [],
      allowedDomains: ["test.example"],
      jitProvisioning: false,
      acceptIdpMfa: false,
      departmentClaim: null,
      managerClaim: null,
      titleClaim: null,
    },
    audit(signers.admin),
  );
  world.invitationTokens = await tokensInOutbox("invitation", /set-password\/([A-Za-z0-9_-]+)/g);
  const everyone = [
    ...Object.values(signers),
    secondAdmin,
    { id: invited.id, email: "lea.dubois@test.example", name: "Léa Dubois" },
  ];
  world.emails = everyone.map((p) => p.email);
  world.names = everyone.map((p) => p.name);
  world.ids = {
    // Admin actions may suspend, rename or change the roles of these, never of the people the other actions sign in as.
    people: [signers.admin.id, secondAdmin.id, invited.id],
    reports: [signers.employee.id],
    grants: [grant.id],
    corrections: [correction.id, ownCorrection.id],
    clients: [client.id],
    webhooks: [webhook.id],
    partners: [partner.id, otherPartner.id, thirdPartner.id],
    requests: [forAdmins.id],
    providers: [provider],
    certifications: certified.map((c) => c.id),
  };
});

/** Actions log unexpected errors before answering "Something went wrong": each one is a failure here. */
const logged: string[] = [];
setLoggerForTests(
  createLogger({
    level: "error",
    destination: new Writable({
      write(chunk, _encoding, done) {
        logged.push(...String(chunk).split("\n").filter(Boolean));
        done();
      },
    }) as never,
  }),
);
afterAll(() => setLoggerForTests(undefined));

/** Next.js ends a request with these on purpose (redirect, notFound, forbidden): they are answers, not failures. */
const isNextControlFlow = (error: unknown) =>
  typeof (error as { digest?: unknown })?.digest === "string" &&
  /^NEXT_(REDIRECT|HTTP_ERROR_FALLBACK)/.test((error as { digest: string }).digest);

type Outcome = { kind: "accepted" } | { kind: "rejected"; error: string; fieldErrors?: unknown };

async function invoke(
  spec: ActionSpec,
  signer: Signer,
  form: FormData,
  ip: string,
  userAgent = "property-test",
): Promise<Outcome> {
  request.viewer = signer === "nobody" ? null : signers[signer];
  request.headers = new Headers({ "x-forwarded-for": ip, "user-agent": userAgent });
  logged.splice(0);
  let state: unknown;
  try {
    state = await spec.run(null, form);
  } catch (error) {
    if (isNextControlFlow(error)) return { kind: "accepted" };
    throw error;
  } finally {
    await Promise.all(afterAnswer.splice(0));
  }
  // An unexpected error the action caught and logged is a 500 in disguise.
  expect(logged.map((line) => JSON.parse(line).msg)).toEqual([]);
  expect(state).toBeTypeOf("object");
  expect(state).not.toBeNull();
  const s = state as { ok?: boolean; error?: unknown; fieldErrors?: unknown; authentic?: unknown };
  if (spec.verdict) return "authentic" in s ? { kind: "accepted" } : { kind: "rejected", error: s.error as string };
  expect(typeof s.ok).toBe("boolean");
  return s.ok ? { kind: "accepted" } : { kind: "rejected", error: s.error as string, fieldErrors: s.fieldErrors };
}

/** A rejection's messages: the form's and each field's (a wrong password is a message beside its field). */
function messagesOf(outcome: Extract<Outcome, { kind: "rejected" }>): string[] {
  const fields = (outcome.fieldErrors ?? {}) as Record<string, string[]>;
  return [outcome.error, ...Object.values(fields).flat()];
}

function expectRejectionShape(outcome: Extract<Outcome, { kind: "rejected" }>) {
  expect(outcome.error).toMatch(/\S/);
  if (outcome.fieldErrors !== undefined) {
    expect(outcome.fieldErrors).toBeTypeOf("object");
    for (const messages of Object.values(outcome.fieldErrors as Record<string, unknown>))
      expect(messages).toEqual(expect.arrayContaining([expect.any(String)]));
  }
}

describe("Server Actions under random form data", () => {
  for (const spec of specs) {
    it(
      `${spec.name} resolves to a state, and a rejection changes nothing`,
      async () => {
        await fc.assert(
          fc.asyncProperty(
            formFor(spec),
            fc.oneof(fc.ipV4(), headerValue),
            headerValue,
            async (form, ip, userAgent) => {
              const before = await tables.before();
              const outcome = await invoke(spec, spec.as, form, ip, userAgent);
              if (outcome.kind === "accepted" && !spec.verdict) return tables.accepted();
              if (outcome.kind === "rejected") expectRejectionShape(outcome);
              const kept =
                spec.recordsOnRejection &&
                outcome.kind === "rejected" &&
                messagesOf(outcome).some((m) => spec.recordsOnRejection!.error.test(m))
                  ? spec.recordsOnRejection.tables
                  : [];
              await tables.rejected(before, kept);
            },
          ),
          { numRuns: RUNS },
        );
      },
      TIMEOUT,
    );
  }

  it(
    "signing with any drawn signature signs or refuses with a message, and a refusal changes nothing",
    async () => {
      const sign = specs.find((s) => s.name === "agreements signAgreement")!;
      const { agreementId } = world.ceremonies[0];
      await fc.assert(
        fc.asyncProperty(pngDataUrl, async (signature) => {
          const { ceremony } = await openSigning(signers.employee, agreementId, "127.0.0.1");
          // A signing reopened after a refusal keeps the consent already given.
          if (!ceremony.consentAt)
            await consentToSign(
              signers.employee,
              { ...context(signers.employee.id), ip: "127.0.0.1" },
              agreementId,
              ceremony.id,
            );
          const [{ name }] = await database
            .db()
            .select({ name: people.name })
            .from(people)
            .where(eq(people.id, signers.employee.id));
          tables.accepted();
          const before = await tables.before();
          const form = toFormData([
            ["agreementId", agreementId],
            ["ceremonyId", ceremony.id],
            ["typedName", name],
            ["password", TEST_PASSWORD],
            ["signature", signature],
          ]);
          const outcome = await invoke(sign, "employee", form, "127.0.0.1");
          if (outcome.kind === "accepted") return tables.accepted();
          expectRejectionShape(outcome);
          await tables.rejected(before);
        }),
        { numRuns: RUNS / 5 },
      );
    },
    TIMEOUT,
  );

  it(
    "refuses every action to each actor its permission refuses: no session, MFA not set up, or without the capability",
    async () => {
      const guarded = specs.filter((s) => refusedSigners(s).length > 0);
      const denied = fc
        .constantFrom(...guarded)
        .chain((spec) =>
          fc.record({ spec: fc.constant(spec), signer: fc.constantFrom(...refusedSigners(spec)), form: formFor(spec) }),
        );
      await fc.assert(
        fc.asyncProperty(denied, fc.ipV4(), async ({ spec, signer, form }, ip) => {
          const before = await tables.before();
          const outcome = await invoke(spec, signer, form, ip);
          expect(outcome.kind, spec.name).toBe("rejected");
          expectRejectionShape(outcome as Extract<Outcome, { kind: "rejected" }>);
          expect((outcome as { fieldErrors?: unknown }).fieldErrors).toBeUndefined();
          await tables.rejected(before);
        }),
        { numRuns: RUNS * 2 },
      );
    },
    TIMEOUT,
  );
});

/**
 * Who may run each Server Action, read from the permission table
 * (lib/auth/permissions.ts) through the same gate the actions use: a new
 * action without an entry fails, and so does any actor getting past (or
 * stopped at) the door differently from the table. Partner signing, setting
 * a password and verifying a document are public: the link or the file is
 * the authority. `mfaPending` holds every role but has not set up two-factor
 * authentication. Past the door, a manager of another team still reaches
 * none of this team's people or grants (the last test below).
 */
const ANYONE: Signer[] = ["nobody", "mfaPending", "employee", "manager", "otherManager", "admin", "auditor"];
const viewerFor = (signer: Signer) => (signer === "nobody" ? null : signers[signer]);
const allowedSigners = (spec: ActionSpec) => ANYONE.filter((signer) => gate(viewerFor(signer), spec.permission).ok);
function refusedSigners(spec: ActionSpec): Signer[] {
  return ANYONE.filter((signer) => !allowedSigners(spec).includes(signer));
}
const actionKeys = () =>
  (Object.keys(PERMISSIONS) as PermissionKey[]).filter((key) => key.startsWith("action:")).sort();
const DOOR_MESSAGES = [
  "Your session has ended. Sign in again.",
  "Turn on two-factor authentication first.",
  "You do not have permission to do that.",
];

/** Every exported Server Action, named as the specs name them: "<folder under app/> <export>". */
function exportedActions(): string[] {
  const names: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "actions.ts") {
        const source = readFileSync(full, "utf8");
        if (!/^["']use server["']/m.test(source)) continue;
        const folder = path
          .relative("app", dir)
          .split(path.sep)
          .filter((part) => !/^[([]/.test(part))
          .join("/");
        for (const m of source.matchAll(/^export (?:const|async function) (\w+)/gm)) names.push(`${folder} ${m[1]}`);
      }
    }
  };
  walk("app");
  return names.sort();
}

describe("Server Action authorization matrix", () => {
  it("has a permission for every exported Server Action, and a property spec for every permission", () => {
    expect(exportedActions().map(actionKey).sort()).toEqual(actionKeys());
    expect(specs.map((s) => s.permission).sort()).toEqual(actionKeys());
  });

  it("runs each action's random forms as someone its permission lets in, and refuses the mfaPending actor all but enrolment", () => {
    expect(specs.filter((s) => !allowedSigners(s).includes(s.as)).map((s) => `${s.name} as ${s.as}`)).toEqual([]);
    const pendingMayRun = specs.filter(
      (s) => allowedSigners(s).includes("mfaPending") && PERMISSIONS[s.permission].who !== "public",
    );
    expect(pendingMayRun.map((s) => s.name)).toEqual([
      "account/mfa confirmMfa",
      "account/passkeys beginPasskey",
      "account/passkeys addPasskey",
    ]);
  });

  it(
    "lets exactly the listed actors past the door of every action",
    async () => {
      const unexpected: string[] = [];
      for (const spec of specs) {
        const allowed = allowedSigners(spec);
        for (const signer of ANYONE) {
          const [form] = fc.sample(formFor(spec), { numRuns: 1, seed: 7 });
          const outcome = await invoke(spec, signer, form, "203.0.113.9");
          // An accepted call may change anything: the watcher must not compare against what it saw before.
          if (outcome.kind === "accepted") tables.accepted();
          const stopped = outcome.kind === "rejected" && DOOR_MESSAGES.includes(outcome.error);
          if (allowed.includes(signer) === stopped)
            unexpected.push(
              `${spec.name} as ${signer}: ${stopped ? "refused" : "let in"} (${outcome.kind === "rejected" ? outcome.error : "accepted"})`,
            );
        }
      }
      expect(unexpected).toEqual([]);
    },
    TIMEOUT,
  );

  it(
    "refuses a manager of another team on this team's people and grants, and changes nothing",
    async () => {
      const form = (fields: Record<string, string>) => {
        const data = new FormData();
        for (const [key, value] of Object.entries(fields)) data.append(key, value);
        return data;
      };
      const attempts: [string, FormData][] = [
        ["team nudgeOne", form({ personId: world.ids.reports[0] })],
        ["access decide", form({ grantId: world.ids.grants[0], decision: "approve" })],
        ["access decide", form({ grantId: world.ids.grants[0], decision: "deny", comment: "not needed" })],
        ["access revoke", form({ grantId: world.ids.grants[0], reason: "left the team" })],
      ];
      for (const [name, data] of attempts) {
        const spec = specs.find((s) => s.name === name)!;
        const before = await tables.before();
        const outcome = await invoke(spec, "otherManager", data, "203.0.113.10");
        expect(outcome.kind, name).toBe("rejected");
        expect((outcome as { fieldErrors?: unknown }).fieldErrors, name).toBeUndefined();
        await tables.rejected(before);
      }
    },
    TIMEOUT,
  );
});
