import type { Sql } from "postgres";
import { describe, expect, it } from "vitest";

import {
  isLostConnection,
  isTerminatedByServer,
  LOST_CONNECTION_ATTEMPTS,
  mayResend,
  resendingOnLostConnection,
} from "@/db/lost-connection";

const terminated = Object.assign(new Error("Failed query: select 1"), {
  cause: Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
});
const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
const duplicate = Object.assign(new Error("duplicate key"), { code: "23505" });

/** A driver whose statements fail with the given errors, in turn, and then answer. */
function driver(failures: unknown[]) {
  const sent: string[] = [];
  const bodies = { entered: 0 };
  const answer = (statement: string) => {
    sent.push(statement);
    const failure = failures.shift();
    return failure ? Promise.reject(failure) : Promise.resolve([{ statement }]);
  };
  const client = Object.assign(() => undefined, {
    unsafe: (statement: string) => {
      const query = answer(statement) as Promise<unknown> & { values: () => Promise<unknown> };
      query.values = () => query.then((rows) => (rows as { statement: string }[]).map((r) => [r.statement]));
      return query;
    },
    begin: async (body: (tx: string) => unknown) => {
      await answer("begin");
      bodies.entered++;
      return body("tx");
    },
    options: { parsers: {} },
  }) as unknown as Sql;
  return { client: resendingOnLostConnection(client), sent, bodies };
}

describe("statements across a lost connection", () => {
  it("recognises a connection the server closed, directly or as the cause of a failed query", () => {
    expect(isLostConnection(terminated)).toBe(true);
    expect(isLostConnection(Object.assign(new Error("x"), { code: "CONNECTION_CLOSED" }))).toBe(true);
    expect(isLostConnection(Object.assign(new Error("x"), { code: "08006" }))).toBe(true);
    expect(isLostConnection(duplicate)).toBe(false);
    expect(isLostConnection(new Error("plain"))).toBe(false);
    expect(isLostConnection(undefined)).toBe(false);
    expect(isTerminatedByServer(terminated)).toBe(true);
    expect(isTerminatedByServer(reset)).toBe(false);
  });

  it("resends a read after any lost connection, a write only when the server ended the session", () => {
    expect(mayResend("\n  select 1", reset)).toBe(true);
    expect(mayResend("SELECT 1", terminated)).toBe(true);
    expect(mayResend("insert into t values (1)", terminated)).toBe(true);
    expect(mayResend("insert into t values (1)", reset)).toBe(false);
    expect(mayResend("with x as (delete from t returning *) select * from x", reset)).toBe(false);
    expect(mayResend("select 1", duplicate)).toBe(false);
  });

  it("sends a statement again through the pool, as rows or as arrays, and at most a bounded number of times", async () => {
    const once = driver([terminated]);
    expect(await once.client.unsafe("select 1")).toEqual([{ statement: "select 1" }]);
    expect(once.sent).toEqual(["select 1", "select 1"]);

    const arrays = driver([reset]);
    expect(await arrays.client.unsafe("select 2").values()).toEqual([["select 2"]]);

    const always = driver(Array.from({ length: 10 }, () => terminated));
    await expect(always.client.unsafe("select 3")).rejects.toBe(terminated);
    expect(always.sent).toHaveLength(LOST_CONNECTION_ATTEMPTS);

    const write = driver([reset]);
    await expect(write.client.unsafe("update t set x = 1")).rejects.toBe(reset);
    expect(write.sent).toHaveLength(1);

    const constraint = driver([duplicate]);
    await expect(constraint.client.unsafe("select 4")).rejects.toBe(duplicate);
    expect(constraint.sent).toHaveLength(1);
  });

  it("is sent once however often it is awaited", async () => {
    const { client, sent } = driver([]);
    const query = client.unsafe("select 5");
    await query;
    await query;
    expect(sent).toEqual(["select 5"]);
  });

  it("starts a transaction again only if its BEGIN was lost, never once its body ran", async () => {
    const atBegin = driver([terminated]);
    expect(await atBegin.client.begin(async (tx) => `body in ${String(tx)}`)).toBe("body in tx");
    expect(atBegin.sent).toEqual(["begin", "begin"]);
    expect(atBegin.bodies.entered).toBe(1);

    const inBody = driver([]);
    let runs = 0;
    await expect(
      inBody.client.begin(async () => {
        runs++;
        throw terminated;
      }),
    ).rejects.toBe(terminated);
    expect(runs).toBe(1);

    const otherError = driver([duplicate]);
    await expect(otherError.client.begin(async () => "never")).rejects.toBe(duplicate);
    expect(otherError.bodies.entered).toBe(0);
  });

  it("passes everything else through to the driver", () => {
    const { client } = driver([]);
    expect((client as unknown as { options: unknown }).options).toEqual({ parsers: {} });
  });
});
