import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

import { outbox, partnerSigningRequests } from "@/db/schema";
import { partnerBrowserCookie } from "@/lib/agreements/partner-browser";
import {
  partnerConsent,
  partnerConsentCheck,
  partnerDecline,
  partnerSign,
  partnerSigningView,
  sendPartnerCode,
  verifyPartnerCode,
} from "@/lib/agreements/partner-signing";
import { DomainError, NotFoundError } from "@/lib/errors";
import { MINUTE } from "@/lib/time";

import { partnerConsentToSign } from "../helpers/consent";
import { context } from "../helpers/factories";
import { latestCode, partnerWithLink } from "../helpers/partner-links";
import { withTestDatabase } from "../helpers/test-database";

/**
 * Someone holding a partner's signing link (a forwarded email, a shared
 * screen) but not the partner's inbox tries to get past the one-time code:
 * by guessing many codes at once, reusing a code, or reusing a confirmed
 * link from another browser.
 */
const database = withTestDatabase();
const ctx = { ...context(null), ip: "203.0.113.9", userAgent: "attacker" };
const LIMIT = 5;

type Settled = { ok: true; value: unknown } | { ok: false; code: string };
const settle = (p: Promise<unknown>): Promise<Settled> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({
      ok: false as const,
      code: error instanceof DomainError ? error.code : `unexpected: ${String(error)}`,
    }),
  );

const shuffled = <T>(items: T[]) => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
};

/** `n` six-digit codes, none of them `right`. */
const wrongCodes = (right: string, n: number) =>
  Array.from({ length: n }, (_, k) => String((Number(right) + k + 1) % 1_000_000).padStart(6, "0"));

let partners = 0;
async function linkWithCode(now = new Date()) {
  partners++;
  const link = await partnerWithLink(database.db(), {
    name: `Partner ${partners}`,
    contactEmail: `contact-${partners}@partner.example`,
  });
  await sendPartnerCode(link.token, ctx, now);
  return { ...link, code: await latestCode(database.db(), link.request.id) };
}

async function requestRow(id: string) {
  const [row] = await database.db().select().from(partnerSigningRequests).where(eq(partnerSigningRequests.id, id));
  return row;
}

describe("partner one-time codes under attack", () => {
  it("evaluates at most 5 of 30 codes sent at once, in random order, and refuses the rest", async () => {
    const { request, token, code } = await linkWithCode();
    const attempts = shuffled([...wrongCodes(code, 29), code]);
    const results = await Promise.all(attempts.map((c) => settle(verifyPartnerCode(token, c, ctx))));

    const evaluated = results.filter((r) => r.ok || r.code === "code_wrong");
    expect(evaluated.length).toBeLessThanOrEqual(LIMIT);
    const right = results[attempts.indexOf(code)];
    const confirmed = right.ok;
    // Every other attempt was refused without being compared: the limit was spent, or the code already used.
    for (const r of results.filter((r) => !r.ok && r.code !== "code_wrong"))
      expect(r.ok ? "" : r.code).toMatch(confirmed ? /^code_(locked|expired)$/ : /^code_locked$/);
    if (!confirmed) expect(right).toEqual({ ok: false, code: "code_locked" });
    expect((await requestRow(request.id)).otpAttempts).toBeLessThanOrEqual(LIMIT);

    // The code is dead either way: spent by the limit, or used once.
    expect(await settle(verifyPartnerCode(token, code, ctx))).toMatchObject({ ok: false });
  });

  it("refuses the right code once five wrong ones, sent together, have spent the limit", async () => {
    const { request, token, code } = await linkWithCode();
    const wrong = await Promise.all(wrongCodes(code, 29).map((c) => settle(verifyPartnerCode(token, c, ctx))));
    expect(wrong.filter((r) => !r.ok && r.code === "code_wrong")).toHaveLength(LIMIT);
    expect(wrong.filter((r) => !r.ok && r.code === "code_locked")).toHaveLength(29 - LIMIT);
    expect(await settle(verifyPartnerCode(token, code, ctx))).toEqual({ ok: false, code: "code_locked" });
    expect((await requestRow(request.id)).otpAttempts).toBe(LIMIT);
    expect(await partnerSigningView(token, null)).toMatchObject({ state: "ready", step: "code", text: null });
  });

  it("uses a code once: a second confirmation with the same code is refused", async () => {
    const { token, code } = await linkWithCode();
    const first = await verifyPartnerCode(token, code, ctx);
    expect(first.browserKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await settle(verifyPartnerCode(token, code, ctx))).toEqual({ ok: false, code: "code_expired" });
    // Even the same code sent twice at once confirms one browser only.
    const again = await linkWithCode();
    const both = await Promise.all([
      settle(verifyPartnerCode(again.token, again.code, ctx)),
      settle(verifyPartnerCode(again.token, again.code, ctx)),
    ]);
    expect(both.filter((r) => r.ok)).toHaveLength(1);
  });

  it("refuses a code after its 10 minutes", async () => {
    const sentAt = new Date();
    const { token, code } = await linkWithCode(sentAt);
    const late = new Date(sentAt.getTime() + 10 * MINUTE + 1);
    expect(await settle(verifyPartnerCode(token, code, ctx, late))).toEqual({ ok: false, code: "code_expired" });
    const inTime = new Date(sentAt.getTime() + 10 * MINUTE - 1_000);
    expect(await settle(verifyPartnerCode(token, code, ctx, inTime))).toMatchObject({ ok: true });
  });

  it("sends one code for 30 requests at once, and at most 10 codes per link", async () => {
    const { request, token } = await partnerWithLink(database.db(), {
      name: "Flood Ltd",
      contactEmail: "inbox@flood.example",
    });
    const start = new Date();
    const burst = await Promise.all(Array.from({ length: 30 }, () => settle(sendPartnerCode(token, ctx, start))));
    expect(burst.filter((r) => r.ok)).toHaveLength(1);
    expect(burst.filter((r) => !r.ok && r.code === "code_recently_sent")).toHaveLength(29);
    for (let i = 1; i < 10; i++) await sendPartnerCode(token, ctx, new Date(start.getTime() + i * MINUTE));
    expect(await settle(sendPartnerCode(token, ctx, new Date(start.getTime() + 11 * MINUTE)))).toEqual({
      ok: false,
      code: "code_limit",
    });
    const codes = (await database.db().select({ key: outbox.dedupeKey }).from(outbox)).filter((r) =>
      r.key.startsWith(`partner-signing-code:${request.id}`),
    );
    expect(codes).toHaveLength(10);
  });

  it("binds the confirmed link to the browser that confirmed it", async () => {
    const { request, token, code } = await linkWithCode();
    const { browserKey } = await verifyPartnerCode(token, code, ctx);
    expect((await requestRow(request.id)).browserKeyHash).not.toContain(browserKey);

    // Another browser (no cookie, or a made-up one) is back at the code step and can do nothing.
    for (const key of [null, "x".repeat(43), browserKey.slice(0, -1) + (browserKey.endsWith("A") ? "B" : "A")]) {
      const view = await partnerSigningView(token, key);
      expect(view).toMatchObject({ state: "ready", step: "code", text: null });
      expect(await settle(partnerConsent(token, key, "ABCDEF", ctx))).toEqual({ ok: false, code: "code_required" });
      await expect(partnerConsentCheck(token, key)).rejects.toThrow(NotFoundError);
      expect(await settle(partnerSign(token, key, { typedName: "Hannah Müller" }, ctx))).toMatchObject({ ok: false });
      expect(await settle(partnerDecline(token, key, "not me", ctx))).toEqual({ ok: false, code: "code_required" });
    }

    // The browser that confirmed carries on.
    expect(await partnerSigningView(token, browserKey)).toMatchObject({ state: "ready", step: "consent" });
    await partnerConsentToSign(token, browserKey, ctx);
    expect(await partnerSigningView(token, browserKey)).toMatchObject({ state: "ready", step: "sign" });

    // A new browser must confirm a new code; that browser then holds the link.
    const later = new Date(Date.now() + 2 * MINUTE);
    await sendPartnerCode(token, ctx, later);
    const second = await verifyPartnerCode(token, await latestCode(database.db(), request.id), ctx, later);
    expect(second.browserKey).not.toBe(browserKey);
    expect(await partnerSigningView(token, browserKey, later)).toMatchObject({ step: "code" });
    expect(await partnerSigningView(token, second.browserKey, later)).toMatchObject({ step: "consent" });
    await partnerConsentToSign(token, second.browserKey, ctx, later);
    expect(await partnerSign(token, second.browserKey, { typedName: "Hannah Müller" }, ctx, later)).toMatchObject({
      signatureId: expect.any(String),
    });
  });

  it("keeps the browser secret in an HttpOnly, SameSite=Lax cookie scoped to the link, Secure over https", () => {
    const expires = new Date("2026-12-01T00:00:00Z");
    expect(partnerBrowserCookie("tok_abcdefghijklmnopqrstuv", "http://localhost:3000", expires)).toEqual({
      name: "clearance-partner-signer",
      options: {
        httpOnly: true,
        sameSite: "lax",
        secure: false,
        path: "/partner-sign/tok_abcdefghijklmnopqrstuv",
        expires,
      },
    });
    expect(partnerBrowserCookie("tok_abcdefghijklmnopqrstuv", "https://clearance.example.com", expires)).toEqual({
      name: "__Secure-clearance-partner-signer",
      options: {
        httpOnly: true,
        sameSite: "lax",
        secure: true,
        path: "/partner-sign/tok_abcdefghijklmnopqrstuv",
        expires,
      },
    });
  });
});
