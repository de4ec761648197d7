import type { NextRequest } from "next/server";

import { observed } from "@/lib/http/observe";
import { samlMetadataFor } from "@/lib/identity/saml/sign-in";

export const dynamic = "force-dynamic";

/** Public: this app's SAML service-provider metadata for one identity provider; its URL is also the SP entity ID. */
async function handleGet(_request: NextRequest, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const xml = await samlMetadataFor(slug);
  if (!xml)
    return new Response("No SAML identity provider has this name.\n", {
      status: 404,
      headers: { "content-type": "text/plain; charset=utf-8" },
    });
  return new Response(xml, {
    headers: {
      "content-type": "application/samlmetadata+xml; charset=utf-8",
      // IdPs poll it; it changes only when the app's URL or the provider's name does.
      "cache-control": "public, max-age=300",
    },
  });
}

export const GET = observed("/api/sso/saml/[slug]/metadata", handleGet);
