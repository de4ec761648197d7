import { routeViewer } from "@/lib/auth/gate";
import { courseImage } from "@/lib/content";
import { observed } from "@/lib/http/observe";

/** An image shown in a course's lessons, as the course is served now. */
async function handleGet(_request: Request, { params }: { params: Promise<{ courseId: string; name: string }> }) {
  const auth = await routeViewer("download:/courses/[courseId]/images/[name]", {
    signedOut: "Sign in to see the course.",
  });
  if (!auth.ok) return auth.response;
  const { courseId, name } = await params;
  const image = courseImage(courseId, name);
  if (!image) return new Response("Not found.", { status: 404 });
  return new Response(new Uint8Array(image.bytes), {
    headers: {
      "Content-Type": image.type,
      "Cache-Control": "private, max-age=300",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

export const GET = observed("/courses/[courseId]/images/[name]", handleGet);
