import { describe, expect, it } from "vitest";

import { isLostConnection, readRetryingLostConnection, writeRetryingTerminated } from "@/db/lost-connection";

describe("reads across a lost connection", () => {
  const terminated = Object.assign(new Error("Failed query: select 1"), {
    cause: Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
  });

  it("recognises a connection closed by the server, directly or as the cause of a failed query", () => {
    expect(isLostConnection(terminated)).toBe(true);
    expect(isLostConnection(Object.assign(new Error("x"), { code: "CONNECTION_ENDED" }))).toBe(true);
    expect(isLostConnection(Object.assign(new Error("x"), { code: "08006" }))).toBe(true);
    expect(isLostConnection(Object.assign(new Error("x"), { code: "23505" }))).toBe(false);
    expect(isLostConnection(new Error("plain"))).toBe(false);
    expect(isLostConnection(undefined)).toBe(false);
  });

  it("tries a read once more after a lost connection, and never after any other error", async () => {
    let calls = 0;
    expect(await readRetryingLostConnection(async () => (++calls === 1 ? Promise.reject(terminated) : "answer"))).toBe(
      "answer",
    );
    expect(calls).toBe(2);

    calls = 0;
    const constraint = Object.assign(new Error("duplicate"), { code: "23505" });
    await expect(readRetryingLostConnection(async () => (++calls, Promise.reject(constraint)))).rejects.toBe(
      constraint,
    );
    expect(calls).toBe(1);

    calls = 0;
    await expect(readRetryingLostConnection(async () => (++calls, Promise.reject(terminated)))).rejects.toBe(
      terminated,
    );
    expect(calls).toBe(2);
  });

  it("sends a write again only when the server terminated its session, never after a broken connection", async () => {
    let calls = 0;
    expect(await writeRetryingTerminated(async () => (++calls === 1 ? Promise.reject(terminated) : 7))).toBe(7);
    expect(calls).toBe(2);
    calls = 0;
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    await expect(writeRetryingTerminated(async () => (++calls, Promise.reject(reset)))).rejects.toBe(reset);
    expect(calls).toBe(1);
  });
});
