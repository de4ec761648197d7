import { getViewer, hasRole } from "@/lib/auth/viewer";
import { apiError } from "@/lib/http/responses";
import { suggestActivePeople } from "@/lib/training/assignments";

export const dynamic = "force-dynamic";

/** GET ?q=: active people matching a name or email, for the assignment form's suggestions. */
export async function GET(request: Request) {
  const viewer = await getViewer();
  if (!viewer) return apiError(401, "unauthenticated", "Sign in to look people up.");
  if (viewer.mfaRequired && !viewer.mfaEnabled) return apiError(403, "mfa_required", "Turn on two-factor authentication first.");
  if (!hasRole(viewer, "compliance_admin")) return apiError(403, "forbidden", "Only compliance admins can assign courses.");
  const q = new URL(request.url).searchParams.get("q") ?? "";
  if (q.length > 100) return apiError(400, "invalid_request", "q: use at most 100 characters.");
  return Response.json({ people: await suggestActivePeople(viewer, q) }, { headers: { "Cache-Control": "no-store" } });
}
