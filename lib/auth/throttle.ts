/** Sign-in throttling rules: pure, so they can be table-tested with any clock. */

export const THROTTLE = {
  windowMs: 15 * 60 * 1000,
  lockMs: 15 * 60 * 1000,
  accountFailures: 5,
  ipFailures: 20,
} as const;

export type Attempt = { at: Date; outcome: "success" | "failure" | "refused" };

export type ThrottleVerdict = { allowed: true } | { allowed: false; scope: "account" | "ip"; retryAt: Date };

/** Failures inside the window; for an account, only those after its last success count. */
function countRecentFailures(attempts: Attempt[], now: Date, resetOnSuccess: boolean): { count: number; newest: Date | null } {
  const since = now.getTime() - THROTTLE.windowMs;
  let lastSuccess = -Infinity;
  if (resetOnSuccess) {
    for (const a of attempts) if (a.outcome === "success") lastSuccess = Math.max(lastSuccess, a.at.getTime());
  }
  let count = 0;
  let newest: Date | null = null;
  for (const a of attempts) {
    const t = a.at.getTime();
    if (a.outcome !== "failure" || t <= since || t <= lastSuccess || t > now.getTime()) continue;
    count += 1;
    if (!newest || t > newest.getTime()) newest = a.at;
  }
  return { count, newest };
}

export function throttleVerdict(accountAttempts: Attempt[], ipAttempts: Attempt[], now: Date): ThrottleVerdict {
  const account = countRecentFailures(accountAttempts, now, true);
  if (account.count >= THROTTLE.accountFailures && account.newest) {
    return { allowed: false, scope: "account", retryAt: new Date(account.newest.getTime() + THROTTLE.lockMs) };
  }
  const ip = countRecentFailures(ipAttempts, now, false);
  if (ip.count >= THROTTLE.ipFailures && ip.newest) {
    return { allowed: false, scope: "ip", retryAt: new Date(ip.newest.getTime() + THROTTLE.lockMs) };
  }
  return { allowed: true };
}

export function minutesUntil(retryAt: Date, now: Date): number {
  return Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / 60_000));
}
