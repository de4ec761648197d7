import { Writable } from "node:stream";

import { describe, expect, it } from "vitest";

import { createLogger } from "@/lib/log";
import { scrubText } from "@/lib/log-scrub";

/** A logger whose lines are kept, parsed, for the test to read. */
function capture(level: "debug" | "info" = "info") {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split("\n").filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level, destination: destination as never });
  return { logger, lines, text: () => lines.join("\n") };
}

const EMAIL = "ana.silva@brightline.example";
const UNICODE_EMAIL = "josé.ñúñez@brightline.example";
const PASSWORD = "Clearance-demo-2026";
const API_TOKEN = "clr_3q2-VdN8XbZ0kP1yTq9wLm4eRf7sHj6uGc5aBn2";
const JWT = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..b3J3aXR0ZW4tbm9uY2U.ZmFrZS1zZXNzaW9uLXBheWxvYWQ.dGFn";
const TOTP = "492039";

describe("the logger", () => {
  it("writes one JSON object per line with level, time, service, instance and message", () => {
    const { logger, lines } = capture();
    logger.info({ personId: "6f1c2b1e-0000-4000-8000-000000000001" }, "certification issued");
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({
      level: "info",
      service: "clearance",
      msg: "certification issued",
      personId: "6f1c2b1e-0000-4000-8000-000000000001",
    });
    expect(new Date(line.time).toISOString()).toBe(line.time);
    expect(line.instance).toMatch(/-\d+-[0-9a-f]{6}$/);
  });

  it("keeps lines under the level and carries a request id on a request's child", () => {
    const { logger, lines } = capture("info");
    logger.debug("not shown");
    logger.child({ requestId: "req-1" }).warn("shown");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ level: "warn", requestId: "req-1", msg: "shown" });
  });

  it("lets no address, password, token, cookie or one-time code through, wherever it is", () => {
    const { logger, text } = capture("debug");
    logger.info({ email: EMAIL, person: { email: EMAIL, id: "p1" }, password: PASSWORD }, "signed in");
    logger.info({ body: { newPassword: PASSWORD, currentPassword: PASSWORD, totp: TOTP, recoveryCode: "ABCD-EFGH" } });
    logger.info({ headers: { authorization: `Bearer ${API_TOKEN}`, cookie: `next-auth.session-token=${JWT}` } });
    logger.info({
      request: { headers: { Authorization: `Bearer ${API_TOKEN}`, Cookie: `__Secure-next-auth.session-token=${JWT}` } },
    });
    logger.info({ to: EMAIL, userName: UNICODE_EMAIL, note: `mailed ${EMAIL} and ${UNICODE_EMAIL}` });
    logger.info({ list: [EMAIL, { deep: { deeper: { email: EMAIL, text: `token=${API_TOKEN}` } } }] });
    logger.info(`user ${EMAIL} used password=${PASSWORD} and code: ${TOTP}`);
    logger.info("sent %s to %s", `Bearer ${API_TOKEN}`, EMAIL);
    logger.warn({ raw: `Authorization: Bearer ${API_TOKEN}; cookie next-auth.csrf-token=abc123; ${JWT}` });
    logger.error({ err: new Error(`no person ${EMAIL} with token ${API_TOKEN}`) }, "failed");
    logger.error(new Error(`failed for ${UNICODE_EMAIL}`));
    logger.info({
      headers: new Headers({ authorization: `Bearer ${API_TOKEN}`, cookie: `authjs.session-token=${JWT}` }),
    });
    const out = text();
    for (const secret of [EMAIL, UNICODE_EMAIL, PASSWORD, API_TOKEN, JWT, TOTP, "abc123", "ABCD-EFGH"])
      expect(out, secret).not.toContain(secret);
    expect(out).not.toMatch(/@brightline\.example/);
    expect(out).not.toMatch(/Bearer (?!\[redacted\])/);
    // What was said stays readable around what was removed.
    expect(out).toContain("[email]");
    expect(out).toContain("[redacted]");
    expect(out).toContain('"msg":"signed in"');
    expect(out).toContain('"type":"Error"');
  });

  it("keeps ids, codes and counts", () => {
    const { logger, lines } = capture();
    logger.info({ personId: "p-1", code: "invalid_token", count: 3, tokenIdPrefix: "clr_3q2" }, "refused");
    expect(JSON.parse(lines[0])).toMatchObject({
      personId: "p-1",
      code: "invalid_token",
      count: 3,
      tokenIdPrefix: "clr_3q2",
    });
  });

  it("keeps a report's counts under a name that is secret elsewhere, but not strings or nested records there", () => {
    const { logger, lines } = capture();
    logger.info(
      { report: { emails: { sent: 1, failed: 0 }, secret: { key: "abc" }, to: ["x"], signature: { n: 1, s: "y" } } },
      "ran",
    );
    expect(JSON.parse(lines[0]).report).toEqual({
      emails: { sent: 1, failed: 0 },
      secret: "[redacted]",
      to: "[redacted]",
      signature: "[redacted]",
    });
  });
});

describe("scrubText", () => {
  it.each([
    [`Bearer ${API_TOKEN}`, "Bearer [redacted]"],
    [`basic dXNlcjpwYXNz`, "basic [redacted]"],
    [`next-auth.session-token=${JWT}; Path=/`, "next-auth.session-token=[redacted]; Path=/"],
    [`{"password":"${PASSWORD}"}`, '{"password":"[redacted]"}'],
    [`to ${EMAIL}.`, "to [email]."],
    ["no secret here", "no secret here"],
  ])("%s", (input, output) => expect(scrubText(input)).toBe(output));
});
