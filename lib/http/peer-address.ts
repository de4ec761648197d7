import "server-only";

import { randomBytes } from "node:crypto";
import http from "node:http";

/**
 * The web framework does not hand the socket's address to pages, actions and
 * route handlers, and fills X-Forwarded-For from it only when the client did
 * not send one. So every request gets this header from the socket itself,
 * overwriting whatever the client sent, tagged with a secret of this process
 * so a value that did not come from here is never believed.
 */
export const PEER_HEADER = "x-clearance-peer";

const state = globalThis as unknown as { __clearancePeerTag?: string; __clearancePeerInstalled?: boolean };
const tag = (state.__clearancePeerTag ??= randomBytes(12).toString("base64url"));

/** Called once at server start (instrumentation), before the first request is served. */
export function installPeerAddress(): void {
  if (state.__clearancePeerInstalled) return;
  state.__clearancePeerInstalled = true;
  const emit = http.Server.prototype.emit as (this: http.Server, event: string | symbol, ...args: unknown[]) => boolean;
  http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const request = args[0] as http.IncomingMessage;
      request.headers[PEER_HEADER] = `${tag} ${request.socket?.remoteAddress ?? "unknown"}`;
    }
    return emit.call(this, event, ...args);
  } as typeof http.Server.prototype.emit;
}

/** The socket address stamped by this process, or "unknown" for a header from anywhere else. */
export function peerFrom(value: string | null | undefined): string {
  if (!value) return "unknown";
  const space = value.indexOf(" ");
  return space > 0 && value.slice(0, space) === tag ? value.slice(space + 1) : "unknown";
}
