import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { outbox, partnerSigningRequests } from "@/db/schema";
import {
  copyPartnerLink,
  createPartner,
  listPartners,
  resendPartnerRequest,
  voidPartnerRequest,
} from "@/lib/agreements/partner-register";
import {
  loadPartnerLink,
  partnerSign,
  partnerSignedCopy,
  partnerSigningView,
  sendPartnerCode,
  verifyPartnerCode,
} from "@/lib/agreements/partner-signing";
import { ForbiddenError } from "@/lib/errors";
import { openAttachments } from "@/lib/notify/queue-email";

import { partnerConsentToSign } from "../helpers/consent";
import { context, createPerson, viewerOf } from "../helpers/factories";
import { latestCode as codeOf, partnerWithLink, latestLinkToken as tokenOf } from "../helpers/partner-links";
import { withTestDatabase } from "../helpers/test-database";

const database = withTestDatabase();
const ctx = { ...context(null), ip: "198.51.100.4", userAgent: "partner-browser" };

const latestLinkToken = (requestId: string) => tokenOf(database.db(), requestId);
const latestCode = (requestId: string) => codeOf(database.db(), requestId);
const setup = () => partnerWithLink(database.db());

describe("partner signing", () => {
  it("signs through the link after proving the inbox with a code; the link then stops working", async () => {
    const { admin, partner, request, token } = await setup();
    expect((await partnerSigningView(token, null)).state).toBe("ready");
    const first = await partnerSigningView(token, null);
    expect(first.state === "ready" && first.text).toBeNull(); // no text before the code

    // A code typed before one was asked for is not "expired": the signer is told to ask for one.
    await expect(verifyPartnerCode(token, "123456", ctx)).rejects.toThrow(
      "No code has been sent for this link yet. Select “Email me a code” first.",
    );
    await sendPartnerCode(token, ctx);
    await expect(sendPartnerCode(token, ctx)).rejects.toThrow("less than a minute ago");
    await expect(verifyPartnerCode(token, "000000", ctx)).rejects.toThrow("not right");
    const { browserKey } = await verifyPartnerCode(token, await latestCode(request.id), ctx);
    const view = await partnerSigningView(token, browserKey);
    expect(view.state === "ready" && view.step).toBe("consent");
    expect(view.state === "ready" && view.text).toContain("Acme Logistics GmbH");

    await expect(partnerSign(token, browserKey, { typedName: "Hannah Müller" }, ctx)).rejects.toThrow("consent");
    await partnerConsentToSign(token, browserKey, ctx);
    await expect(partnerSign(token, browserKey, { typedName: "Hannah Mueller" }, ctx)).rejects.toThrow(
      '"Hannah Müller"',
    );
    const { signatureId } = await partnerSign(token, browserKey, { typedName: "hannah müller" }, ctx);
    expect(signatureId).toBeTruthy();

    expect((await loadPartnerLink(token)).state).toBe("used");
    // The browser that signed sees the completion page and may download its copy, for an hour; nobody else may.
    expect(await partnerSigningView(token, browserKey)).toMatchObject({
      state: "signed",
      contactEmail: "hannah@acme.example",
    });
    expect((await partnerSigningView(token, null)).state).toBe("used");
    expect((await partnerSigningView(token, browserKey, new Date(Date.now() + 61 * 60_000))).state).toBe("used");
    const own = await partnerSignedCopy(token, browserKey, ctx);
    expect(own.bytes.subarray(0, 5).toString()).toBe("%PDF-");
    expect(own.filename).toMatch(/^partner-dpa-v[\d.]+-\d{4}-\d{2}-\d{2}\.pdf$/);
    await expect(partnerSignedCopy(token, null, ctx)).rejects.toThrow("does not exist");
    await expect(partnerSignedCopy(token, "another-browser-key", ctx)).rejects.toThrow("does not exist");
    await expect(partnerSignedCopy(token, browserKey, ctx, new Date(Date.now() + 61 * 60_000))).rejects.toThrow(
      "does not exist",
    );
    await expect(partnerSign(token, browserKey, { typedName: "Hannah Müller" }, ctx)).rejects.toThrow(
      "can no longer be used",
    );
    const partnerRow = (await listPartners(admin)).find((p) => p.id === partner.id)!;
    expect(partnerRow.agreements[0]).toMatchObject({ status: "signed", signatureId });

    const [copy] = await database
      .db()
      .select()
      .from(outbox)
      .where(eq(outbox.dedupeKey, `signed-copy:${signatureId}`));
    expect(copy.toEmail).toBe("hannah@acme.example");
    const [pdf] = openAttachments(copy.dedupeKey, copy.attachmentsEnc!);
    expect(pdf.content.subarray(0, 5).toString()).toBe("%PDF-");
  });

  it("refuses expired, voided and replaced links with a clear state", async () => {
    const { admin, partner, request, token } = await setup();
    const later = new Date(Date.now() + 15 * 86_400_000);
    expect((await loadPartnerLink(token, later)).state).toBe("expired");
    expect((await listPartners(admin, later)).find((p) => p.id === partner.id)!.agreements[0].status).toBe(
      "link_expired",
    );

    await resendPartnerRequest(admin, context(admin.id), request.id);
    expect((await loadPartnerLink(token)).state).toBe("unknown");
    const fresh = await latestLinkToken(request.id);
    expect(fresh).not.toBe(token);
    expect((await loadPartnerLink(fresh)).state).toBe("ready");

    await voidPartnerRequest(admin, context(admin.id), request.id);
    expect((await loadPartnerLink(fresh)).state).toBe("void");
    expect((await loadPartnerLink("not-a-real-token-at-all-xxxxxxxx")).state).toBe("unknown");
    const [row] = await database
      .db()
      .select()
      .from(partnerSigningRequests)
      .where(eq(partnerSigningRequests.id, request.id));
    expect(row.tokenHash).not.toContain(fresh);
  });

  it("gives an admin a copy of a new link, once per copy: the emailed one stops working and the code still guards it", async () => {
    const { admin, request, token } = await setup();
    const copied = await copyPartnerLink(admin, context(admin.id), request.id);
    const copiedToken = copied.path.replace("/partner-sign/", "");
    expect((await loadPartnerLink(token)).state).toBe("unknown");
    expect((await loadPartnerLink(copiedToken)).state).toBe("ready");
    const view = await partnerSigningView(copiedToken, null);
    expect(view.state === "ready" && view.step).toBe("code");
    expect(view.state === "ready" && view.text).toBeNull();

    // Copies made at once: one link survives, each copy replaced the one before.
    const copies = await Promise.all(
      Array.from({ length: 30 }, () => copyPartnerLink(admin, context(admin.id), request.id)),
    );
    const live = await Promise.all(copies.map((c) => loadPartnerLink(c.path.replace("/partner-sign/", ""))));
    expect(live.filter((l) => l.state === "ready")).toHaveLength(1);
    expect((await loadPartnerLink(copiedToken)).state).toBe("unknown");

    const auditor = viewerOf(await createPerson(database.db(), { roles: ["auditor"] }));
    await expect(copyPartnerLink(auditor, context(auditor.id), request.id)).rejects.toThrow(ForbiddenError);
    await voidPartnerRequest(admin, context(admin.id), request.id);
    await expect(copyPartnerLink(admin, context(admin.id), request.id)).rejects.toThrow("send a new one instead");
  });

  it("locks the code after five wrong tries", async () => {
    const { token } = await setup();
    await sendPartnerCode(token, ctx);
    for (let i = 0; i < 5; i++) await expect(verifyPartnerCode(token, "111111", ctx)).rejects.toThrow("not right");
    await expect(verifyPartnerCode(token, "111111", ctx)).rejects.toThrow("Too many wrong codes");
  });

  it("only compliance admins manage partners; auditors may read", async () => {
    const db = database.db();
    const employee = viewerOf(await createPerson(db));
    const auditor = viewerOf(await createPerson(db, { roles: ["auditor"] }));
    await expect(
      createPartner(employee, context(employee.id), {
        name: "X",
        contactName: "Y",
        contactEmail: "y@x.example",
        requiredAgreements: ["partner-dpa"],
      }),
    ).rejects.toThrow(ForbiddenError);
    await expect(
      createPartner(auditor, context(auditor.id), {
        name: "X",
        contactName: "Y",
        contactEmail: "y@x.example",
        requiredAgreements: ["partner-dpa"],
      }),
    ).rejects.toThrow(ForbiddenError);
    await expect(listPartners(auditor)).resolves.toBeInstanceOf(Array);
    await expect(listPartners(employee)).rejects.toThrow(ForbiddenError);
  });
});
