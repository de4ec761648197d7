import "server-only";

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";

import {
  answerEvaluation,
  answerEvaluations,
  AUTHZEN_METADATA_PATH,
  authzenMetadata,
  EVALUATION_PATH,
  EVALUATIONS_BODY_MAX_BYTES,
  EVALUATIONS_PATH,
} from "@/lib/access/authzen";
import { env } from "@/lib/env";
import { apiErrorReply, bodyTooLarge, parseJsonText, type ApiReply, type JsonBody } from "@/lib/http/api";
import { observeRequest } from "@/lib/http/observe";
import { requestIdFrom } from "@/lib/http/request-id";
import { log, requestLogger, withRequestLog } from "@/lib/log";

import { answerBatchCheck, answerCheck, BATCH_BODY_MAX_BYTES } from "./check-endpoint";

/**
 * The decision listener: the access-check endpoint on its own port, served
 * by node:http in the app's process rather than through the web framework's
 * request pipeline, for systems that ask on every data access. It answers
 * exactly as the app's /api/v1/access/check and AuthZEN endpoints do (same
 * token, scopes, rate limits, validation and decision log, via
 * check-endpoint.ts and authzen.ts) and nothing else. Enabled with ACCESS_API_PORT; it listens on ACCESS_API_HOST
 * (127.0.0.1 unless set). Put TLS in front of it as for the app.
 */

export const CHECK_PATH = "/api/v1/access/check";
const HEALTH_PATH = "/api/health";

const BASE_HEADERS = {
  "Content-Type": "application/json; charset=utf-8",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
};

function send(res: ServerResponse, reply: ApiReply, extra: Record<string, string> = {}): void {
  if (reply.stream) return sendStream(res, reply, reply.stream, extra);
  const body = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...BASE_HEADERS,
    ...reply.headers,
    ...extra,
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

/** A streamed answer, written part by part with backpressure; a failure part-way cuts the connection (the JSON is left unfinished). */
function sendStream(res: ServerResponse, reply: ApiReply, parts: AsyncIterable<string>, extra: Record<string, string>) {
  res.writeHead(reply.status, { ...BASE_HEADERS, ...reply.headers, ...extra });
  void (async () => {
    try {
      for await (const part of parts) {
        if (!res.write(part)) await new Promise((resolve) => res.once("drain", resolve));
      }
      res.end();
    } catch (error) {
      log().error({ err: error }, "decision listener: streamed answer failed");
      res.destroy();
    }
  })();
}

/** Reads the request body as UTF-8 text, stopping at `maxBytes`. */
function readBody(req: IncomingMessage, maxBytes: number): Promise<JsonBody> {
  if (Number(req.headers["content-length"] ?? 0) > maxBytes)
    return Promise.resolve({ ok: false, reply: bodyTooLarge(maxBytes) });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop reading: the 413 goes out with Connection: close rather than draining the rest of the body.
        req.removeAllListeners("data");
        req.pause();
        resolve({ ok: false, reply: bodyTooLarge(maxBytes) });
      } else chunks.push(chunk);
    });
    req.on("end", () => size <= maxBytes && resolve(parseJsonText(Buffer.concat(chunks).toString("utf8"), maxBytes)));
    req.on("error", () =>
      resolve({ ok: false, reply: apiErrorReply(400, "invalid_request", "The request body could not be read.") }),
    );
  });
}

/**
 * The path and query of an origin-form target ("/path?query"), or null for any
 * other form: absolute ("http://host/…"), authority, asterisk ("OPTIONS *") or
 * one no URL parser reads. This port is no proxy, so those are a 400.
 */
function originFormTarget(target: string | undefined): URL | null {
  if (!target || !target.startsWith("/")) return null;
  try {
    const url = new URL(`http://decision.invalid${target}`);
    return url.host === "decision.invalid" ? url : null;
  } catch {
    return null;
  }
}

async function answer(
  req: IncomingMessage,
  requestId: string,
): Promise<{ reply: ApiReply; extra?: Record<string, string> }> {
  const url = originFormTarget(req.url);
  if (!url)
    return {
      reply: apiErrorReply(
        400,
        "bad_request",
        "The request target must be a path such as /api/v1/access/check?user=…&role=….",
      ),
    };
  if (url.pathname === HEALTH_PATH && req.method === "GET") return { reply: { status: 200, body: { status: "ok" } } };
  const authzen = AUTHZEN[url.pathname];
  if (authzen) return answerAuthzen(req, authzen, requestId);
  if (url.pathname !== CHECK_PATH)
    return {
      reply: apiErrorReply(
        404,
        "not_found",
        `This port serves only ${CHECK_PATH}, ${EVALUATION_PATH}, ${EVALUATIONS_PATH} and ${AUTHZEN_METADATA_PATH}.`,
      ),
    };
  const authorization = req.headers.authorization ?? null;
  if (req.method === "GET") return { reply: await answerCheck(authorization, Object.fromEntries(url.searchParams)) };
  if (req.method === "POST")
    return { reply: await answerBatchCheck(authorization, () => readBody(req, BATCH_BODY_MAX_BYTES)) };
  return {
    reply: apiErrorReply(405, "method_not_allowed", `${CHECK_PATH} takes GET (one check) or POST (a batch).`),
    extra: { Allow: "GET, POST" },
  };
}

const AUTHZEN: Record<string, "evaluation" | "evaluations" | "metadata"> = {
  [EVALUATION_PATH]: "evaluation",
  [EVALUATIONS_PATH]: "evaluations",
  [AUTHZEN_METADATA_PATH]: "metadata",
};

/** The listener's public base URL, which its AuthZEN metadata names: ACCESS_API_URL, else its own address. */
function listenerBaseUrl(): string {
  const config = env();
  return config.ACCESS_API_URL ?? `http://${config.ACCESS_API_HOST}:${config.ACCESS_API_PORT ?? 0}`;
}

async function answerAuthzen(
  req: IncomingMessage,
  endpoint: "evaluation" | "evaluations" | "metadata",
  requestId: string,
): Promise<{ reply: ApiReply; extra?: Record<string, string> }> {
  const extra = { "X-Request-ID": requestId };
  const method = endpoint === "metadata" ? "GET" : "POST";
  if (req.method !== method)
    return {
      reply: apiErrorReply(405, "method_not_allowed", `This endpoint takes ${method}.`),
      extra: { ...extra, Allow: method },
    };
  if (endpoint === "metadata") return { reply: authzenMetadata(listenerBaseUrl()), extra };
  const request = {
    authorization: req.headers.authorization ?? null,
    contentType: headerValue(req.headers["content-type"]),
    readBody: () => readBody(req, EVALUATIONS_BODY_MAX_BYTES),
  };
  return { reply: await (endpoint === "evaluation" ? answerEvaluation : answerEvaluations)(request), extra };
}

const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? null;

/** How long a socket closed after a refused body stays open for the client to read the answer. */
const LINGER_MS = 2_000;

/**
 * Closes a connection whose request body was left unread without losing the
 * answer. Closing a socket with unread bytes in its receive buffer sends a
 * TCP reset, and a reset can reach the client before it has read the 413.
 * So, as web servers do, this half-closes (FIN after the answer) and keeps the
 * socket, still not reading, until the client hangs up or LINGER_MS passes.
 */
function lingerOnClose(socket: Socket): void {
  socket.destroySoon = () => {
    if (socket.writable) socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once("close", () => clearTimeout(timer));
  };
}

/** The listener's request handler, also usable on a server of one's own. */
export function handleDecisionRequest(req: IncomingMessage, res: ServerResponse): void {
  // Every answer carries the request's id (the caller's when well formed), as do the log lines written for it.
  const requestId = requestIdFrom(headerValue(req.headers["x-request-id"]));
  const idHeader = { "X-Request-ID": requestId };
  const started = performance.now();
  res.once("close", () =>
    observeRequest(listenerRoute(req.url), req.method ?? "GET", res.statusCode, started, "listener"),
  );
  withRequestLog(requestId, () => answer(req, requestId)).then(
    ({ reply, extra }) => {
      if (reply.status !== 413) return send(res, reply, { ...extra, ...idHeader });
      lingerOnClose(req.socket);
      send(res, reply, { ...extra, ...idHeader, Connection: "close" });
    },
    (error: unknown) => {
      requestLogger(requestId).error({ err: error }, "decision listener: access check failed");
      send(res, apiErrorReply(500, "internal_error", "The check could not be answered; try again."), idHeader);
    },
  );
}

/** The route label of a request to this port: one of the paths it serves, or "other". */
function listenerRoute(target: string | undefined): string {
  const path = originFormTarget(target)?.pathname;
  return path && (path === CHECK_PATH || path === HEALTH_PATH || Object.hasOwn(AUTHZEN, path)) ? path : "other";
}

/** Writes a JSON error straight to a socket node:http will not answer on, then closes it. */
function endSocketWith(socket: Duplex, reply: ApiReply): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify(reply.body);
  const reason = reply.status === 431 ? "Request Header Fields Too Large" : "Bad Request";
  socket.end(
    `HTTP/1.1 ${reply.status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Requests the HTTP parser refuses (a request line or headers too large, malformed HTTP) still get a JSON error. */
function refuseMalformed(error: Error & { code?: string }, socket: Duplex): void {
  endSocketWith(
    socket,
    error.code === "HPE_HEADER_OVERFLOW"
      ? apiErrorReply(
          431,
          "headers_too_large",
          "The request line and headers must be at most 16 KB; send long lists with POST.",
        )
      : apiErrorReply(400, "bad_request", "The request is not valid HTTP."),
  );
}

/** CONNECT (a tunnel request, which node:http hands over as a bare socket) is no request this port serves. */
function refuseTunnel(_req: IncomingMessage, socket: Duplex): void {
  endSocketWith(socket, apiErrorReply(400, "bad_request", "This port is not a proxy."));
}

/** Starts the decision listener; resolves once it accepts connections. */
export function startDecisionServer(port: number, host: string): Promise<Server> {
  const server = createServer(handleDecisionRequest);
  server.on("clientError", refuseMalformed);
  server.on("connect", refuseTunnel);
  server.keepAliveTimeout = 65_000;
  server.requestTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server);
    });
  });
}
