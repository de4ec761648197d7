import { describe, expect, it } from "vitest";

import { checkCertificates, splitCertificates } from "@/lib/identity/saml/certificates";

import { makeSigningKey } from "../helpers/saml-idp";

/** makeSigningKey's certificates are valid from a day ago for a year. */
const current = makeSigningKey("Current IdP").certificatePem;
const next = makeSigningKey("Next IdP").certificatePem;
const DAY = 86_400_000;

describe("splitCertificates", () => {
  it("reads several PEM blocks, a bare base64 body, and keeps what is not a certificate for the schema to name", () => {
    expect(splitCertificates(`${current}\n${next}`)).toHaveLength(2);
    const body = current.replace(/-----[A-Z ]+-----|\s/g, "");
    expect(splitCertificates(body)).toEqual([current.replace(/\r\n/g, "\n")]);
    expect(splitCertificates("  not a certificate ")).toEqual(["not a certificate"]);
    expect(splitCertificates("   ")).toEqual([]);
  });
});

describe("checkCertificates", () => {
  const now = new Date();
  it.each([
    ["valid now", [current], now, true, /^The signing certificate is valid until \d{1,2} \w{3} \d{4}\.$/],
    [
      "expiring within 30 days",
      [current],
      new Date(now.getTime() + 350 * DAY),
      true,
      /expires on .*next certificate soon/,
    ],
    [
      "expired",
      [current],
      new Date(now.getTime() + 400 * DAY),
      false,
      /expired on .*No signing certificate is valid now/,
    ],
    ["not valid yet", [current], new Date(now.getTime() - 3 * DAY), false, /is not valid until/],
    ["unreadable", ["junk"], now, false, /cannot be read/],
  ])("%s", (_what, pems, at, ok, message) => {
    const result = checkCertificates(pems, at);
    expect(result.ok).toBe(ok);
    expect(result.message).toMatch(message);
  });

  it("passes a rotation while one of two certificates is valid, naming each", () => {
    const result = checkCertificates(["junk", next], now);
    expect(result).toMatchObject({ ok: true });
    expect(result.message).toMatch(/^Signing certificate 1 cannot be read\. Signing certificate 2 is valid until/);
  });
});
