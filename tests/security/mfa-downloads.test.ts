import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

import { GET as overviewExport } from "@/app/(app)/admin/overview/export/route";
import { GET as dataEventsExport } from "@/app/(app)/audit/data-events/export/route";
import { GET as teamExport } from "@/app/(app)/team/export/route";
import { GET as myDataExport } from "@/app/account/data/export/route";
import { GET as documentDownload } from "@/app/agreements/documents/[id]/route";
import { GET as certificateDownload } from "@/app/certificates/[id]/route";
import { people } from "@/db/schema";
import { openSigning, signAsEmployee } from "@/lib/agreements/employee-agreements";
import type { Viewer } from "@/lib/auth/roles";

import { satisfyRole } from "../helpers/access-fixtures";
import { consentToSign } from "../helpers/consent";
import { context, createPerson, TEST_PASSWORD, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * A manager and auditor who signed in with a password but has not set up
 * two-factor authentication asks for every file in their reach, straight
 * through the route handlers. Only the session is stood in for; the handlers,
 * the database and the PDFs are real.
 */
const request = vi.hoisted(() => ({ viewer: null as Viewer | null }));
vi.mock("@/lib/auth/viewer", async (importOriginal) => ({
  ...(await importOriginal<typeof import("@/lib/auth/viewer")>()),
  getViewer: async () => request.viewer,
}));
vi.mock("next/headers", () => ({
  headers: async () => new Headers({ "x-forwarded-for": "203.0.113.7", "user-agent": "attacker" }),
}));

const database = withTestDatabase();
let pending: Viewer;
const ids = { certificate: "", signature: "" };

type Download = { name: string; get: () => Promise<Response> };
const params = (id: string) => ({ params: Promise.resolve({ id }) });
const downloads: Download[] = [
  {
    name: "certificate PDF",
    get: () => certificateDownload(new Request("http://localhost/certificates/x"), params(ids.certificate)),
  },
  {
    name: "signed agreement PDF",
    get: () => documentDownload(new Request("http://localhost/agreements/documents/x"), params(ids.signature)),
  },
  { name: "team CSV", get: () => teamExport(new Request("http://localhost/team/export")) },
  { name: "overview CSV", get: () => overviewExport(new Request("http://localhost/admin/overview/export")) },
  { name: "data-events CSV", get: () => dataEventsExport(new Request("http://localhost/audit/data-events/export")) },
  { name: "my-data export (JSON)", get: () => myDataExport(new Request("http://localhost/account/data/export")) },
  {
    name: "my-data export (ZIP)",
    get: () => myDataExport(new Request("http://localhost/account/data/export?format=zip")),
  },
];

beforeAll(async () => {
  const db = database.db();
  pending = viewerOf(await createPerson(db, { name: "Nina Kowalski", roles: ["manager", "auditor"] }));
  const report = viewerOf(await createPerson(db, { name: "Peter Jansen", managerId: pending.id }));
  await satisfyRole(db, report.id, "customer-pii-read");
  const [certification] = await db.query.certifications.findMany({
    where: (c, { eq }) => eq(c.personId, report.id),
    limit: 1,
  });
  ids.certificate = certification.id;
  const ctx = { ...context(report.id), ip: "192.0.2.1" };
  const opened = await openSigning(report, "employee-nda", "192.0.2.1");
  await consentToSign(report, ctx, "employee-nda", opened.ceremony.id);
  ids.signature = (
    await signAsEmployee(report, ctx, {
      agreementId: "employee-nda",
      ceremonyId: opened.ceremony.id,
      password: TEST_PASSWORD,
      typedName: report.name,
    })
  ).signatureId;
});

describe("downloads before two-factor set-up", () => {
  it("refuses every file to a manager and auditor who has not enrolled, with mfa_required", async () => {
    request.viewer = pending;
    const got: Record<string, string> = {};
    for (const download of downloads) {
      const response = await download.get().catch((error: Error) => new Response(error.message, { status: 599 }));
      const body = response.headers.get("content-type")?.startsWith("application/json") ? await response.json() : null;
      got[download.name] = `${response.status} ${body?.error?.code ?? response.headers.get("content-type")}`;
    }
    expect(got).toEqual(Object.fromEntries(downloads.map((d) => [d.name, "403 mfa_required"])));
  });

  it("serves the same files once the person has enrolled", async () => {
    const db = database.db();
    const now = new Date();
    await db.update(people).set({ mfaEnabledAt: now }).where(eq(people.id, pending.id));
    request.viewer = { ...pending, mfaEnabled: true };
    for (const download of downloads) {
      const response = await download.get();
      expect(response.status, download.name).toBe(200);
      expect(response.headers.get("content-type"), download.name).toMatch(/^application\/(pdf|zip|json)|^text\/csv/);
    }
  });
});
