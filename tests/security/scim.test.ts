import { and, asc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { auditEvents, scimGroups } from "@/db/schema";
import { createApiClient, revokeApiClient } from "@/lib/access/api-clients";
import { verifyAuditChain } from "@/lib/audit/verify";
import { addGroupMapping } from "@/lib/scim/group-mappings";

import { context, createPerson, reload, viewerOf } from "../helpers/factories";
import { patchOf, scim } from "../helpers/scim";
import { withTestDatabase } from "../helpers/test-database";
import { tableState } from "../property/table-state";

const database = withTestDatabase();

async function clients() {
  const db = database.db();
  const admin = viewerOf(await createPerson(db, { roles: ["compliance_admin"] }));
  const make = (name: string, scopes: ("scim" | "access:check" | "access:read" | "events:write")[]) =>
    createApiClient(admin, context(admin.id), { name, scopes, rateLimitPerMinute: 100_000 });
  return {
    db,
    admin,
    entra: await make("Entra ID", ["scim"]),
    other: await make("second IdP", ["scim"]),
    checker: await make("gateway", ["access:check", "access:read", "events:write"]),
  };
}

describe("SCIM under attack", () => {
  it("refuses a token without the scim scope (403) and a revoked one (401), in SCIM's error format, writing nothing", async () => {
    const { db, admin, entra, checker } = await clients();
    const victim = await createPerson(db);
    await revokeApiClient(admin, context(admin.id), entra.id);
    const before = await tableState(db);
    for (const [token, status] of [
      [checker.token, 403],
      [entra.token, 401],
      ["clr_forged-token-000000000000000000000000000", 401],
    ] as const) {
      for (const [method, path, body] of [
        ["GET", "/Users", undefined],
        ["POST", "/Users", { userName: "mallory@evil.example" }],
        ["PATCH", `/Users/${victim.id}`, patchOf({ op: "replace", path: "active", value: false })],
        ["DELETE", `/Users/${victim.id}`, undefined],
        ["POST", "/Groups", { displayName: "x" }],
        ["GET", "/ServiceProviderConfig", undefined],
      ] as const) {
        const response = await scim(token, method, path, body);
        expect(response.status, `${method} ${path}`).toBe(status);
        expect(response.body).toMatchObject({
          schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
          status: String(status),
        });
      }
    }
    const after = await tableState(db);
    const changed = Object.keys(before).filter((t) => before[t] !== after[t] && t !== "api_clients");
    expect(changed).toEqual([]);
    expect((await reload(db, victim.id)).status).toBe("active");
  });

  it("gives no role through a group the client does not map, nor through another client's mapping, nor a roles attribute", async () => {
    const { db, admin, entra, other } = await clients();
    await addGroupMapping(admin, context(admin.id), {
      clientId: other.id,
      groupName: "Compliance Admins",
      target: { role: "compliance_admin" },
    });
    const insider = await scim(entra.token, "POST", "/Users", {
      userName: "insider@test.example",
      roles: [{ value: "compliance_admin", primary: true }],
    });
    expect(insider.status).toBe(201);
    const id = insider.body.id;
    // Same name as the other client's mapped group, and an unmapped look-alike.
    for (const displayName of ["Compliance Admins", "compliance_admin"]) {
      const group = await scim(entra.token, "POST", "/Groups", { displayName, members: [{ value: id }] });
      expect(group.status).toBe(201);
    }
    await scim(
      entra.token,
      "PATCH",
      `/Users/${id}`,
      patchOf(
        { op: "add", path: "roles", value: [{ value: "compliance_admin" }] },
        { op: "replace", value: { roles: [{ value: "auditor" }] } },
      ),
    );
    expect((await reload(db, id)).roles).toEqual(["employee"]);

    // Nor can it reach the other client's groups.
    const [theirs] = await db
      .insert(scimGroups)
      .values({ clientId: other.id, displayName: "Compliance Admins", createdAt: new Date(), updatedAt: new Date() })
      .returning({ id: scimGroups.id });
    expect(
      (
        await scim(
          entra.token,
          "PATCH",
          `/Groups/${theirs.id}`,
          patchOf({ op: "add", path: "members", value: [{ value: id }] }),
        )
      ).status,
    ).toBe(404);
    expect(
      (await scim(entra.token, "GET", `/Groups?filter=${encodeURIComponent(`id eq "${theirs.id}"`)}`)).body
        .totalResults,
    ).toBe(0);
    expect((await reload(db, id)).roles).toEqual(["employee"]);
  });

  it("applies 30 concurrent PATCHes to one user one after another: none is lost and the audit chain holds", async () => {
    const { db, entra } = await clients();
    const created = await scim(entra.token, "POST", "/Users", { userName: "busy@test.example", title: "T-start" });
    const id = created.body.id;
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        scim(
          entra.token,
          "PATCH",
          `/Users/${id}`,
          patchOf(
            { op: "Replace", path: "title", value: `T-${i}` },
            { op: "Replace", path: "active", value: i % 2 === 0 ? "False" : "True" },
          ),
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(30).fill(200));
    const updates = await db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "person.updated"), eq(auditEvents.targetId, id)))
      .orderBy(asc(auditEvents.id));
    // Each patch read what the one before it wrote: the titles form one unbroken chain.
    const titles = updates.map((u) => (u.data as { changes: { title: { from: string; to: string } } }).changes.title);
    expect(titles).toHaveLength(30);
    expect(titles[0].from).toBe("T-start");
    for (let k = 1; k < titles.length; k++) expect(titles[k].from).toBe(titles[k - 1].to);
    expect(new Set(titles.map((t) => t.to)).size).toBe(30);
    expect((await reload(db, id)).title).toBe(titles.at(-1)!.to);
    expect((await verifyAuditChain(db)).ok).toBe(true);
  });
});
