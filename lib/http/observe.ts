import "server-only";

import { requestLogger, withRequestLog } from "@/lib/log";
import { metrics, secondsSince } from "@/lib/metrics";

import { REQUEST_ID_HEADER, requestIdFrom } from "./request-id";

/** A response carrying `X-Request-Id`; a response with immutable headers (a redirect) is copied first. */
export function withRequestIdHeader(response: Response, requestId: string): Response {
  try {
    response.headers.set(REQUEST_ID_HEADER, requestId);
    return response;
  } catch {
    const copy = new Response(response.body, response);
    copy.headers.set(REQUEST_ID_HEADER, requestId);
    return copy;
  }
}

/** Records one answered request in http_request_duration_seconds. */
export function observeRequest(
  route: string,
  method: string,
  status: number,
  started: number,
  server: "app" | "listener" = "app",
): void {
  metrics().httpDuration.observe({ route, method, status: String(status), server }, secondsSince(started));
}

/**
 * Wraps a route handler: the request's id (the caller's X-Request-Id when
 * well formed, as proxy.ts forwards it for pages, else a new one) is on
 * every log line written while it runs and on the response, and its time
 * goes into http_request_duration_seconds under `route`, the route's
 * template (never the path, whose ids would make a series per record). A
 * streamed body is timed to its first byte.
 */
export function observed<Req extends Request, Rest extends unknown[]>(
  route: string,
  handler: (request: Req, ...rest: Rest) => Response | Promise<Response>,
): (request: Req, ...rest: Rest) => Promise<Response> {
  return async (request, ...rest) => {
    const requestId = requestIdFrom(request.headers.get(REQUEST_ID_HEADER));
    const started = performance.now();
    let status = 500;
    try {
      const response = await withRequestLog(requestId, () => handler(request, ...rest));
      status = response.status;
      return withRequestIdHeader(response, requestId);
    } catch (error) {
      // Next.js's own control flow (redirect(), notFound()) is thrown too: only real failures are logged.
      if (!isFrameworkSignal(error)) requestLogger(requestId).error({ err: error, route }, "request failed");
      throw error;
    } finally {
      observeRequest(route, request.method, status, started);
    }
  };
}

const isFrameworkSignal = (error: unknown) =>
  typeof (error as { digest?: unknown })?.digest === "string" &&
  /^(NEXT_REDIRECT|NEXT_NOT_FOUND|NEXT_HTTP_ERROR_FALLBACK|DYNAMIC_SERVER_USAGE)/.test(
    (error as { digest: string }).digest,
  );
