import "server-only";

import { getDb } from "@/db/client";

import { hitRateLimit, type RateVerdict } from "./rate-limit";

/** Public lookups (certificate codes, document checks) per client IP: enough for people, too few for guessing. */
export const VERIFY_LIMIT_PER_MINUTE = 30;

export async function limitVerification(ip: string): Promise<RateVerdict> {
  return hitRateLimit(await getDb(), `verify:${ip}`, VERIFY_LIMIT_PER_MINUTE, 60);
}
