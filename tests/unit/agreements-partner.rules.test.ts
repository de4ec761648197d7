import { describe, expect, it } from "vitest";

import { partnerAgreementStatus } from "@/lib/agreements/partner.rules";

const day = 86_400_000;
const now = new Date("2026-06-01T12:00:00Z");
const ago = (days: number) => new Date(now.getTime() - days * day);
const ahead = (days: number) => new Date(now.getTime() + days * day);

type Req = Parameters<typeof partnerAgreementStatus>[1][number];
type Sig = Parameters<typeof partnerAgreementStatus>[2][number];

/** A request sent `sentDaysAgo` days ago; links live 14 days. */
const req = (id: string, status: Req["status"], sentDaysAgo: number): Req => ({
  id,
  status,
  createdAt: ago(sentDaysAgo),
  expiresAt: ahead(14 - sentDaysAgo),
});
const sig = (requestId: string, over: Partial<Sig> = {}): Sig => ({
  id: `sig-${requestId}`,
  partnerRequestId: requestId,
  agreementVersion: "1.0.0",
  outcome: "signed",
  signedAt: ago(10),
  renewalDueAt: ahead(300),
  ...over,
});

const template = { version: "1.2.0" };

describe("a partner's standing on one agreement", () => {
  it.each([
    ["nothing sent", [], [], "not_sent"],
    ["a link waiting for an answer", [req("r1", "pending", 3)], [], "pending"],
    ["an unanswered link past its 14 days", [req("r1", "pending", 15)], [], "expired"],
    ["a withdrawn link", [req("r1", "void", 3)], [], "void"],
    ["a declined link", [req("r1", "declined", 3)], [sig("r1", { outcome: "declined" })], "declined"],
    ["signed, current", [req("r1", "signed", 12)], [sig("r1")], "signed"],
    [
      "signed, within 30 days of renewal, still counts as signed",
      [req("r1", "signed", 12)],
      [sig("r1", { renewalDueAt: ahead(20) })],
      "signed",
    ],
    [
      "signed, past renewal",
      [req("r1", "signed", 400)],
      [sig("r1", { signedAt: ago(395), renewalDueAt: ago(30) })],
      "expired",
    ],
    ["signed an older major version", [req("r1", "signed", 12)], [sig("r1", { agreementVersion: "0.9.0" })], "expired"],
    [
      "a renewal link pending while the old signature holds",
      [req("r1", "signed", 300), req("r2", "pending", 2)],
      [sig("r1", { signedAt: ago(295) })],
      "pending",
    ],
    [
      "a renewal link that lapsed while the old signature holds",
      [req("r1", "signed", 300), req("r2", "pending", 20)],
      [sig("r1", { signedAt: ago(295) })],
      "signed",
    ],
    [
      "a withdrawn renewal link while the old signature holds",
      [req("r1", "signed", 300), req("r2", "void", 2)],
      [sig("r1", { signedAt: ago(295) })],
      "signed",
    ],
    [
      "a declined renewal, whatever came before",
      [req("r1", "signed", 300), req("r2", "declined", 2)],
      [sig("r1", { signedAt: ago(295) }), sig("r2", { outcome: "declined" })],
      "declined",
    ],
    ["a signed request whose signature is not on record", [req("r1", "signed", 12)], [], "expired"],
  ] as const)("%s → %s", (_name, requests, sigs, status) => {
    expect(partnerAgreementStatus(template, [...requests], [...sigs], now).status).toBe(status);
  });

  it("answers with the newest request and the signature that holds", () => {
    const older = req("r1", "signed", 300);
    const newer = req("r2", "pending", 2);
    const held = sig("r1", { signedAt: ago(295) });
    const result = partnerAgreementStatus(
      template,
      [newer, older],
      [held, sig("r0", { signedAt: ago(700), renewalDueAt: ago(400) })],
      now,
    );
    expect(result.request).toBe(newer);
    expect(result.signature).toBe(held);
  });

  it("ignores declined signatures when looking for one that holds", () => {
    const result = partnerAgreementStatus(
      template,
      [req("r1", "declined", 3)],
      [sig("r1", { outcome: "declined" })],
      now,
    );
    expect(result.signature).toBeNull();
  });

  it("reports a signature as expired when the agreement is no longer published", () => {
    expect(partnerAgreementStatus(null, [req("r1", "signed", 12)], [sig("r1")], now).status).toBe("expired");
    expect(partnerAgreementStatus(null, [req("r1", "pending", 3)], [], now).status).toBe("pending");
  });
});
