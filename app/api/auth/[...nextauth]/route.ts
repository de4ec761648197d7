import NextAuth from "next-auth";
import { NextRequest } from "next/server";

import { authOptions } from "@/lib/auth/options";
import { API_BODY_MAX_BYTES, readBodyBytes, toResponse } from "@/lib/http/api";
import { observed } from "@/lib/http/observe";

const handler = NextAuth(authOptions);

type Context = { params: Promise<{ nextauth: string[] }> };

/** Sign-in and sign-out forms are small: the body is read with the API's limit before next-auth parses it. */
async function post(request: NextRequest, context: Context) {
  const body = await readBodyBytes(request, API_BODY_MAX_BYTES);
  if (!body.ok) return toResponse(body.reply);
  return handler(new NextRequest(request.url, { method: "POST", headers: request.headers, body: body.bytes }), context);
}

// Sign-in failures are logged and counted (lib/auth/authenticate.ts) under the request's id.
export const GET = observed("/api/auth/[...nextauth]", (request: NextRequest, context: Context) =>
  handler(request, context),
);
export const POST = observed("/api/auth/[...nextauth]", post);
