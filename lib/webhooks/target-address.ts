import { isIP } from "node:net";

/**
 * Which addresses a webhook may reach: public unicast only. Everything a
 * request from inside the network could abuse (loopback, private and
 * link-local ranges with the cloud metadata service, CGNAT, multicast,
 * reserved space) is refused, also when written inside an IPv6 address.
 */

type Net = readonly [bytes: number[], prefix: number];

const v4 = (s: string) => s.split(".").map(Number);
const V4_BLOCKED: Net[] = (
  [
    ["0.0.0.0", 8], // "this network", incl. the unspecified address
    ["10.0.0.0", 8],
    ["100.64.0.0", 10], // carrier-grade NAT
    ["127.0.0.0", 8],
    ["169.254.0.0", 16], // link-local, incl. 169.254.169.254 metadata
    ["172.16.0.0", 12],
    ["192.0.0.0", 24], // IETF protocol assignments
    ["192.0.2.0", 24], // documentation
    ["192.168.0.0", 16],
    ["198.18.0.0", 15], // benchmarking
    ["198.51.100.0", 24], // documentation
    ["203.0.113.0", 24], // documentation
    ["224.0.0.0", 4], // multicast
    ["240.0.0.0", 4], // reserved, incl. broadcast
  ] as const
).map(([net, prefix]) => [v4(net), prefix] as const);

const V6_BLOCKED: Net[] = (
  [
    ["::", 96], // unspecified, loopback, IPv4-compatible
    ["100::", 64], // discard-only
    ["2001::", 32], // Teredo: the IPv4 inside is obfuscated
    ["2001:db8::", 32], // documentation
    ["64:ff9b:1::", 48], // local-use NAT64
    ["fc00::", 7], // unique local
    ["fe80::", 10], // link-local
    ["fec0::", 10], // site-local (deprecated)
    ["ff00::", 8], // multicast
  ] as const
).map(([net, prefix]) => [parseV6(net)!, prefix] as const);

/** IPv6 prefixes that carry an IPv4 address, and where it sits. */
const V6_EMBEDDING: (readonly [Net, number])[] = [
  [[parseV6("::ffff:0:0")!, 96], 12], // IPv4-mapped
  [[parseV6("::ffff:0:0:0")!, 96], 12], // IPv4-translated
  [[parseV6("64:ff9b::")!, 96], 12], // NAT64
  [[parseV6("2002::")!, 16], 2], // 6to4
];

function inNet(bytes: number[], [net, prefix]: Net): boolean {
  for (let bit = 0; bit < prefix; bit++) {
    const mask = 0x80 >> (bit % 8);
    if ((bytes[bit >> 3] & mask) !== (net[bit >> 3] & mask)) return false;
  }
  return true;
}

/** 16 bytes of a valid IPv6 address (as net.isIP accepts it, without a zone). */
function parseV6(text: string): number[] | null {
  let s = text;
  const tail: number[] = [];
  const dotted = s.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  if (dotted) {
    tail.push(...v4(dotted[2]));
    s = `${dotted[1]}0:0`;
  }
  const [head, rest] = s.split("::") as [string, string | undefined];
  const groups = (part: string) => (part ? part.split(":").map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = rest === undefined ? [] : groups(rest);
  const words = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill(0), ...right];
  if (words.length !== 8 || words.some((w) => !(w >= 0 && w <= 0xffff))) return null;
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** True unless `ip` is a public unicast address a webhook may be sent to. Anything that is not an address is refused. */
export function isPrivateAddress(ip: string): boolean {
  const address = ip.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const kind = isIP(address);
  if (kind === 4) return V4_BLOCKED.some((net) => inNet(v4(address), net));
  if (kind !== 6) return true;
  const bytes = parseV6(address);
  if (!bytes) return true;
  for (const [net, at] of V6_EMBEDDING) {
    if (inNet(bytes, net)) return V4_BLOCKED.some((blocked) => inNet(bytes.slice(at, at + 4), blocked));
  }
  return V6_BLOCKED.some((net) => inNet(bytes, net));
}

/** The address a URL's host names literally (`127.0.0.1`, `[::1]`), or null for a host name. */
export function literalAddress(hostname: string): string | null {
  const bare = hostname.replace(/^\[|\]$/g, "");
  return isIP(bare) ? bare : null;
}

/** Names that always mean this machine, whatever a resolver says. */
export function isLocalName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  return name === "localhost" || name.endsWith(".localhost");
}
