import { describe, expect, it } from "vitest";

import {
  agreementStanding,
  fillPlaceholders,
  namesMatch,
  renewalDueFor,
  type SignatureFacts,
} from "@/lib/agreements/signing.rules";

const signedAt = new Date("2026-01-10T12:00:00Z");
const sig = (over: Partial<SignatureFacts> = {}): SignatureFacts => ({
  agreementVersion: "1.0.0",
  signedAt,
  renewalDueAt: renewalDueFor(signedAt, 12),
  outcome: "signed",
  ...over,
});

describe("agreement standing", () => {
  it.each([
    ["never signed", { version: "1.0.0" }, [], "2026-02-01T00:00:00Z", "to_sign"],
    ["only declined", { version: "1.0.0" }, [sig({ outcome: "declined" })], "2026-02-01T00:00:00Z", "to_sign"],
    ["signed, current", { version: "1.0.0" }, [sig()], "2026-02-01T00:00:00Z", "signed"],
    ["a minor update keeps it signed", { version: "1.3.0" }, [sig()], "2026-02-01T00:00:00Z", "signed"],
    ["a new major version must be signed again", { version: "2.0.0" }, [sig()], "2026-02-01T00:00:00Z", "new_version"],
    ["31 days before renewal", { version: "1.0.0" }, [sig()], "2026-12-10T11:59:59Z", "signed"],
    ["30 days before renewal", { version: "1.0.0" }, [sig()], "2026-12-11T12:00:00Z", "expiring"],
    ["at renewal", { version: "1.0.0" }, [sig()], "2027-01-10T12:00:00Z", "renewal_due"],
    [
      "never expires when renewal is 0",
      { version: "1.0.0" },
      [sig({ renewalDueAt: null })],
      "2036-01-01T00:00:00Z",
      "signed",
    ],
    [
      "the newest signature decides",
      { version: "2.0.0" },
      [sig(), sig({ agreementVersion: "2.0.0", signedAt: new Date("2026-03-01T00:00:00Z"), renewalDueAt: null })],
      "2026-04-01T00:00:00Z",
      "signed",
    ],
  ] as const)("%s", (_n, template, signatures, now, standing) => {
    expect(agreementStanding(template, [...signatures], new Date(now)).standing).toBe(standing);
  });
});

describe("placeholders and names", () => {
  it("fills every allowed placeholder", () => {
    const text =
      "Between {{organisation.name}} and {{ person.name }} ({{person.email}}) for {{partner.name}} on {{date}}, under the laws of {{organisation.jurisdiction}}.";
    expect(
      fillPlaceholders(text, {
        personName: "李华",
        personEmail: "li@x.example",
        organisation: "Brightline",
        jurisdiction: "England and Wales",
        partnerName: "Acme",
        date: signedAt,
      }),
    ).toBe(
      // Values are escaped for Markdown, so they render as the text they are.
      "Between Brightline and 李华 (li\\@x\\.example) for Acme on 2026-01-10, under the laws of England and Wales.",
    );
  });
  it.each([
    ["José Ñúñez", "José Ñúñez", true],
    ["  josé   ñúñez ", "José Ñúñez", true],
    ["Jose\u0301 N\u0303u\u0301n\u0303ez", "José Ñúñez", true],
    ["Jose Nunez", "José Ñúñez", false],
    ["", "", false],
    ["李华", "李华", true],
  ])("%j matches %j: %s", (typed, expected, ok) => {
    expect(namesMatch(typed, expected)).toBe(ok);
  });
});
