import "server-only";

import { env } from "@/lib/env";
import { readJsonBody, toResponse } from "@/lib/http/api";

import {
  answerEvaluation,
  answerEvaluations,
  authzenMetadata,
  EVALUATIONS_BODY_MAX_BYTES,
  requestIdFor,
  type AuthzenRequest,
} from "./authzen";

/** The app's AuthZEN route handlers (app/access/v1/…, app/.well-known/authzen-configuration): the listener's answers, through Next.js. */

function fromRequest(request: Request): AuthzenRequest {
  return {
    authorization: request.headers.get("authorization"),
    contentType: request.headers.get("content-type"),
    readBody: () => readJsonBody(request, EVALUATIONS_BODY_MAX_BYTES),
  };
}

function withRequestId(request: Request, response: Response): Response {
  response.headers.set("X-Request-ID", requestIdFor(request.headers.get("x-request-id")));
  return response;
}

export async function evaluationRoute(request: Request): Promise<Response> {
  return withRequestId(request, toResponse(await answerEvaluation(fromRequest(request))));
}

export async function evaluationsRoute(request: Request): Promise<Response> {
  return withRequestId(request, toResponse(await answerEvaluations(fromRequest(request))));
}

export function metadataRoute(request: Request): Response {
  return withRequestId(request, toResponse(authzenMetadata(env().APP_URL)));
}
