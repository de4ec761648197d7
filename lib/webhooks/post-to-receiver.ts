import "server-only";

import { lookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";

import { isLocalName, isPrivateAddress, literalAddress } from "./target-address";

/** The most of a receiver's answer that is read: its status decides, the body is not needed. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export type HostResolver = (hostname: string) => Promise<{ address: string; family: number }[]>;
const systemResolver: HostResolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** A target Clearance will not send to; the message is ours and fit for the delivery log. */
export class TargetRefusedError extends Error {
  readonly code = "TARGET_REFUSED";
}

export type PostOptions = {
  allowPrivate: boolean;
  timeoutMs: number;
  resolve?: HostResolver;
  maxResponseBytes?: number;
};

/** One request to a receiver: a POST (webhooks) unless said otherwise; a GET has no body. */
export type ReceiverRequest = { method?: "POST" | "PUT" | "GET"; headers: Record<string, string>; body?: string };

/**
 * Sends one request (a webhook's POST, an xAPI statement's PUT) to a
 * receiver, refusing targets inside the network. The host
 * is resolved once, every address it resolves to is checked, and the
 * connection goes to the checked address (with the URL's Host header and TLS
 * name), so a DNS answer that changes between check and connect cannot
 * redirect it. Redirects are never followed: the caller sees the 3xx. One
 * deadline covers resolving, connecting and reading the answer.
 */
export async function postToReceiver(
  rawUrl: string,
  request: ReceiverRequest,
  options: PostOptions,
): Promise<{ status: number; bytesRead: number }> {
  const url = new URL(rawUrl);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError()), options.timeoutMs);
  });
  try {
    const address = await Promise.race([checkedAddress(url, options), deadline]);
    return await exchange(url, address, request, options.maxResponseBytes ?? MAX_RESPONSE_BYTES, deadline);
  } finally {
    clearTimeout(timer);
  }
}

const timeoutError = () => Object.assign(new Error("the receiver did not answer in time"), { name: "TimeoutError" });

async function checkedAddress(url: URL, options: PostOptions): Promise<string> {
  if (url.protocol !== "https:" && !(url.protocol === "http:" && options.allowPrivate)) {
    throw new TargetRefusedError("plain http:// is not allowed; use an https:// URL");
  }
  const literal = literalAddress(url.hostname);
  const addresses = literal
    ? [literal]
    : (await (options.resolve ?? systemResolver)(url.hostname)).map((a) => a.address);
  if (addresses.length === 0) throw Object.assign(new Error("no address"), { code: "ENOTFOUND" });
  if (!options.allowPrivate) {
    const inside = addresses.find((a) => isPrivateAddress(a)) ?? (isLocalName(url.hostname) ? addresses[0] : undefined);
    if (inside)
      throw new TargetRefusedError(`the host resolves to a private or reserved address (${inside.slice(0, 45)})`);
  }
  return addresses[0];
}

function exchange(
  url: URL,
  address: string,
  request: ReceiverRequest,
  maxBytes: number,
  deadline: Promise<never>,
): Promise<{ status: number; bytesRead: number }> {
  return new Promise((resolve, reject) => {
    const secure = url.protocol === "https:";
    let status: number | null = null;
    let bytesRead = 0;
    let settled = false;
    const req = (secure ? https : http).request({
      host: address,
      port: url.port || (secure ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: request.method ?? "POST",
      headers: {
        ...request.headers,
        Host: url.host,
        ...(request.body === undefined ? {} : { "Content-Length": String(Buffer.byteLength(request.body)) }),
      },
      // The certificate is checked against the name in the URL, not the address connected to.
      servername: secure && !literalAddress(url.hostname) ? url.hostname : undefined,
      agent: false,
    });
    // Once the status is in, running out of time or bytes ends the reading, not the answer.
    const settle = (error?: unknown) => {
      if (settled) return;
      settled = true;
      req.destroy();
      if (status !== null) resolve({ status, bytesRead });
      else reject(error ?? new Error("the receiver closed the connection"));
    };
    deadline.catch((error) => settle(error));
    req.on("response", (res) => {
      status = res.statusCode ?? 0;
      res.on("data", (chunk: Buffer) => {
        bytesRead += chunk.length;
        if (bytesRead >= maxBytes) settle();
      });
      res.on("end", () => settle());
      res.on("error", () => settle());
      res.on("close", () => settle());
    });
    req.on("error", (error) => settle(error));
    req.end(request.body);
  });
}
