import "server-only";
import { headers } from "next/headers";
import { env } from "@/lib/env";

export type RequestMeta = { ip: string; userAgent: string | null };

/** Client address: the first X-Forwarded-For hop when a trusted proxy sets it. */
export function metaFromHeaders(get: (name: string) => string | null | undefined): RequestMeta {
  const forwarded = env().TRUST_PROXY ? get("x-forwarded-for")?.split(",")[0]?.trim() : undefined;
  const ip = forwarded || get("x-real-ip") || "unknown";
  return { ip: ip.slice(0, 64), userAgent: get("user-agent")?.slice(0, 512) ?? null };
}

export async function requestMeta(): Promise<RequestMeta> {
  const h = await headers();
  return metaFromHeaders((name) => h.get(name));
}
