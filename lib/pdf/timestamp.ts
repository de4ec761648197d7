import "server-only";

import { createHash, randomBytes } from "node:crypto";

import { DomainError } from "@/lib/errors";
import { MINUTE } from "@/lib/time";

import { bytesOf, children, Class, der, is, OID, parseDer, sequence, Type, valueBytes, type Asn1 } from "./asn1";
import { checkTimestampToken, type TimestampFacts } from "./timestamp-token";

/** The time-stamping authority could not stamp a seal: the seal is not made, and nothing is stored. */
export class TimestampError extends DomainError {
  constructor(readonly detail: string) {
    super(
      "timestamp_unavailable",
      "The document could not be sealed because the time-stamping service did not give a valid time-stamp. Nothing was saved; try again in a few minutes.",
      503,
    );
  }
}

const TIMEOUT = MINUTE / 4;
// A reply holds a token with the TSA's certificates: a few KiB. More is not a time-stamp reply.
const MAX_REPLY_BYTES = 256 * 1024;

/**
 * Asks the TSA at `url` for an RFC 3161 time-stamp token over `data` (the
 * seal's signature value), with a nonce and the TSA's certificate, and checks
 * the answer before it is used. Any failure throws TimestampError.
 */
export async function requestTimestamp(url: string, data: Buffer): Promise<{ token: Buffer; facts: TimestampFacts }> {
  const nonce = randomBytes(8);
  nonce[0] &= 0x7f;
  const request = der.sequence([
    der.small(1),
    der.sequence([der.algorithm(OID.sha256), der.octets(createHash("sha256").update(data).digest())]),
    der.integer(nonce),
    der.boolean(true),
  ]);
  const host = new URL(url).host;
  let reply: Buffer;
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/timestamp-query", Accept: "application/timestamp-reply" },
      body: new Uint8Array(bytesOf(request)),
      redirect: "error",
      signal: AbortSignal.timeout(TIMEOUT),
    });
    if (!response.ok) throw new TimestampError(`${host} answered HTTP ${response.status}`);
    const length = Number(response.headers.get("content-length") ?? 0);
    if (length > MAX_REPLY_BYTES) throw new TimestampError(`${host} sent a reply of ${length} bytes`);
    reply = Buffer.from(await response.arrayBuffer());
    if (reply.length > MAX_REPLY_BYTES) throw new TimestampError(`${host} sent a reply of ${reply.length} bytes`);
  } catch (error) {
    if (error instanceof TimestampError) throw logged(error);
    const name = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.name) : "";
    throw logged(new TimestampError(`${host} could not be reached (${name || "network error"})`));
  }
  const token = tokenFrom(reply, host);
  const check = checkTimestampToken(token, data);
  if (!check.ok) throw logged(new TimestampError(`${host}: ${check.reason}`));
  if (!check.facts.nonce || !stripZeros(check.facts.nonce).equals(stripZeros(nonce)))
    throw logged(new TimestampError(`${host}: the token does not carry this request's nonce`));
  return { token, facts: check.facts };
}

/** The TimeStampToken from a TimeStampResp, if its status is granted (0) or granted with modifications (1). */
function tokenFrom(reply: Buffer, host: string): Buffer {
  let root: Asn1;
  try {
    root = parseDer(reply);
  } catch {
    throw logged(new TimestampError(`${host} did not send a DER time-stamp reply`));
  }
  const [statusInfo, token] = children(root);
  const [status, ...statusDetail] = children(statusInfo);
  const code = is(status, Class.UNIVERSAL, Type.INTEGER, false) ? valueBytes(status) : null;
  if (!sequence(root) || !sequence(statusInfo) || !code || code.length !== 1)
    throw logged(new TimestampError(`${host} did not send a time-stamp reply`));
  if (code[0] > 1) {
    const text = children(statusDetail.find((n) => sequence(n)))
      .map((n) => valueBytes(n)?.toString("utf8") ?? "")
      .join("; ");
    throw logged(new TimestampError(`${host} refused the request (status ${code[0]}${text ? `: ${text}` : ""})`));
  }
  if (!sequence(token)) throw logged(new TimestampError(`${host} granted the request but sent no token`));
  return bytesOf(token);
}

function stripZeros(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  return bytes.subarray(start);
}

/** The operator sees why (host and reason: no personal data); the person sees the error's message. */
function logged(error: TimestampError): TimestampError {
  console.error(`[clearance] time-stamp failed: ${error.detail}`);
  return error;
}
