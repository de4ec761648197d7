import type { Server } from "node:http";
import { connect, type AddressInfo } from "node:net";

import { afterAll, beforeAll } from "vitest";

import { startDecisionServer } from "@/lib/access/listener/decision-server";

/** Runs the decision listener on a free loopback port for the enclosing suite; returns its origin once started. */
export function withDecisionServer(): () => string {
  let server: Server | undefined;
  let origin = "";
  beforeAll(async () => {
    server = await startDecisionServer(0, "127.0.0.1");
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));
  return () => origin;
}

/** Sends one request line as written over a raw socket (fetch cannot send absolute-form or asterisk targets). */
export function rawRequest(
  origin: string,
  requestLine: string,
): Promise<{ status: number; contentType: string; body: string }> {
  const { port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () =>
      socket.write(`${requestLine}\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
    );
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk) => (text += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head, body = ""] = text.split("\r\n\r\n");
      resolve({
        status: Number(head.split(" ")[1]),
        contentType: /content-type: ([^\r]*)/i.exec(head)?.[1] ?? "",
        body,
      });
    });
  });
}
