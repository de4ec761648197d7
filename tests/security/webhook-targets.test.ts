import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createSecureContext } from "node:tls";

import { eq } from "drizzle-orm";
import forge from "node-forge";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";

import { webhookDeliveries, webhooks } from "@/db/schema";
import { resetEnvForTests } from "@/lib/env";
import { enqueueWebhookEvent } from "@/lib/webhooks/enqueue";
import { createWebhook, webhookInputSchema } from "@/lib/webhooks/manage-webhooks";
import { postToReceiver, type HostResolver } from "@/lib/webhooks/post-to-receiver";
import { isPrivateAddress } from "@/lib/webhooks/target-address";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { deliverWebhooks } from "../helpers/outbox";
import { withTestDatabase } from "../helpers/test-database";

/**
 * An admin account (or whoever took one over) registers a webhook that points
 * inside the network: the cloud metadata service, a database's HTTP port, an
 * admin console on loopback. Clearance must never send a request there, however
 * the address is spelt, resolved or redirected to.
 */
const database = withTestDatabase();
const t0 = new Date("2026-11-29T10:00:00Z");

function allowPrivateTargets(on: boolean) {
  process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS = on ? "true" : "false";
  resetEnvForTests();
}
beforeEach(() => allowPrivateTargets(false));
afterAll(() => {
  delete process.env.WEBHOOK_ALLOW_PRIVATE_TARGETS;
  resetEnvForTests();
});

type Hit = { path: string; headers: IncomingHttpHeaders };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await database.db().update(webhooks).set({ active: false });
  while (closers.length) await closers.pop()!();
});

/** A real HTTP server on loopback; `answer` writes the response. */
async function startServer(answer: (res: ServerResponse, hit: Hit) => void = (res) => res.writeHead(200).end("ok")) {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const hit = { path: req.url ?? "", headers: req.headers };
      hits.push(hit);
      answer(res, hit);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, hits };
}

/** A webhook to `url`, registered while private targets were allowed (as before this control, or in development). */
async function registerWhileAllowed(url: string) {
  allowPrivateTargets(true);
  const admin = viewerOf(await createPerson(database.db(), { roles: ["compliance_admin"] }));
  const { id } = await createWebhook(admin, context(admin.id), { url, eventTypes: ["access.granted"] });
  allowPrivateTargets(false);
  return id;
}

/** One event, due now, for every active webhook. */
const enqueueEvent = () =>
  enqueueWebhookEvent(database.db(), "access.granted", `access.granted:${Math.random()}`, { grantId: "g-1" }, t0);

async function webhookWithDelivery(url: string) {
  const id = await registerWhileAllowed(url);
  await enqueueEvent();
  return id;
}

async function deliveryOf(webhookId: string) {
  const [row] = await database.db().select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, webhookId));
  return row;
}

const resolverFor =
  (table: Record<string, string[]>): HostResolver =>
  async (hostname) =>
    (table[hostname] ?? []).map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

/** A self-signed certificate for `name`, trusted by nobody. */
function selfSigned(name: string) {
  const pair = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKey);
  cert.serialNumber = "01";
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: "commonName", value: name }]);
  cert.setIssuer([{ name: "commonName", value: name }]);
  cert.setExtensions([{ name: "subjectAltName", altNames: [{ type: 2, value: name }] }]);
  cert.sign(forge.pki.privateKeyFromPem(pair.privateKey), forge.md.sha256.create());
  return { key: pair.privateKey, cert: forge.pki.certificateToPem(cert) };
}

const post = (url: string, options: Partial<Parameters<typeof postToReceiver>[2]> = {}) =>
  postToReceiver(
    url,
    { headers: { "Content-Type": "application/json" }, body: "{}" },
    { allowPrivate: false, timeoutMs: 2_000, ...options },
  );

describe("webhook targets inside the network", () => {
  it("sends nothing to a real server on 127.0.0.1 while private targets are not allowed", async () => {
    const server = await startServer();
    const id = await webhookWithDelivery(`http://127.0.0.1:${server.port}/hook`);
    expect(await deliverWebhooks({ now: t0 })).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(server.hits).toHaveLength(0);
    expect((await deliveryOf(id)).lastError).toMatch(/^refused: /);

    // The same server is reached once the setting allows it (development and tests).
    allowPrivateTargets(true);
    await expect(post(`http://127.0.0.1:${server.port}/hook`, { allowPrivate: true })).resolves.toMatchObject({
      status: 200,
    });
    expect(server.hits).toHaveLength(1);
  });

  it("refuses a host name that resolves to a private address, checking every address it resolves to", async () => {
    const server = await startServer();
    const id = await webhookWithDelivery("https://hooks.partner.example/clearance");
    const resolve = resolverFor({ "hooks.partner.example": ["93.184.216.34", "10.0.0.7"] });
    expect(await deliverWebhooks({ now: t0, resolve })).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect((await deliveryOf(id)).lastError).toBe(
      "refused: the host resolves to a private or reserved address (10.0.0.7)",
    );

    // `localhost`, through the system resolver.
    await expect(post(`http://localhost:${server.port}/hook`, { allowPrivate: false })).rejects.toThrow(/plain http/);
    await expect(post(`https://localhost:${server.port}/hook`)).rejects.toThrow(/private or reserved address/);
    expect(server.hits).toHaveLength(0);
  });

  it("connects to the address it checked, not to a second answer from DNS, and keeps the Host header", async () => {
    const server = await startServer();
    let lookups = 0;
    // A rebinding resolver would answer differently the second time; only one lookup is made.
    const resolve: HostResolver = async () =>
      lookups++ === 0 ? [{ address: "127.0.0.1", family: 4 }] : [{ address: "10.9.9.9", family: 4 }];
    await expect(
      post(`http://rebind.example:${server.port}/hook?x=1`, { allowPrivate: true, resolve }),
    ).resolves.toMatchObject({ status: 200 });
    expect(lookups).toBe(1);
    expect(server.hits).toEqual([
      expect.objectContaining({
        path: "/hook?x=1",
        headers: expect.objectContaining({ host: `rebind.example:${server.port}` }),
      }),
    ]);
  });

  it("over https, names the URL's host in TLS and checks the certificate while connecting to the checked address", async () => {
    const { key, cert } = selfSigned("hooks.partner.example");
    const names: string[] = [];
    const server = createHttpsServer(
      {
        key,
        cert,
        SNICallback: (name, done) => {
          names.push(name);
          done(null, createSecureContext({ key, cert }));
        },
      },
      (_req, res) => res.writeHead(200).end(),
    );
    server.on("tlsClientError", () => {});
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    closers.push(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
    const resolve = resolverFor({ "hooks.partner.example": ["127.0.0.1"] });
    const error = await post(`https://hooks.partner.example:${(server.address() as AddressInfo).port}/hook`, {
      allowPrivate: true,
      resolve,
    }).catch((e: unknown) => e);
    // Refused because nobody trusts this certificate: it is checked, against the name the client announced.
    expect((error as { code?: string }).code).toBe("DEPTH_ZERO_SELF_SIGNED_CERT");
    expect(names).toEqual(["hooks.partner.example"]);
  });

  it("does not follow a redirect to a private address, and records the 3xx as a failed attempt", async () => {
    const inside = await startServer();
    const redirecting = await startServer((res) =>
      res.writeHead(307, { location: `http://169.254.169.254/latest/meta-data/` }).end(),
    );
    const bouncing = await startServer((res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${inside.port}/admin` }).end(),
    );
    const first = await registerWhileAllowed(`http://127.0.0.1:${redirecting.port}/hook`);
    const second = await registerWhileAllowed(`http://127.0.0.1:${bouncing.port}/hook`);
    await enqueueEvent();
    allowPrivateTargets(true);
    expect(await deliverWebhooks({ now: t0 })).toEqual({ sent: 0, retried: 2, failed: 0 });
    expect(await deliveryOf(first)).toMatchObject({
      lastStatusCode: 307,
      lastError: "HTTP 307: redirects are not followed; register the final URL",
    });
    expect(await deliveryOf(second)).toMatchObject({ lastStatusCode: 302 });
    expect(redirecting.hits).toHaveLength(1);
    expect(bouncing.hits).toHaveLength(1);
    expect(inside.hits).toHaveLength(0);
  });

  it("gives up on a receiver that does not answer in time", async () => {
    const silent = await startServer(() => {});
    const id = await webhookWithDelivery(`http://127.0.0.1:${silent.port}/slow`);
    allowPrivateTargets(true);
    const started = Date.now();
    expect(await deliverWebhooks({ now: t0, timeoutMs: 300 })).toEqual({ sent: 0, retried: 1, failed: 0 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await deliveryOf(id)).lastError).toBe("timed out: no answer within 0.3 seconds");
    expect(silent.hits).toHaveLength(1);
  });

  it("reads at most about 64 KB of an answer, however much the receiver sends", async () => {
    let written = 0;
    const chunk = Buffer.alloc(16 * 1024, "a");
    const firehose = await startServer((res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      // Never ends on its own: only the client closing the connection stops it.
      const pump = () => {
        while (!res.destroyed && written < 512 * 1024 * 1024 && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once("drain", pump);
      };
      pump();
    });
    const started = Date.now();
    const answer = await post(`http://127.0.0.1:${firehose.port}/hook`, { allowPrivate: true, timeoutMs: 5_000 });
    expect(answer.status).toBe(200);
    expect(answer.bytesRead).toBeGreaterThan(0);
    expect(answer.bytesRead).toBeLessThanOrEqual(128 * 1024);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it.each([
    ["decimal", "http://2130706433/"],
    ["short hex", "http://0x7f.1/"],
    ["octal", "https://0177.0.0.1/"],
    ["IPv4-mapped IPv6", "https://[::ffff:127.0.0.1]/"],
    ["IPv6 loopback", "https://[::1]/"],
    ["metadata service", "https://169.254.169.254/latest/meta-data/"],
    ["metadata, IPv4-mapped hex", "https://[::ffff:a9fe:a9fe]/"],
    ["RFC 1918", "https://10.1.2.3/"],
    ["RFC 1918, 172.16/12", "https://172.31.255.1/"],
    ["RFC 1918, 192.168/16", "https://192.168.1.1/"],
    ["CGNAT", "https://100.64.0.1/"],
    ["unspecified", "https://0.0.0.0/"],
    ["unspecified IPv6", "https://[::]/"],
    ["unique local IPv6", "https://[fd12:3456::1]/"],
    ["link-local IPv6", "https://[fe80::1]/"],
    ["multicast", "https://224.0.0.251/"],
    ["localhost by name", "https://localhost/"],
  ])("refuses %s (%s) at registration and at delivery", async (_kind, url) => {
    const parsed = webhookInputSchema.safeParse({ url, eventTypes: ["access.granted"] });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0].message).toMatch(
      /^(That address is on a private or internal network|Use https:\/\/)/,
    );
    await expect(post(url)).rejects.toThrow(/^(plain http|the host resolves to a private or reserved address)/);
  });

  it("requires https unless private targets are allowed", async () => {
    const check = (url: string) =>
      webhookInputSchema.safeParse({ url, eventTypes: ["access.granted"] }).error?.issues[0].message ?? "ok";
    expect(check("https://siem.example.com/hooks")).toBe("ok");
    expect(check("http://siem.example.com/hooks")).toBe(
      "Use https://. Plain http:// is accepted only where private targets are allowed (WEBHOOK_ALLOW_PRIVATE_TARGETS, for development and tests).",
    );
    await expect(
      post("http://siem.example.com/hooks", { resolve: resolverFor({ "siem.example.com": ["93.184.216.34"] }) }),
    ).rejects.toThrow(/plain http/);
    allowPrivateTargets(true);
    expect(check("http://127.0.0.1:4000/hook")).toBe("ok");
    expect(check("http://siem.example.com/hooks")).toBe("ok");
  });
});

describe("address classification", () => {
  it.each([
    "8.8.8.8",
    "93.184.216.34",
    "1.1.1.1",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "100.128.0.1",
    "172.32.0.1",
    "11.0.0.1",
  ])("lets public %s through", (ip) => {
    expect(isPrivateAddress(ip)).toBe(false);
  });
  it.each([
    "127.0.0.1",
    "127.255.255.254",
    "10.0.0.1",
    "172.16.0.1",
    "192.168.0.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.255",
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "255.255.255.255",
    "::",
    "::1",
    "fc00::1",
    "fdff::1",
    "fe80::1",
    "fe80::1%eth0",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:7f00:1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "::127.0.0.1",
    "64:ff9b::a9fe:a9fe",
    "2002:7f00:1::",
    "not an address",
  ])("refuses %s", (ip) => {
    expect(isPrivateAddress(ip)).toBe(true);
  });
});
