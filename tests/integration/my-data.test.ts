import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { identityProviders, loginAttempts, outbox, passkeys, ssoIdentities } from "@/db/schema";
import { openSigning, signAsEmployee } from "@/lib/agreements/employee-agreements";
import { startSession } from "@/lib/auth/sessions";
import { pendingDigestCount } from "@/lib/notify/digests";
import { exportMyDataJson, exportMyDataZip } from "@/lib/privacy/export";
import { managerSeesScoresOf, requestCorrection, updatePreferences } from "@/lib/privacy/preferences";
import { queueReminders } from "@/lib/scheduler/reminders";
import { syncAssignments } from "@/lib/training/assignments";

import { consentToSign } from "../helpers/consent";
import { context, createPerson, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const ctx = (id: string) => ({ ...context(id), ip: "192.0.2.1" });

describe("my data", () => {
  it("exports the person's records and none of anyone else's, with their signed PDFs in the ZIP", async () => {
    const db = database.db();
    const me = viewerOf(await createPerson(db, { name: "Mina Export", email: "mina@test.example" }));
    const other = viewerOf(await createPerson(db, { name: "Otto Other", email: "otto@test.example" }));
    for (const v of [me, other]) {
      const opened = await openSigning(v, "employee-nda", "192.0.2.1");
      await consentToSign(v, ctx(v.id), "employee-nda", opened.ceremony.id);
      await signAsEmployee(v, ctx(v.id), {
        agreementId: "employee-nda",
        ceremonyId: opened.ceremony.id,
        password: TEST_PASSWORD,
        typedName: v.name,
      });
      await requestCorrection(v, context(v.id), { field: "title", requestedValue: `${v.name} title` });
    }
    // How each signs in: a passkey, a link to the organisation's identity provider, sessions and a failed attempt.
    const [provider] = await db
      .insert(identityProviders)
      .values({
        kind: "oidc",
        slug: "export-idp",
        name: "Northwind Okta",
        enabled: true,
        settings: {},
        createdAt: new Date(),
        updatedAt: new Date(),
      })
      .returning({ id: identityProviders.id });
    for (const v of [me, other]) {
      await db.insert(ssoIdentities).values({
        providerId: provider!.id,
        subject: `subject-of-${v.name}`,
        personId: v.id,
        createdAt: new Date(),
        lastSignedInAt: new Date(),
      });
      await startSession(db, {
        personId: v.id,
        method: "sso_oidc",
        ssoProviderId: provider!.id,
        mfaByIdp: true,
        ip: "192.0.2.9",
        userAgent: "Safari",
      });
      await db.insert(passkeys).values({
        personId: v.id,
        credentialId: `credential-${v.id}`,
        publicKey: `public-key-of-${v.id}`,
        name: `${v.name}'s laptop`,
        createdAt: new Date(),
      });
      await startSession(db, { personId: v.id, method: "password+passkey", ip: "192.0.2.7", userAgent: "Firefox" });
      await db.insert(loginAttempts).values({ email: v.email, ip: "192.0.2.8", outcome: "failure", at: new Date() });
    }
    const json = await exportMyDataJson(me, context(me.id));
    expect(json).toContain("mina@test.example");
    expect(json).toContain("Mina Export title");
    expect(json).not.toContain("otto@test.example");
    expect(json).not.toContain("Otto Other");
    expect(json).not.toContain(other.id);
    expect(json).not.toMatch(/scrypt\$|password_?hash|mfaSecret|pdfEnc|tokenHash/i);
    const parsed = JSON.parse(json);
    expect(parsed.groups.find((g: { id: string }) => g.id === "signatures").records).toHaveLength(1);
    const signIn = parsed.groups.find((g: { id: string }) => g.id === "sign-in").records;
    expect(signIn.map((r: { type: string }) => r.type).sort()).toEqual([
      "identity_provider_link",
      "passkey",
      "session",
      "session",
      "sign_in_attempt",
    ]);
    expect(signIn.find((r: { type: string }) => r.type === "passkey")).toMatchObject({ name: "Mina Export's laptop" });
    expect(signIn.find((r: { type: string }) => r.type === "identity_provider_link")).toMatchObject({
      provider: "Northwind Okta",
      protocol: "oidc",
      subject: "subject-of-Mina Export",
    });
    const sessionsOut = signIn.filter((r: { type: string }) => r.type === "session");
    expect(sessionsOut).toContainEqual(
      expect.objectContaining({ method: "password+passkey", signedInWith: "Password and passkey" }),
    );
    expect(sessionsOut).toContainEqual(
      expect.objectContaining({
        method: "sso_oidc",
        signedInWith: "Single sign-on through Northwind Okta, with the provider's two-step check",
      }),
    );
    expect(json).not.toContain("subject-of-Otto Other");
    // What identifies a key or a session to the server is not part of the export.
    expect(json).not.toContain(`public-key-of-${me.id}`);
    expect(json).not.toContain(`credential-${me.id}`);
    expect(json).not.toMatch(/"stamp"/);
    // Audit events carry the catalogue's words for what happened.
    expect(parsed.groups.find((g: { id: string }) => g.id === "audit").records).toContainEqual(
      expect.objectContaining({
        action: "agreement.signed",
        label: "Agreement signed",
        category: "Agreements and partners",
      }),
    );

    const zipBytes = await exportMyDataZip(me, context(me.id));
    const dir = mkdtempSync(path.join(os.tmpdir(), "mydata-"));
    writeFileSync(path.join(dir, "data.zip"), zipBytes);
    execFileSync("python3", [
      "-c",
      "import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])",
      path.join(dir, "data.zip"),
      path.join(dir, "out"),
    ]);
    const listing = execFileSync("find", [path.join(dir, "out"), "-type", "f"], { encoding: "utf8" });
    expect(listing).toContain("my-data.json");
    expect(listing).toMatch(/agreements\/employee-nda-v\d+\.\d+\.\d+-\d{4}-\d{2}-\d{2}\.pdf/);
    const pdfs = listing.split("\n").filter((f) => f.endsWith(".pdf"));
    expect(pdfs).toHaveLength(1);
    expect(execFileSync("pdftotext", [pdfs[0], "-"], { encoding: "utf8" })).toContain("Mina Export");
  });

  it("honours the score preference and the reminder digest", async () => {
    const db = database.db();
    const person = viewerOf(await createPerson(db, { name: "Dora Digest" }));
    expect(await managerSeesScoresOf(person.id)).toBe(true);
    await updatePreferences(person, context(person.id), { reminderDigest: "weekly", managerSeesScores: false });
    expect(await managerSeesScoresOf(person.id)).toBe(false);
    await syncAssignments(db, { personIds: [person.id] });
    const later = new Date(Date.now() + 40 * 86_400_000);
    await queueReminders(db, later);
    await queueReminders(db, later);
    const mine = (await db.select({ key: outbox.dedupeKey }).from(outbox))
      .map((r) => r.key)
      .filter((k) => k.includes(person.id));
    // Weekly: held for Monday's digest (lib/notify/digests.ts), nothing sent one by one.
    expect(mine).toEqual([]);
    expect(await pendingDigestCount(db, person.id)).toBeGreaterThan(0);
  });
});
