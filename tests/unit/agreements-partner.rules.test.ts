import { describe, expect, it } from "vitest";

import { partnerAgreementStatus } from "@/lib/agreements/partner.rules";

const day = 86_400_000;
const now = new Date("2026-06-01T12:00:00Z");
const ago = (days: number) => new Date(now.getTime() - days * day);
const ahead = (days: number) => new Date(now.getTime() + days * day);

type Req = Parameters<typeof partnerAgreementStatus>[1][number];
type Sig = Parameters<typeof partnerAgreementStatus>[2][number];
type Case = readonly [name: string, requests: readonly Req[], sigs: readonly Sig[], status: string];

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

const statusOf = (requests: readonly Req[], sigs: readonly Sig[]) =>
  partnerAgreementStatus(template, [...requests], [...sigs], now).status;

describe("a partner's standing on one agreement", () => {
  describe("the newest request decides", () => {
    it.each<Case>([
      ["nothing sent", [], [], "not_sent"],
      ["a signature on record but no request", [], [sig("r0")], "not_sent"],
      [
        "a declined link, then a new one waiting",
        [req("r1", "declined", 30), req("r2", "pending", 2)],
        [sig("r1", { outcome: "declined" })],
        "pending",
      ],
      [
        "a renewal link pending while the old signature holds",
        [req("r1", "signed", 300), req("r2", "pending", 2)],
        [sig("r1", { signedAt: ago(295) })],
        "pending",
      ],
    ])("%s → %s", (_name, requests, sigs, status) => {
      expect(statusOf(requests, sigs)).toBe(status);
    });
  });

  describe("a link waits 14 days for an answer, then lapses", () => {
    it.each<Case>([
      ["sent 3 days ago", [req("r1", "pending", 3)], [], "pending"],
      ["sent 13 days ago", [req("r1", "pending", 13)], [], "pending"],
      ["sent exactly 14 days ago", [req("r1", "pending", 14)], [], "link_expired"],
      ["sent 15 days ago", [req("r1", "pending", 15)], [], "link_expired"],
      [
        "a renewal link that lapsed while the old signature holds",
        [req("r1", "signed", 300), req("r2", "pending", 20)],
        [sig("r1", { signedAt: ago(295) })],
        "signed",
      ],
      [
        "a renewal link that lapsed after the old signature's renewal date",
        [req("r1", "signed", 400), req("r2", "pending", 20)],
        [sig("r1", { signedAt: ago(395), renewalDueAt: ago(30) })],
        "link_expired",
      ],
    ])("%s → %s", (_name, requests, sigs, status) => {
      expect(statusOf(requests, sigs)).toBe(status);
    });
  });

  describe("a withdrawn link falls back on the signature that holds", () => {
    it.each<Case>([
      ["withdrawn, nothing signed", [req("r1", "void", 3)], [], "void"],
      [
        "withdrawn while the old signature holds",
        [req("r1", "signed", 300), req("r2", "void", 2)],
        [sig("r1", { signedAt: ago(295) })],
        "signed",
      ],
      [
        "withdrawn while the old signature is of an older major version",
        [req("r1", "signed", 300), req("r2", "void", 2)],
        [sig("r1", { signedAt: ago(295), agreementVersion: "0.9.0" })],
        "signature_expired",
      ],
    ])("%s → %s", (_name, requests, sigs, status) => {
      expect(statusOf(requests, sigs)).toBe(status);
    });
  });

  describe("a declined link is declined, whatever came before", () => {
    it.each<Case>([
      ["declined", [req("r1", "declined", 3)], [sig("r1", { outcome: "declined" })], "declined"],
      [
        "a declined renewal while the old signature holds",
        [req("r1", "signed", 300), req("r2", "declined", 2)],
        [sig("r1", { signedAt: ago(295) }), sig("r2", { outcome: "declined" })],
        "declined",
      ],
    ])("%s → %s", (_name, requests, sigs, status) => {
      expect(statusOf(requests, sigs)).toBe(status);
    });
  });

  describe("a signature counts until its renewal date, at the current major version", () => {
    it.each<Case>([
      ["signed, current", [req("r1", "signed", 12)], [sig("r1")], "signed"],
      ["signed, with no renewal date", [req("r1", "signed", 12)], [sig("r1", { renewalDueAt: null })], "signed"],
      [
        "signed, within 30 days of renewal",
        [req("r1", "signed", 12)],
        [sig("r1", { renewalDueAt: ahead(20) })],
        "signed",
      ],
      [
        "signed, exactly 30 days before renewal",
        [req("r1", "signed", 12)],
        [sig("r1", { renewalDueAt: ahead(30) })],
        "signed",
      ],
      ["signed, renewal due now", [req("r1", "signed", 12)], [sig("r1", { renewalDueAt: now })], "signature_expired"],
      [
        "signed, past renewal",
        [req("r1", "signed", 400)],
        [sig("r1", { signedAt: ago(395), renewalDueAt: ago(30) })],
        "signature_expired",
      ],
      [
        "signed an older major version",
        [req("r1", "signed", 12)],
        [sig("r1", { agreementVersion: "0.9.0" })],
        "signature_expired",
      ],
      ["a signed request whose signature is not on record", [req("r1", "signed", 12)], [], "signature_expired"],
    ])("%s → %s", (_name, requests, sigs, status) => {
      expect(statusOf(requests, sigs)).toBe(status);
    });
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
    expect(partnerAgreementStatus(null, [req("r1", "signed", 12)], [sig("r1")], now).status).toBe("signature_expired");
    expect(partnerAgreementStatus(null, [req("r1", "pending", 3)], [], now).status).toBe("pending");
  });
});
