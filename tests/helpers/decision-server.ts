import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll } from "vitest";
import { startDecisionServer } from "@/lib/access/decision-server";

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
