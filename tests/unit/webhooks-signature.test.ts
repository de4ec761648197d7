import { createHmac } from "node:crypto";

import { describe, expect, it } from "vitest";

import { signPayload, verifyWebhookSignature } from "@/lib/webhooks/signature";

const secret = "whsec_test-secret";
const body = JSON.stringify({
  id: "access.granted:1",
  type: "access.granted",
  createdAt: "2026-11-29T10:00:00.000Z",
  data: { email: "li.hua@test.example", name: "李华" },
});
const now = new Date("2026-11-29T10:00:00Z");
const t = Math.floor(now.getTime() / 1000);

describe("webhook signatures", () => {
  it("signs Stripe-style: t=<seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>", () => {
    const header = signPayload(secret, body, now);
    const expected = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
    expect(header).toBe(`t=${t},v1=${expected}`);
    expect(signPayload(secret, body, t)).toBe(header);
  });

  it("verifies what it signed, within the tolerance either side", () => {
    const header = signPayload(secret, body, now);
    expect(verifyWebhookSignature(secret, header, body, now)).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, new Date(now.getTime() + 299_000))).toBe(true);
    expect(verifyWebhookSignature(secret, header, body, new Date(now.getTime() - 299_000))).toBe(true);
  });

  it.each([
    ["a wrong secret", () => verifyWebhookSignature("whsec_other", signPayload(secret, body, now), body, now)],
    [
      "an altered body",
      () => verifyWebhookSignature(secret, signPayload(secret, body, now), body.replace("li.hua", "ana.silva"), now),
    ],
    [
      "one extra space in the body",
      () => verifyWebhookSignature(secret, signPayload(secret, body, now), `${body} `, now),
    ],
    [
      "a stale timestamp",
      () => verifyWebhookSignature(secret, signPayload(secret, body, now), body, new Date(now.getTime() + 301_000)),
    ],
    [
      "a timestamp from the future",
      () => verifyWebhookSignature(secret, signPayload(secret, body, now), body, new Date(now.getTime() - 301_000)),
    ],
    [
      "a tighter tolerance",
      () => verifyWebhookSignature(secret, signPayload(secret, body, now), body, new Date(now.getTime() + 61_000), 60),
    ],
    [
      "a timestamp swapped for a fresh one",
      () =>
        verifyWebhookSignature(
          secret,
          signPayload(secret, body, now).replace(`t=${t}`, `t=${t + 600}`),
          body,
          new Date(now.getTime() + 600_000),
        ),
    ],
    ["no header", () => verifyWebhookSignature(secret, null, body, now)],
    ["a header without v1", () => verifyWebhookSignature(secret, `t=${t}`, body, now)],
    [
      "a truncated signature",
      () => verifyWebhookSignature(secret, signPayload(secret, body, now).slice(0, -2), body, now),
    ],
    ["garbage", () => verifyWebhookSignature(secret, "nonsense", body, now)],
    ["an empty secret", () => verifyWebhookSignature("", signPayload("", body, now), body, now)],
  ])("refuses %s", (_name, check) => {
    expect(check()).toBe(false);
  });

  it("accepts any of several v1 values (secret rotation) and ignores unknown schemes", () => {
    const good = signPayload(secret, body, now).split(",")[1];
    const other = signPayload("whsec_old", body, now).split(",")[1];
    expect(verifyWebhookSignature(secret, `t=${t}, ${other}, v0=abc, ${good}`, body, now)).toBe(true);
    expect(verifyWebhookSignature(secret, `t=${t},${other}`, body, now)).toBe(false);
  });
});
