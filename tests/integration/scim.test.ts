import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { GET as checkGet } from "@/app/api/v1/access/check/route";
import { auditEvents, certifications, sessions, webhookDeliveries, webhooks } from "@/db/schema";
import { createApiClient } from "@/lib/access/api-clients";
import { verifyAuditChain } from "@/lib/audit/verify";
import { startSession } from "@/lib/auth/sessions";
import { addGroupMapping } from "@/lib/scim/group-mappings";

import { grantRole, satisfyRole } from "../helpers/access-fixtures";
import { context, createPerson, reload, viewerOf } from "../helpers/factories";
import { ENTERPRISE, patchOf, scim } from "../helpers/scim";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const ROLE = "customer-pii-read";

async function setup() {
  const db = database.db();
  const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
  const scimClient = await createApiClient(admin, context(admin.id), { name: "Entra ID", scopes: ["scim"] });
  const checker = await createApiClient(admin, context(admin.id), { name: "gateway", scopes: ["access:check"] });
  return { db, admin, token: scimClient.token, clientId: scimClient.id, checkToken: checker.token };
}

const check = async (t: string, user: string) =>
  (
    await checkGet(
      new Request(`http://localhost/api/v1/access/check?user=${encodeURIComponent(user)}&role=${ROLE}`, {
        headers: { authorization: `Bearer ${t}` },
      }),
    )
  ).json();

describe("SCIM as Microsoft Entra ID provisions", () => {
  it("creates, finds by filter, patches, disables, re-enables and deletes a user", async () => {
    const { db, token } = await setup();
    const userName = "Test_User_ab6490ee@testuser.example";
    expect(
      (await scim(token, "GET", `/Users?filter=${encodeURIComponent(`userName eq "${userName}"`)}`)).body,
    ).toMatchObject({ totalResults: 0, Resources: [] });

    const created = await scim(token, "POST", "/Users", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName,
      active: true,
      emails: [{ primary: true, type: "work", value: "Test_User_fd0ea19b@testuser.example" }],
      meta: { resourceType: "User" },
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
      roles: [],
      [ENTERPRISE]: { department: "Customer Support", employeeNumber: "E-1001" },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("content-type")).toMatch(/^application\/scim\+json/);
    const id = created.body.id;
    expect(created.body).toMatchObject({
      userName: userName.toLowerCase(),
      active: true,
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      [ENTERPRISE]: { department: "Customer Support", employeeNumber: "E-1001" },
    });
    expect((await reload(db, id)).email).toBe("test_user_fd0ea19b@testuser.example");

    // Entra matches on userName, externalId, or the work email.
    for (const filter of [
      `userName eq "${userName}"`,
      'externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"',
      'emails[type eq "work"].value eq "Test_User_fd0ea19b@testuser.example"',
    ]) {
      const found = await scim(token, "GET", `/Users?filter=${encodeURIComponent(filter)}`);
      expect(found.body, filter).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    }

    const manager = await createPerson(db, { name: "Mia Manager" });
    const patched = await scim(
      token,
      "PATCH",
      `/Users/${id}`,
      patchOf(
        { op: "Replace", path: "name.givenName", value: "Ana" },
        { op: "Replace", path: "name.familyName", value: "Silva" },
        { op: "Add", path: 'emails[type eq "work"].value', value: "ana.silva@testuser.example" },
        { op: "Add", path: `${ENTERPRISE}:manager`, value: manager.id },
        { op: "Replace", path: "title", value: "Support engineer" },
      ),
    );
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      name: { givenName: "Ana", familyName: "Silva" },
      title: "Support engineer",
      [ENTERPRISE]: { manager: { value: manager.id } },
    });
    expect(await reload(db, id)).toMatchObject({
      name: "Ana Silva",
      email: "ana.silva@testuser.example",
      managerId: manager.id,
    });

    const disabled = await scim(
      token,
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "Replace", path: "active", value: "False" }),
    );
    expect(disabled.body.active).toBe(false);
    expect((await reload(db, id)).status).toBe("suspended");
    const enabled = await scim(
      token,
      "PATCH",
      `/Users/${id}`,
      patchOf({ op: "Replace", path: "active", value: "True" }),
    );
    expect(enabled.body.active).toBe(true);

    expect((await scim(token, "DELETE", `/Users/${id}`)).status).toBe(204);
    expect((await scim(token, "GET", `/Users/${id}`)).status).toBe(404);
    expect((await reload(db, id)).status).toBe("departed");

    const audit = await db
      .select({ action: auditEvents.action, actor: auditEvents.actorLabel })
      .from(auditEvents)
      .where(and(eq(auditEvents.targetType, "person"), eq(auditEvents.targetId, id)));
    expect(audit.map((a) => a.action)).toEqual([
      "person.created",
      "person.updated",
      "person.status_changed",
      "person.status_changed",
      "person.status_changed",
    ]);
    expect(audit.every((a) => a.actor.startsWith("scim:Entra ID"))).toBe(true);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });

  it("denies a disabled person on the very next access check, ends their sessions, fires access.revoked, and restores access while their requirements hold", async () => {
    const { db, token, checkToken } = await setup();
    const person = await createPerson(db, { email: "held@test.example" });
    await satisfyRole(db, person.id, ROLE);
    await grantRole(db, person.id, ROLE);
    await db.insert(webhooks).values({
      url: "https://hooks.test.example/in",
      secretEnc: "x",
      eventTypes: ["access.revoked"],
      createdAt: new Date(),
    });
    await startSession(db, { personId: person.id, method: "password", ip: "127.0.0.1", userAgent: null });
    expect(await check(checkToken, person.email)).toMatchObject({ allow: true });

    const found = await scim(token, "GET", `/Users?filter=${encodeURIComponent('userName eq "HELD@test.example"')}`);
    expect(found.body.Resources[0].id).toBe(person.id);
    await scim(token, "PATCH", `/Users/${person.id}`, patchOf({ op: "Replace", path: "active", value: false }));

    expect(await check(checkToken, person.email)).toMatchObject({ allow: false, reasons: ["account_inactive"] });
    const open = await db.select().from(sessions).where(eq(sessions.personId, person.id));
    expect(open.every((s) => s.revokedAt !== null)).toBe(true);
    const deliveries = await db
      .select({ payload: webhookDeliveries.payload })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.eventType, "access.revoked"));
    expect(deliveries).toEqual([
      {
        payload: expect.objectContaining({
          type: "access.revoked",
          data: expect.objectContaining({ personId: person.id, roleId: ROLE, reason: "account_inactive" }),
        }),
      },
    ]);

    await scim(token, "PATCH", `/Users/${person.id}`, patchOf({ op: "replace", value: { active: true } }));
    expect(await check(checkToken, person.email)).toMatchObject({ allow: true });

    // Suspended again, and training lapses meanwhile: reactivation does not bring the role back.
    await scim(token, "PATCH", `/Users/${person.id}`, patchOf({ op: "replace", value: { active: false } }));
    await db
      .update(certifications)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(certifications.personId, person.id));
    await scim(token, "PATCH", `/Users/${person.id}`, patchOf({ op: "replace", value: { active: true } }));
    const after = await check(checkToken, person.email);
    expect(after.allow).toBe(false);
    expect(after.reasons.some((r: string) => r.startsWith("course_expired:"))).toBe(true);
  });

  it("maps group membership to roles and departments, and drops the role when the member leaves", async () => {
    const { db, admin, token, clientId } = await setup();
    await addGroupMapping(admin, context(admin.id), {
      clientId,
      groupName: "Clearance Auditors",
      target: { role: "auditor" },
    });
    await addGroupMapping(admin, context(admin.id), {
      clientId,
      groupName: "Support",
      target: { departmentId: "support" },
    });
    const person = await createPerson(db, { departmentId: undefined });
    await startSession(db, { personId: person.id, method: "password", ip: "127.0.0.1", userAgent: null });

    const group = await scim(token, "POST", "/Groups", {
      schemas: [
        "urn:ietf:params:scim:schemas:core:2.0:Group",
        "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
      ],
      externalId: "8aa1a0c0",
      displayName: "Clearance Auditors",
      meta: { resourceType: "Group" },
    });
    expect(group.status).toBe(201);
    const gid = group.body.id;
    expect(
      (
        await scim(
          token,
          "GET",
          `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "clearance auditors"')}`,
        )
      ).body,
    ).toMatchObject({ totalResults: 1, Resources: [{ id: gid }] });

    expect(
      (
        await scim(
          token,
          "PATCH",
          `/Groups/${gid}`,
          patchOf({ op: "Add", path: "members", value: [{ $ref: null, value: person.id }] }),
        )
      ).status,
    ).toBe(204);
    expect((await reload(db, person.id)).roles).toEqual(["auditor", "employee"]);
    expect((await db.select().from(sessions).where(eq(sessions.personId, person.id)))[0].revokedAt).not.toBeNull();
    const member = await scim(
      token,
      "GET",
      `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`id eq "${gid}" and members[value eq "${person.id}"]`)}`,
    );
    expect(member.body.totalResults).toBe(1);

    await scim(
      token,
      "PATCH",
      `/Groups/${gid}`,
      patchOf({ op: "Remove", path: "members", value: [{ $ref: null, value: person.id }] }),
    );
    expect((await reload(db, person.id)).roles).toEqual(["employee"]);

    const support = await scim(token, "POST", "/Groups", { displayName: "Support", members: [{ value: person.id }] });
    expect(support.status).toBe(201);
    expect((await reload(db, person.id)).departmentId).toBe("support");
    expect((await scim(token, "GET", `/Groups/${gid}`)).body.members).toEqual([]);
    expect((await scim(token, "DELETE", `/Groups/${gid}`)).status).toBe(204);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});

describe("SCIM as Okta provisions", () => {
  it("creates, finds with paging, replaces with PUT, deactivates and manages a group", async () => {
    const { db, admin, token, clientId } = await setup();
    await addGroupMapping(admin, context(admin.id), { clientId, groupName: "Managers", target: { role: "manager" } });
    const list = await scim(
      token,
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "john.doe@okta.example"')}&startIndex=1&count=100`,
    );
    expect(list.body).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
      totalResults: 0,
      startIndex: 1,
      itemsPerPage: 0,
    });
    const body = {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "john.doe@okta.example",
      name: { givenName: "John", familyName: "Doe" },
      emails: [{ primary: true, value: "john.doe@okta.example", type: "work" }],
      displayName: "John Doe",
      locale: "en-US",
      externalId: "00ujl29u0le5T6Aj10h7",
      groups: [],
      password: "1mCiY7pN",
      active: true,
    };
    const created = await scim(token, "POST", "/Users", body);
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await scim(token, "POST", "/Users", body)).body).toMatchObject({ status: "409", scimType: "uniqueness" });

    const replaced = await scim(token, "PUT", `/Users/${id}`, {
      ...body,
      id,
      name: { givenName: "Johnny", familyName: "Doe" },
      displayName: "Johnny Doe",
      title: "Lead",
    });
    expect(replaced.body).toMatchObject({ displayName: "Johnny Doe", title: "Lead", active: true });

    const group = await scim(token, "POST", "/Groups", {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
      displayName: "Test SCIMv2",
      members: [],
    });
    const gid = group.body.id;
    await scim(
      token,
      "PATCH",
      `/Groups/${gid}`,
      patchOf({ op: "replace", value: { id: gid, displayName: "Managers" } }),
    );
    await scim(
      token,
      "PATCH",
      `/Groups/${gid}`,
      patchOf({ op: "add", path: "members", value: [{ value: id, display: "john.doe@okta.example" }] }),
    );
    expect((await reload(db, id)).roles).toEqual(["employee", "manager"]);
    await scim(token, "PATCH", `/Groups/${gid}`, patchOf({ op: "remove", path: `members[value eq "${id}"]` }));
    expect((await reload(db, id)).roles).toEqual(["employee"]);

    await scim(token, "PATCH", `/Users/${id}`, patchOf({ op: "replace", value: { active: false } }));
    expect((await scim(token, "GET", `/Users/${id}`)).body.active).toBe(false);
    expect((await scim(token, "DELETE", `/Groups/${gid}`)).status).toBe(204);

    for (let i = 0; i < 3; i++) await createPerson(db);
    const page = await scim(token, "GET", "/Users?startIndex=2&count=2");
    expect(page.body).toMatchObject({ startIndex: 2, itemsPerPage: 2 });
    expect(page.body.totalResults).toBeGreaterThanOrEqual(5);
  });

  it("answers discovery and refuses bad requests in SCIM's error format", async () => {
    const { token } = await setup();
    expect((await scim(token, "GET", "/ServiceProviderConfig")).body).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
    });
    expect((await scim(token, "GET", "/ResourceTypes")).body.Resources.map((r: { id: string }) => r.id)).toEqual([
      "User",
      "Group",
    ]);
    expect((await scim(token, "GET", "/Schemas")).body.totalResults).toBe(3);
    expect((await scim(token, "GET", `/Users?filter=${encodeURIComponent('userName co "a"')}`)).body).toEqual({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "400",
      scimType: "invalidFilter",
      detail: expect.any(String),
    });
    expect((await scim(token, "POST", "/Users", "{not json")).body).toMatchObject({
      status: "400",
      scimType: "invalidSyntax",
    });
    expect((await scim(token, "GET", "/Users/not-a-uuid")).status).toBe(404);
    expect((await scim(null, "GET", "/Users")).body).toMatchObject({ status: "401" });
  });
});
