import { openApiDocument } from "@/lib/access/openapi";

// The document depends only on the code: built once, served as a static file.
export const dynamic = "force-static";

export function GET() {
  return Response.json(openApiDocument(), {
    headers: {
      "Cache-Control": "public, max-age=3600, stale-while-revalidate=86400",
      "Access-Control-Allow-Origin": "*",
    },
  });
}
