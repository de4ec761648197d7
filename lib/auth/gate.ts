import "server-only";

import { forbidden, redirect } from "next/navigation";

import { apiError } from "@/lib/http/responses";

import { gate, type PageKey, type RouteKey } from "./permissions";
import { getViewer, type Viewer } from "./viewer";

/**
 * The gate for pages and layouts: visitors go to sign-in, people who must
 * enrol in MFA go to enrolment, people without the entry's capability get
 * the 403 page.
 */
export async function requireViewer(key: PageKey): Promise<Viewer> {
  const viewer = await getViewer();
  const verdict = gate(viewer, key);
  if (!verdict.ok) {
    if (verdict.refusal === "signed_out") redirect("/signin");
    if (verdict.refusal === "mfa_required") redirect("/account/mfa");
    forbidden();
  }
  return viewer!;
}

type RouteMessages = { signedOut?: string; forbidden?: string };

/**
 * The gate for route handlers that answer JSON or a file, downloads among
 * them: a 401 when signed out, a 403 `mfa_required` while MFA is still to be
 * set up, a 403 `forbidden` without the capability, in the API's error shape.
 */
export async function routeViewer(
  key: RouteKey,
  messages: RouteMessages = {},
): Promise<{ ok: true; viewer: Viewer } | { ok: false; response: Response }> {
  const viewer = await getViewer();
  const verdict = gate(viewer, key);
  if (verdict.ok) return { ok: true, viewer: viewer! };
  if (verdict.refusal === "signed_out")
    return { ok: false, response: apiError(401, "unauthenticated", messages.signedOut ?? "Sign in first.") };
  if (verdict.refusal === "mfa_required")
    return { ok: false, response: apiError(403, "mfa_required", "Turn on two-factor authentication first.") };
  return {
    ok: false,
    response: apiError(403, "forbidden", messages.forbidden ?? "You do not have permission to do that."),
  };
}
