import { isIP } from "node:net";

/**
 * An address as it is recorded and counted: IPv4-mapped IPv6 as IPv4, no port
 * or brackets, IPv6 in lower case; anything that is not an address is "unknown".
 */
export function normaliseIp(raw: string | null | undefined): string {
  let value = (raw ?? "").trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) value = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(":"));
  value = value.toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (mapped) value = mapped[1];
  return isIP(value) ? value : "unknown";
}

/**
 * The client's address when `trustedProxies` proxies stand in front of the
 * app. Each proxy appends the address it received the request from to
 * X-Forwarded-For, so counting from the right — the peer that connected to us,
 * then what each trusted proxy appended — skips exactly the hops we trust and
 * never reaches a value the client wrote itself.
 */
export function clientIp(forwardedFor: string | null | undefined, peer: string, trustedProxies: number): string {
  const hops =
    trustedProxies > 0
      ? (forwardedFor ?? "")
          .split(",")
          .map((h) => h.trim())
          .filter(Boolean)
      : [];
  const chain = [...hops, peer];
  const index = chain.length - 1 - trustedProxies;
  return normaliseIp(chain[Math.max(index, 0)]);
}
