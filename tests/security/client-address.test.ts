import http from "node:http";
import type { AddressInfo } from "node:net";

import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { parseEnv, resetEnvForTests } from "@/lib/env";
import { clientIp, normaliseIp } from "@/lib/http/client-address";
import { installPeerAddress } from "@/lib/http/peer-address";
import { metaFromHeaders } from "@/lib/http/request-context";

/**
 * The address every per-IP limit counts and every audit event records. A
 * client must not be able to choose it with a header.
 */

describe("normaliseIp", () => {
  it.each([
    ["::ffff:127.0.0.1", "127.0.0.1"],
    ["::FFFF:10.1.2.3", "10.1.2.3"],
    ["203.0.113.9:51234", "203.0.113.9"],
    ["[2001:DB8::1]:443", "2001:db8::1"],
    ["2001:db8::1", "2001:db8::1"],
    [" 198.51.100.4 ", "198.51.100.4"],
    ["evil.example", "unknown"],
    ["1.2.3.4, 5.6.7.8", "unknown"],
    ["", "unknown"],
    [null, "unknown"],
  ])("%s → %s", (raw, expected) => expect(normaliseIp(raw)).toBe(expected));
});

describe("clientIp", () => {
  it("with no trusted proxy, is the socket's peer whatever X-Forwarded-For says", () => {
    expect(clientIp("6.6.6.6", "203.0.113.5", 0)).toBe("203.0.113.5");
    expect(clientIp(null, "::ffff:203.0.113.5", 0)).toBe("203.0.113.5");
  });

  it("with N trusted proxies, is what the outermost trusted proxy appended, not what the client sent", () => {
    // The client sent "6.6.6.6"; nginx appended the address it saw.
    expect(clientIp("6.6.6.6, 198.51.100.20", "10.0.0.2", 1)).toBe("198.51.100.20");
    // A load balancer, then nginx: two hops appended.
    expect(clientIp("6.6.6.6, 7.7.7.7, 198.51.100.20, 10.0.0.9", "10.0.0.2", 2)).toBe("198.51.100.20");
  });

  it("with fewer hops than trusted proxies, falls back to the leftmost and never past it", () => {
    expect(clientIp("", "10.0.0.2", 2)).toBe("10.0.0.2");
    expect(clientIp("198.51.100.20", "10.0.0.2", 3)).toBe("198.51.100.20");
  });
});

describe("TRUST_PROXY", () => {
  it("is off by default and takes a number of proxies", () => {
    expect(parseEnv({}).TRUST_PROXY).toBe(0);
    expect(parseEnv({ TRUST_PROXY: "2" }).TRUST_PROXY).toBe(2);
    expect(parseEnv({ TRUST_PROXY: "true" }).TRUST_PROXY).toBe(1);
    expect(parseEnv({ TRUST_PROXY: "false" }).TRUST_PROXY).toBe(0);
    expect(() => parseEnv({ TRUST_PROXY: "lots" })).toThrow(/TRUST_PROXY/);
  });
});

describe("a request over a real socket", () => {
  let server: http.Server;
  let origin: string;
  const seen: string[] = [];

  beforeAll(async () => {
    installPeerAddress();
    server = http.createServer((req, res) => {
      seen.push(metaFromHeaders((name) => req.headers[name] as string | undefined).ip);
      res.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  afterEach(() => resetEnvForTests());

  const spoofed = { "x-forwarded-for": "6.6.6.6", "x-real-ip": "7.7.7.7", "x-clearance-peer": "forged 8.8.8.8" };

  it("counts the socket's address when no proxy is trusted, whatever headers the client chose", async () => {
    const saved = process.env.TRUST_PROXY;
    process.env.TRUST_PROXY = "0";
    resetEnvForTests();
    try {
      seen.length = 0;
      await fetch(origin, { headers: spoofed });
      expect(seen).toEqual(["127.0.0.1"]);
    } finally {
      process.env.TRUST_PROXY = saved;
    }
  });

  it("behind one trusted proxy, counts the address the proxy appended", async () => {
    const saved = process.env.TRUST_PROXY;
    process.env.TRUST_PROXY = "1";
    resetEnvForTests();
    try {
      seen.length = 0;
      await fetch(origin, { headers: { ...spoofed, "x-forwarded-for": "6.6.6.6, 198.51.100.20" } });
      expect(seen).toEqual(["198.51.100.20"]);
    } finally {
      process.env.TRUST_PROXY = saved;
    }
  });
});
