import { createServer, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

import { NextRequest } from "next/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { POST as authPost } from "@/app/api/auth/[...nextauth]/route";
import { POST as checkPost } from "@/app/api/v1/access/check/route";
import { POST as eventsPost } from "@/app/api/v1/events/route";
import { POST as apiVerifyPost } from "@/app/api/v1/verify/route";
import { POST as uploadPost } from "@/app/verify/upload/route";
import { createApiClient } from "@/lib/access/api-clients";
import { handleDecisionRequest } from "@/lib/access/listener/decision-server";
import { MAX_VERIFY_FORM_BYTES, UPLOAD_MESSAGES } from "@/lib/agreements/verify-limits";
import { API_BODY_MAX_BYTES } from "@/lib/http/api";

import { context, createPerson, viewerOf } from "../helpers/factories";
import { withTestDatabase } from "../helpers/test-database";

/**
 * A client sends a huge (or endless) body. The server must refuse it after
 * reading little more than its limit, not after reading the whole body.
 */
const database = withTestDatabase();
const CHUNK = 16 * 1024;
const HUGE = 19 * 1024 * 1024;

/** A body produced only as the server asks for it; `pulled()` is how much it asked for. */
function slowBody(total: number, head = "", fill = 0x20) {
  let sent = 0;
  const prefix = new TextEncoder().encode(head);
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (sent >= total) return controller.close();
        await new Promise((r) => setTimeout(r, 0));
        const chunk = new Uint8Array(Math.min(CHUNK, total - sent)).fill(fill);
        if (sent === 0) chunk.set(prefix.subarray(0, chunk.length));
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, pulled: () => sent };
}

const post = (path: string, body: ReadableStream<Uint8Array>, headers: Record<string, string>) =>
  new Request(`http://localhost${path}`, { method: "POST", body, headers, duplex: "half" } as RequestInit & {
    duplex: "half";
  });

let tokens: { check: string; events: string };
beforeAll(async () => {
  const admin = viewerOf(await createPerson(database.db(), { roles: ["compliance_admin"] }));
  const token = async (scope: "access:check" | "events:write") =>
    (await createApiClient(admin, context(admin.id), { name: scope, scopes: [scope], rateLimitPerMinute: 10_000 }))
      .token;
  tokens = { check: await token("access:check"), events: await token("events:write") };
});

describe("API routes stop reading a chunked body at 256 KB", () => {
  it.each([
    ["POST /api/v1/events", () => eventsPost, () => tokens.events],
    ["POST /api/v1/access/check", () => checkPost, () => tokens.check],
  ] as const)(
    "%s answers 413 after reading little more than the limit of a 19 MB body",
    async (_name, handler, token) => {
      const body = slowBody(HUGE, '{"events":[');
      const response = await handler()(
        post("/", body.stream, { authorization: `Bearer ${token()}`, "content-type": "application/json" }),
      );
      expect(response.status).toBe(413);
      expect(await response.json()).toEqual({
        error: { code: "payload_too_large", message: "The body must be at most 256 KB." },
      });
      expect(body.pulled()).toBeGreaterThan(API_BODY_MAX_BYTES);
      expect(body.pulled()).toBeLessThanOrEqual(API_BODY_MAX_BYTES + 2 * CHUNK);
    },
  );

  it("POST /api/auth/callback/credentials (sign-in) answers 413 before next-auth reads a 19 MB form", async () => {
    const body = slowBody(HUGE, "email=ana%40example.test&password=");
    const request = new NextRequest("http://localhost/api/auth/callback/credentials", {
      method: "POST",
      body: body.stream,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      duplex: "half",
    } as ConstructorParameters<typeof NextRequest>[1] & { duplex: "half" });
    const response = await authPost(request, { params: Promise.resolve({ nextauth: ["callback", "credentials"] }) });
    expect(response.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(API_BODY_MAX_BYTES + 2 * CHUNK);
  });

  it("POST /api/v1/verify and the /verify upload stop at 10 MB (plus the form's framing)", async () => {
    const raw = slowBody(HUGE, "%PDF-1.7\n");
    const api = await apiVerifyPost(
      post("/api/v1/verify", raw.stream, { "content-type": "application/pdf", "x-forwarded-for": "198.51.100.7" }),
    );
    expect(api.status).toBe(413);
    expect(raw.pulled()).toBeLessThanOrEqual(MAX_VERIFY_FORM_BYTES + 2 * CHUNK);

    const form = slowBody(
      HUGE,
      '--b\r\nContent-Disposition: form-data; name="document"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.7\n',
    );
    const upload = await uploadPost(
      post("/verify/upload", form.stream, {
        "content-type": "multipart/form-data; boundary=b",
        "x-forwarded-for": "198.51.100.8",
      }),
    );
    expect(upload.status).toBe(413);
    expect(await upload.json()).toEqual({ error: UPLOAD_MESSAGES.tooLarge });
    expect(form.pulled()).toBeLessThanOrEqual(MAX_VERIFY_FORM_BYTES + 2 * CHUNK);
  });
});

describe("the decision listener stops reading at the same limit", () => {
  let server: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = createServer(handleDecisionRequest);
    server.on("connection", (socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("answers a chunked 19 MB batch with 413 and closes the connection, having read little more than 256 KB", async () => {
    const { port } = server.address() as AddressInfo;
    const client = connect(port, "127.0.0.1");
    await new Promise((r) => client.once("connect", r));
    let response = "";
    let closed = false;
    client.on("data", (d) => (response += d));
    client.on("close", () => (closed = true));
    client.on("error", () => (closed = true));
    client.write(
      `POST /api/v1/access/check HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokens.check}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    const chunk = `${CHUNK.toString(16)}\r\n${" ".repeat(CHUNK)}\r\n`;
    // Keep sending, slowly, until the server answers or hangs up.
    for (let sent = 0; sent < HUGE && !closed && !response; sent += CHUNK) {
      if (!client.write(chunk)) await new Promise((r) => setTimeout(r, 5));
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toMatch(/connection: close/i);
    const read = sockets.reduce((n, s) => n + s.bytesRead, 0);
    expect(read).toBeGreaterThan(API_BODY_MAX_BYTES);
    // The request head, chunk framing and one socket read past the limit.
    expect(read).toBeLessThanOrEqual(API_BODY_MAX_BYTES + 256 * 1024);
    client.destroy();
  });
});
