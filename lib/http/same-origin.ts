import "server-only";

import { env } from "@/lib/env";

/**
 * Whether a state-changing request outside a Server Action (which Next.js
 * checks itself) comes from our own pages: its Origin header must be the
 * app's origin, or the origin the request was addressed to.
 */
export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get("origin");
  if (!origin) return false;
  return origin === new URL(env().APP_URL).origin || origin === new URL(request.url).origin;
}
