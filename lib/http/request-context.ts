import "server-only";

import { headers } from "next/headers";

import { env } from "@/lib/env";

import { clientIp } from "./client-address";
import { PEER_HEADER, peerFrom } from "./peer-address";

export type RequestMeta = { ip: string; userAgent: string | null };

/**
 * The client's address: the socket's peer, or with TRUST_PROXY=N the address
 * the N trusted proxies recorded (counted from the right of X-Forwarded-For),
 * never a value the client chose.
 */
export function metaFromHeaders(get: (name: string) => string | null | undefined): RequestMeta {
  const ip = clientIp(get("x-forwarded-for"), peerFrom(get(PEER_HEADER)), env().TRUST_PROXY);
  return { ip, userAgent: get("user-agent")?.slice(0, 512) ?? null };
}

export async function requestMeta(): Promise<RequestMeta> {
  const h = await headers();
  return metaFromHeaders((name) => h.get(name));
}
