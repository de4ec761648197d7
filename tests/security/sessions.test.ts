import { describe, expect, it } from "vitest";

import { liveSession, mySessions, revokeSession, signOutSession, startSession } from "@/lib/auth/sessions";
import { NotFoundError } from "@/lib/errors";
import { setPersonRoles, setPersonStatus } from "@/lib/people/manage-people";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * Server-side sessions: what ends a session ends it for every copy of its
 * cookie, on every instance, and undoing the change does not bring it back.
 */

const database = withTestDatabase();
const browser = { ip: "198.51.100.30", userAgent: "Mozilla/5.0 (Windows NT 10.0) Firefox/135.0" };

async function adminAndPerson() {
  const admin = viewerOf({
    ...(await createPerson(database.db(), { roles: ["compliance_admin"] })),
    mfaEnabledAt: new Date(),
  });
  const person = await createPerson(database.db());
  return { admin, person };
}

describe("sessions", () => {
  it("a signed-out session is refused, and stays refused", async () => {
    const { person } = await adminAndPerson();
    const sid = await startSession(database.db(), { personId: person.id, method: "password", ...browser });
    expect(await liveSession(database.db(), sid)).toMatchObject({ personId: person.id });
    await revokeSession(database.db(), sid, "signed_out");
    expect(await liveSession(database.db(), sid)).toBeNull();
  });

  it("an expired session is refused", async () => {
    const { person } = await adminAndPerson();
    const signedIn = new Date(Date.now() - 9 * 3_600_000);
    const sid = await startSession(database.db(), { personId: person.id, method: "password", ...browser }, signedIn);
    expect(await liveSession(database.db(), sid)).toBeNull();
  });

  it("suspending a person ends every session; reactivating them does not bring one back", async () => {
    const { admin, person } = await adminAndPerson();
    const sids = await Promise.all(
      [1, 2, 3].map(() => startSession(database.db(), { personId: person.id, method: "password", ...browser })),
    );
    await setPersonStatus(admin, context(admin.id), person.id, "suspended");
    await setPersonStatus(admin, context(admin.id), person.id, "active");
    for (const sid of sids) expect(await liveSession(database.db(), sid)).toBeNull();
  });

  it("changing roles and back ends the sessions opened under the old roles", async () => {
    const { admin, person } = await adminAndPerson();
    const sid = await startSession(database.db(), { personId: person.id, method: "password", ...browser });
    await setPersonRoles(admin, context(admin.id), person.id, ["employee", "auditor"]);
    await setPersonRoles(admin, context(admin.id), person.id, ["employee"]);
    expect(await liveSession(database.db(), sid)).toBeNull();
  });

  it("lists a person's own sessions, and nobody signs out another person's session", async () => {
    const { person } = await adminAndPerson();
    const other = await createPerson(database.db());
    const mine = await startSession(database.db(), { personId: person.id, method: "password", ...browser });
    const theirs = await startSession(database.db(), { personId: other.id, method: "password", ...browser });
    const listed = await mySessions(viewerOf(person), mine);
    expect(listed).toEqual([
      expect.objectContaining({ id: mine, current: true, device: "Firefox on Windows", ip: browser.ip }),
    ]);
    await expect(signOutSession(viewerOf(person), theirs, context(person.id))).rejects.toBeInstanceOf(NotFoundError);
    expect(await liveSession(database.db(), theirs)).not.toBeNull();
  });
});
