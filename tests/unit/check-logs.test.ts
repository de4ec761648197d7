import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { findLeaks, forbiddenFor } from "@/scripts/lib/log-check";

const root = process.cwd();
const forbidden = forbiddenFor(root);

const CLEAN = [
  '{"level":"info","time":"2026-01-05T09:00:00.000Z","service":"clearance","instance":"app-1","msg":"seeded the demo organisation","people":42}',
  '{"level":"warn","requestId":"7d1c","msg":"sign-in failed for [email] with Bearer [redacted]","cookie":"next-auth.session-token=[redacted]"}',
  '{"level":"error","requestId":"7d1c","err":{"type":"Error","message":"set password failed"},"msg":"set password failed"}',
  "   ▲ Next.js 16.4.6",
  "   - Local:        http://localhost:3210",
].join("\n");

describe("the log check (npm run logs:check)", () => {
  it("knows the seed's addresses and the end-to-end tests' passwords", () => {
    expect(forbidden.emails).toEqual(
      expect.arrayContaining(["ana.silva@brightline.example", "carmen.diaz@brightline.example"]),
    );
    expect(forbidden.emails.length).toBeGreaterThan(40);
    expect(forbidden.emailDomains).toContain("brightline.example");
    expect(forbidden.passwords).toEqual(
      expect.arrayContaining(["Clearance-demo-2026", "lantern harbour quietly 42", "not-the-password", "idp-password"]),
    );
    // Words of the interface are not passwords.
    expect(forbidden.passwords).not.toContain("password");
    expect(forbidden.passwords).not.toContain("Current password");
  });

  it("passes a clean log, with redaction markers", () => {
    expect(findLeaks(CLEAN, forbidden)).toEqual([]);
  });

  it.each([
    ["a seed address", '{"msg":"mailed priya.nair@brightline.example"}', "a seed e-mail address"],
    ["an address at the demo domain", '{"to":"new.hire@BRIGHTLINE.example"}', "a seed e-mail address"],
    ["a partner's address from the seed", '{"msg":"tomas.rivera@harbor-analytics.example"}', "a seed e-mail address"],
    ["the demo password", '{"body":"password=Clearance-demo-2026"}', "a test password"],
    ["a password typed in a test", '{"msg":"copper kettle under the stairs"}', "a test password"],
    ["a bearer token", '{"authorization":"Bearer clr_abc"}', "a bearer token"],
    ["an API token", '{"msg":"token clr_0123456789abcdefABCDEF"}', "an API token"],
    ["a session cookie", '{"cookie":"__Secure-next-auth.session-token=eyJhbGciOi.x.y"}', "a session cookie"],
    ["a JWT", '{"msg":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"}', "a JSON Web Token"],
  ])("fails on %s", (_name, line, what) => {
    const findings = findLeaks(`${CLEAN}\n${line}`, forbidden);
    expect(findings.map((f) => f.what)).toContain(what);
    expect(findings[0].line).toBe(6);
  });

  it("as a command: exit 0 on a clean log, 1 naming the line on a leak, 2 without a log", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "clearance-logs-"));
    const run = (file: string) =>
      spawnSync(process.execPath, [path.join(root, "node_modules/tsx/dist/cli.mjs"), "scripts/check-logs.ts", file], {
        cwd: root,
        encoding: "utf8",
      });
    writeFileSync(path.join(dir, "clean.log"), CLEAN);
    writeFileSync(path.join(dir, "leaky.log"), `${CLEAN}\n{"msg":"hello ana.silva@brightline.example"}\n`);
    const clean = run(path.join(dir, "clean.log"));
    expect(clean.status, clean.stderr).toBe(0);
    const leaky = run(path.join(dir, "leaky.log"));
    expect(leaky.status).toBe(1);
    expect(leaky.stderr).toContain("line 6: a seed e-mail address");
    expect(leaky.stderr).not.toContain("ana.silva");
    expect(run(path.join(dir, "missing.log")).status).toBe(2);
  }, 60_000);
});
