import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { safeReturnPath } from "@/lib/http/return-path";

/**
 * An attacker sends a sign-in link whose callbackUrl points elsewhere; after
 * signing in the browser must stay on this origin, whatever the string.
 */
const APP = "https://app.example";

function assertSameOrigin(result: string) {
  expect(result.startsWith("/")).toBe(true);
  expect(result[1] === "/" || result[1] === "\\").toBe(false);
  expect(new URL(result, APP).origin).toBe(APP);
  // The browser's own parsing, at each level of decoding a later reader might apply.
  expect(new URL(decodeURIComponent(result.split(/[?#]/)[0]), APP).origin).toBe(APP);
}

const HOSTILE = [
  "/\\evil.example/login",
  "/%5Cevil.example/login",
  "/%5cevil.example",
  "//evil.example",
  "///evil.example",
  "////evil.example",
  "/\\/evil.example",
  "\\\\evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example",
  "\t//evil.example",
  " //evil.example",
  "/%2F%2Fevil.example",
  "%2F%2Fevil.example",
  "/%2f/evil.example",
  "/%252F%252Fevil.example",
  "/.//evil.example",
  "/./\\evil.example",
  "/..//evil.example",
  "/a/..//evil.example",
  "https://evil.example/",
  "http:evil.example",
  "https:/evil.example",
  "https:\\\\evil.example",
  "javascript:alert(1)",
  "JaVaScRiPt:alert(1)",
  "java\tscript:alert(1)",
  "\u0000javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  "vbscript:msgbox(1)",
  "/\u3000/evil.example",
  "/\uFF0F/evil.example",
  "/\u2215/evil.example",
  "/\u00A0/evil.example",
  "/\u2028/evil.example",
  "/\u0000/evil.example",
  "https://app.example@evil.example/",
  "evil.example",
  "@evil.example",
  "/%0d%0aLocation:%20https://evil.example",
];

const PIECES = [
  "/",
  "\\",
  "//",
  "/\\",
  "%2F",
  "%2f",
  "%5C",
  "%5c",
  "%252F",
  ".",
  "..",
  ":",
  "@",
  "?",
  "#",
  "\t",
  "\n",
  "\r",
  "\u0000",
  "\u001f",
  " ",
  "\u00a0",
  "\u3000",
  "\uFF0F",
  "\u2044",
  "evil.example",
  "javascript:",
  "https:",
  "http://",
  "data:",
  "李",
  "\u{1F600}",
  "%",
  "%0a",
  "%09",
  "%00",
];

const hostile = fc.oneof(
  fc.constantFrom(...HOSTILE),
  fc.array(fc.constantFrom(...PIECES), { minLength: 1, maxLength: 10 }).map((parts) => parts.join("")),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
);

describe("return paths after sign-in", () => {
  it("never leave the origin, for hostile strings", () => {
    for (const input of HOSTILE) {
      const result = safeReturnPath(input);
      assertSameOrigin(result);
      // Look-alike slashes (／ ∕) are harmless once percent-encoded in a path; everything else falls back.
      if (!/[\uFF0F\u2215]/.test(input)) expect(result, JSON.stringify(input)).toBe("/dashboard");
    }
    fc.assert(
      fc.property(hostile, (input) => {
        assertSameOrigin(safeReturnPath(input));
        assertSameOrigin(safeReturnPath(input, "/", APP));
      }),
      { numRuns: 2_000 },
    );
  });

  it("keep ordinary paths on this site", () => {
    expect(safeReturnPath("/courses/gdpr-basics?tab=quiz#q3")).toBe("/courses/gdpr-basics?tab=quiz#q3");
    expect(safeReturnPath("/team?q=Jos%C3%A9")).toBe("/team?q=Jos%C3%A9");
    expect(safeReturnPath("/signin?signedOut=1", "/")).toBe("/signin?signedOut=1");
    expect(safeReturnPath(undefined)).toBe("/dashboard");
    expect(safeReturnPath("")).toBe("/dashboard");
  });

  it("accept an absolute URL only on the origin it is given", () => {
    expect(safeReturnPath("https://app.example/access?x=1", "/", APP)).toBe("/access?x=1");
    expect(safeReturnPath("https://app.example", "/", APP)).toBe("/");
    expect(safeReturnPath("https://app.example.evil.example/", "/", APP)).toBe("/");
    expect(safeReturnPath("https://user@app.example/", "/", APP)).toBe("/");
    expect(safeReturnPath("https://app.example/access")).toBe("/dashboard");
  });
});
