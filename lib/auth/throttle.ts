import { env } from "@/lib/env";
import { MINUTE } from "@/lib/time";

import type { AttemptLimit } from "./attempt-limit";

/**
 * Sign-in limits: 5 failed tries for an account, or 20 from one IP, within 15
 * minutes pause further tries for 15 minutes. A success resets the account's
 * count; a success from an IP gives its try back.
 */
export const THROTTLE = {
  windowMs: 15 * MINUTE,
  lockMs: 15 * MINUTE,
  accountFailures: 5,
} as const;

export function accountLimit(email: string): AttemptLimit {
  return {
    key: `account:${email}`,
    limit: THROTTLE.accountFailures,
    windowMs: THROTTLE.windowMs,
    lockMs: THROTTLE.lockMs,
  };
}

export function ipLimit(ip: string): AttemptLimit {
  return { key: `ip:${ip}`, limit: env().SIGN_IN_IP_FAILURES, windowMs: THROTTLE.windowMs, lockMs: THROTTLE.lockMs };
}

export function minutesUntil(retryAt: Date, now: Date): number {
  return Math.max(1, Math.ceil((retryAt.getTime() - now.getTime()) / MINUTE));
}
