import { describe, expect, it } from "vitest";

import { base32Decode, base32Encode, matchTotp, otpauthUri, totpAt } from "@/lib/crypto/totp";

// RFC 6238 Appendix B, SHA-1 secret "12345678901234567890" (8-digit codes there; we use the last 6).
const rfcSecret = base32Encode(Buffer.from("12345678901234567890"));

describe("TOTP", () => {
  it.each([
    [59, "287082"],
    [1111111109, "081804"],
    [1111111111, "050471"],
    [1234567890, "005924"],
    [2000000000, "279037"],
  ])("matches RFC 6238 at t=%i", (seconds, code) => {
    expect(totpAt(rfcSecret, Math.floor(seconds / 30))).toBe(code);
  });

  it("round-trips base32", () => {
    const bytes = Buffer.from("any bytes at all \u00ff");
    expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
  });

  const now = new Date(1_800_000_000_000);
  const step = Math.floor(now.getTime() / 30_000);
  it.each([
    ["current step", 0, true],
    ["one step early", -1, true],
    ["one step late", 1, true],
    ["two steps early", -2, false],
    ["two steps late", 2, false],
  ])("accepts %s: %s", (_name, offset, ok) => {
    const code = totpAt(rfcSecret, step + (offset as number));
    expect(matchTotp(rfcSecret, code, now) !== null).toBe(ok);
  });

  it("refuses a code from a step already used", () => {
    const code = totpAt(rfcSecret, step);
    expect(matchTotp(rfcSecret, code, now, step)).toBeNull();
    expect(matchTotp(rfcSecret, code, now, step - 1)).toBe(step);
  });

  it("refuses malformed codes", () => {
    expect(matchTotp(rfcSecret, "12345", now)).toBeNull();
    expect(matchTotp(rfcSecret, "abcdef", now)).toBeNull();
  });

  it("builds an otpauth URI an authenticator app understands", () => {
    expect(otpauthUri("ABC", "ana@example.com", "Acme Ltd")).toBe(
      "otpauth://totp/Acme%20Ltd%3Aana%40example.com?secret=ABC&issuer=Acme%20Ltd&algorithm=SHA1&digits=6&period=30",
    );
  });
});
