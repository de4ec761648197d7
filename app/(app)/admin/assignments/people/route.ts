import { routeViewer } from "@/lib/auth/gate";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";
import { suggestActivePeople } from "@/lib/training/assignments";

export const dynamic = "force-dynamic";

/** GET ?q=: active people matching a name or email, for the assignment form's suggestions. */
async function handleGet(request: Request) {
  const auth = await routeViewer("route:/admin/assignments/people", {
    signedOut: "Sign in to look people up.",
    forbidden: "Only compliance admins can assign courses.",
  });
  if (!auth.ok) return auth.response;
  const { viewer } = auth;
  const q = new URL(request.url).searchParams.get("q") ?? "";
  if (q.length > 100) return apiError(400, "invalid_request", "q: use at most 100 characters.");
  return Response.json({ people: await suggestActivePeople(viewer, q) }, { headers: { "Cache-Control": "no-store" } });
}

export const GET = observed("/admin/assignments/people", handleGet);
