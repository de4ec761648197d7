import { describe, expect, it } from "vitest";

import { minPasswordLength, passwordProblem } from "@/lib/auth/password.rules";

const alone = { email: "ana.silva@brightline.example", name: "Ana Silva", hasSecondFactor: false };
const withMfa = { ...alone, hasSecondFactor: true };

describe("password rules (NIST SP 800-63B rev. 4)", () => {
  it("asks 15 characters of a password used alone and 8 with a second factor", () => {
    expect(minPasswordLength(false)).toBe(15);
    expect(minPasswordLength(true)).toBe(8);
  });

  it.each([
    ["fourteen chars", alone, /at least 15/],
    ["kettle-moss-rain", alone, null],
    ["kettle-m", withMfa, null],
    ["kettle", withMfa, /at least 8/],
    // Counted as a person counts them: one per character, whatever its bytes.
    ["Grüße aus Köln!", alone, null],
    ["李华的密码很长很长很长很长的", alone, /at least 15/],
    ["x".repeat(201), alone, /at most 200/],
    // No composition rules: lower case and spaces only is fine.
    ["correct horse battery staple", alone, null],
  ])("%j", (password, context, expected) => {
    const problem = passwordProblem(password, context);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });

  it.each([
    "password1234567",
    "Password123!",
    "qwertyuiop",
    "1q2w3e4r5t",
    "iloveyou12",
    "  PASSWORD  ",
    "Clearance-2026!",
  ])("refuses %j, a password attackers try first", (password) => {
    expect(passwordProblem(password, withMfa)).toMatch(/attackers try first/);
  });

  it("refuses the person's own address and name", () => {
    expect(passwordProblem("ana.silva@brightline.example", alone)).toMatch(/email address or your name/);
    expect(passwordProblem("ana.silva", withMfa)).toMatch(/email address or your name/);
    expect(passwordProblem("Ana Silva 2026", withMfa)).toMatch(/email address or your name/);
  });

  it("refuses a few characters repeated", () => {
    expect(passwordProblem("abababababababab", alone)).toMatch(/repeats/);
  });
});
