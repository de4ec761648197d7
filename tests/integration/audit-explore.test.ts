import { beforeAll, describe, expect, it } from "vitest";

import { describeAuditEvents } from "@/lib/audit/describe";
import { parseAuditFilters, type AuditFilters } from "@/lib/audit/explore.rules";
import { auditExportStream } from "@/lib/audit/export-events";
import { listAuditEvents } from "@/lib/audit/list-events";
import { recordAudit } from "@/lib/audit/record";
import type { Viewer } from "@/lib/auth/roles";

import { createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * The audit explorer as an auditor samples with it: a period, an actor, the
 * person concerned, the kind of event and its outcome, each narrowing the
 * same set the export then writes out in full.
 */

const database = withTestDatabase();
let auditor: Viewer;
let priya: { id: string; name: string; email: string };
let ana: { id: string; name: string; email: string };

const MARCH = new Date("2026-03-10T12:00:00Z");
const APRIL = new Date("2026-04-02T08:30:00Z");

beforeAll(async () => {
  const db = database.db();
  auditor = viewerOf(await createPerson(db, { roles: ["auditor"], name: "Ama Auditor" }));
  priya = await createPerson(db, { name: "Priya Nair", email: "priya.nair@explore.example", roles: ["manager"] });
  ana = await createPerson(db, { name: "Ana Silva", email: "ana.silva@explore.example" });
  const as = (p: { id: string; email: string }, ip = "::ffff:192.0.2.44") => ({
    actorId: p.id,
    actorLabel: p.email,
    ip,
    userAgent: "explore",
  });
  await recordAudit(
    db,
    as(ana),
    {
      action: "access.requested",
      targetType: "access_grant",
      targetId: "g-1",
      data: { roleId: "customer-pii-read", requirementsMet: true },
    },
    MARCH,
  );
  await recordAudit(
    db,
    as(priya),
    {
      action: "access.granted",
      targetType: "access_grant",
      targetId: "g-1",
      data: { personId: ana.id, roleId: "customer-pii-read", endsAt: "2027-03-31T00:00:00.000Z" },
    },
    MARCH,
  );
  await recordAudit(
    db,
    { actorId: null, actorLabel: "anonymous", ip: "198.51.100.9", userAgent: "x" },
    { action: "auth.sign_in_failed", targetType: "person", targetId: ana.id, data: { reason: "bad_password" } },
    APRIL,
  );
  await recordAudit(
    db,
    as(ana),
    {
      action: "agreement.signed",
      targetType: "signature",
      targetId: "s-1",
      data: {
        agreementId: "employee-nda",
        version: "1.0.0",
        personId: ana.id,
        partnerRequestId: null,
        pdfSha256: "ab".repeat(32),
      },
    },
    APRIL,
  );
});

async function actionsFor(filters: AuditFilters) {
  const { rows, matching } = await listAuditEvents(auditor, { ...filters, limit: 200 });
  const mine = rows.filter((r) => r.at.getTime() === MARCH.getTime() || r.at.getTime() === APRIL.getTime());
  return { actions: mine.map((r) => r.action).sort(), matching };
}

describe("the audit explorer", () => {
  it("filters by period, actor, person concerned, event and outcome", async () => {
    expect((await actionsFor({ from: "2026-03-01", to: "2026-03-31" })).actions).toEqual([
      "access.granted",
      "access.requested",
    ]);
    // The last day of a range is included whole.
    expect((await actionsFor({ from: "2026-04-02", to: "2026-04-02" })).actions).toEqual([
      "agreement.signed",
      "auth.sign_in_failed",
    ]);
    expect((await actionsFor({ actor: "priya" })).actions).toEqual(["access.granted"]);
    expect((await actionsFor({ actor: "ana.silva@" })).actions).toEqual(["access.requested", "agreement.signed"]);
    // Concerning Ana: the grant and her signature name her in their data, the failed sign-in targets her.
    expect((await actionsFor({ person: "Ana Silva" })).actions).toEqual([
      "access.granted",
      "agreement.signed",
      "auth.sign_in_failed",
    ]);
    expect((await actionsFor({ outcome: "refused" })).actions).toEqual(["auth.sign_in_failed"]);
    expect((await actionsFor({ category: "access", outcome: "done" })).actions).toEqual([
      "access.granted",
      "access.requested",
    ]);
    const { matching } = await actionsFor({ actor: "priya", from: "2026-03-10", to: "2026-03-10" });
    expect(matching).toBe(1);
  });

  it("treats search text literally: % and _ match only themselves", async () => {
    expect((await actionsFor({ actor: "%" })).actions).toEqual([]);
    expect((await actionsFor({ person: "_" })).actions).toEqual([]);
  });

  it("says each event in words, with today's names, and shows IPv4-mapped addresses as IPv4", async () => {
    const { rows } = await listAuditEvents(auditor, { from: "2026-03-10", to: "2026-03-10" });
    const words = await describeAuditEvents(database.db(), rows);
    const granted = rows.find((r) => r.action === "access.granted")!;
    expect(words.get(granted.id)).toMatchObject({
      sentence: "Priya Nair approved Ana Silva's request for Read customer personal data, ending 31 Mar 2027",
      actor: { id: priya.id, name: "Priya Nair" },
      person: { id: ana.id, name: "Ana Silva" },
    });
    expect(granted.ip).toBe("192.0.2.44");
    const { rows: april } = await listAuditEvents(auditor, { from: "2026-04-02", to: "2026-04-02" });
    const aprilWords = await describeAuditEvents(database.db(), april);
    const sentences = april.map((r) => aprilWords.get(r.id)!.sentence);
    expect(sentences).toContain("A sign-in as Ana Silva failed");
    expect(sentences.some((s) => s.startsWith("Ana Silva signed "))).toBe(true);
  });

  it("reads hostile query strings as no filter rather than an error", () => {
    expect(
      parseAuditFilters(
        new URLSearchParams({
          from: "9999-99-99",
          to: "2026-13-01",
          actor: "a\u0000b",
          outcome: "maybe",
          category: "nope",
          action: "'; drop table audit_events; --",
          before: "-4",
        }),
      ),
    ).toEqual({});
    expect(parseAuditFilters({ from: "2026-05-01", to: "2026-04-01", person: ["  Ana  ", "x"] })).toEqual({
      from: "2026-04-01",
      to: "2026-05-01",
      person: "Ana",
    });
  });
});

/** The whole stream as text, keeping a byte-order mark (which a spreadsheet needs) visible. */
async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(stream).arrayBuffer());
}

describe("the audit export", () => {
  it("writes every event the filters select as JSON, across many pages, with sentences and hashes", async () => {
    const db = database.db();
    // More than one page of the export (1,000 events a page).
    const bulkDay = new Date("2026-06-15T10:00:00Z");
    await db.transaction(async (tx) => {
      for (let i = 0; i < 1_005; i++)
        await recordAudit(
          tx,
          { actorId: null, actorLabel: `scim:Entra (${i})`, ip: null, userAgent: null },
          { action: "auth.signed_out_everywhere", data: { sessions: i } },
          bulkDay,
        );
    });
    const text = await readAll(
      auditExportStream({ from: "2026-06-15", to: "2026-06-15" }, "json", {
        exportedAt: new Date(),
        exportedBy: "ama@test.example",
      }),
    );
    const parsed = JSON.parse(text);
    expect(parsed.filters).toEqual({ from: "2026-06-15", to: "2026-06-15" });
    expect(parsed.events).toHaveLength(1_005);
    expect(new Set(parsed.events.map((e: { id: number }) => e.id)).size).toBe(1_005);
    expect(parsed.events[0]).toMatchObject({ action: "auth.signed_out_everywhere", outcome: "done" });
    expect(parsed.events[0].hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("writes CSV a spreadsheet opens safely, one line per event", async () => {
    const db = database.db();
    await recordAudit(
      db,
      { actorId: null, actorLabel: '=HYPERLINK("https://evil.example")', ip: null, userAgent: null },
      { action: "auth.signed_out_everywhere", data: { sessions: 1 } },
      new Date("2026-07-01T00:00:00Z"),
    );
    const csv = await readAll(
      auditExportStream({ from: "2026-07-01", to: "2026-07-01" }, "csv", {
        exportedAt: new Date(),
        exportedBy: "ama@test.example",
      }),
    );
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^\uFEFFEvent,Time \(UTC\),What happened,Actor,/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=HYPERLINK(""https://evil.example"")"`);
  });
});
