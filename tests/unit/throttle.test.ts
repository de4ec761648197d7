import { describe, expect, it } from "vitest";
import { THROTTLE, throttleVerdict, type Attempt } from "@/lib/auth/throttle";

const now = new Date("2026-11-29T12:00:00Z");
const ago = (minutes: number, outcome: Attempt["outcome"] = "failure"): Attempt => ({ at: new Date(now.getTime() - minutes * 60_000), outcome });
const failures = (n: number, startMinutesAgo = 1) => Array.from({ length: n }, (_, i) => ago(startMinutesAgo + i * 0.1));

describe("throttleVerdict", () => {
  const cases: { name: string; account: Attempt[]; ip: Attempt[]; allowed: boolean; scope?: "account" | "ip" }[] = [
    { name: "no attempts", account: [], ip: [], allowed: true },
    { name: "4 account failures", account: failures(4), ip: failures(4), allowed: true },
    { name: "5 account failures locks the account", account: failures(5), ip: failures(5), allowed: false, scope: "account" },
    { name: "5 failures but one is older than the window", account: [...failures(4), ago(15.01)], ip: [], allowed: true },
    { name: "5 failures exactly at the window edge do not count", account: [...failures(4), ago(15)], ip: [], allowed: true },
    { name: "a success resets the account counter", account: [...failures(3, 5), ago(4, "success"), ...failures(4, 1)], ip: [], allowed: true },
    { name: "a success before 5 new failures does not help", account: [ago(10, "success"), ...failures(5, 1)], ip: [], allowed: false, scope: "account" },
    { name: "refused tries do not extend the lock", account: [...failures(4, 1), ago(0.5, "refused"), ago(0.2, "refused")], ip: [], allowed: true },
    { name: "19 failures from one IP", account: [], ip: failures(19), allowed: true },
    { name: "20 failures from one IP locks the IP", account: [], ip: failures(20), allowed: false, scope: "ip" },
    { name: "a success does not reset the IP counter", account: [], ip: [...failures(10, 5), ago(4, "success"), ...failures(10, 1)], allowed: false, scope: "ip" },
  ];
  it.each(cases)("$name", ({ account, ip, allowed, scope }) => {
    const verdict = throttleVerdict(account, ip, now);
    expect(verdict.allowed).toBe(allowed);
    if (!verdict.allowed) expect(verdict.scope).toBe(scope);
  });

  it("locks for 15 minutes after the newest failure", () => {
    const verdict = throttleVerdict(failures(5, 2), [], now);
    expect(verdict.allowed).toBe(false);
    if (!verdict.allowed) expect(verdict.retryAt.getTime()).toBe(now.getTime() - 2 * 60_000 + THROTTLE.lockMs);
  });

  it("lets the account try again once the lock has passed", () => {
    const later = new Date(now.getTime() + THROTTLE.lockMs);
    expect(throttleVerdict(failures(5, 1), [], later).allowed).toBe(true);
  });
});
