import NextAuth from "next-auth";
import { NextRequest } from "next/server";

import { authOptions } from "@/lib/auth/options";
import { API_BODY_MAX_BYTES, readBodyBytes, toResponse } from "@/lib/http/api";

const handler = NextAuth(authOptions);

type Context = { params: Promise<{ nextauth: string[] }> };

/** Sign-in and sign-out forms are small: the body is read with the API's limit before next-auth parses it. */
async function post(request: NextRequest, context: Context) {
  const body = await readBodyBytes(request, API_BODY_MAX_BYTES);
  if (!body.ok) return toResponse(body.reply);
  return handler(new NextRequest(request.url, { method: "POST", headers: request.headers, body: body.bytes }), context);
}

export { handler as GET, post as POST };
