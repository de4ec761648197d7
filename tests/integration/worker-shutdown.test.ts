import { spawn } from "node:child_process";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { eq } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, describe, expect, it } from "vitest";

import { migrateDatabase } from "@/db/client";
import { outbox } from "@/db/schema";
import { sampleProps } from "@/emails/samples";
import { queueEmail } from "@/lib/notify/queue-email";

import { workerDatabase } from "../helpers/worker-database";

/**
 * `npm run worker` as a real process: SIGTERM arrives while its tick is
 * delivering an email (the SMTP server holds the message until the signal
 * has been sent), and the worker finishes that delivery and the tick,
 * starts no other, closes the database and exits 0.
 */

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** An SMTP server that calls `onMessage` when a message arrives and accepts it `holdMs` later. */
async function slowSmtp(onMessage: () => void, holdMs: number) {
  const received: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      onMessage();
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        setTimeout(() => {
          received.push(session.envelope.rcptTo.map((r) => r.address).join(","));
          callback();
        }, holdMs);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { received, port: (server.server.address() as AddressInfo).port };
}

describe("npm run worker on SIGTERM", () => {
  it("finishes the delivery and the tick in progress, starts no other, and exits 0", async () => {
    const database = await workerDatabase(cleanups);
    const setup = await database.open();
    await migrateDatabase(setup);
    const { id } = await queueEmail(setup.db, {
      kind: "course-assigned",
      props: sampleProps["course-assigned"],
      to: { email: "ana.lopez@example.com" },
      dedupeKey: `worker-shutdown:${Date.now()}`,
    });
    await setup.close();

    let signalledAt = 0;
    const smtp = await slowSmtp(() => {
      signalledAt = performance.now();
      child.kill("SIGTERM");
    }, 1_500);

    const child = spawn(
      path.join("node_modules", ".bin", "tsx"),
      ["--import", "./scripts/lib/server-only-hook.mjs", "scripts/worker.ts"],
      {
        env: { ...process.env, ...database.childEnv, SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, LOG_LEVEL: "info" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    cleanups.push(() => void (child.exitCode === null && child.kill("SIGKILL")));
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once("exit", (c, s) => resolve([c, s])),
    );
    const exitedAt = performance.now();

    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(stderr).not.toMatch(/fail|exiting|error/i);
    expect(signalledAt).toBeGreaterThan(0);
    // The message the SMTP server held was accepted after the signal, and recorded as sent.
    expect(smtp.received).toEqual(["ana.lopez@example.com"]);
    // One JSON log line each: the signal, the tick's report, then the stop.
    const lines = stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string; report?: { steps: { emails: unknown }; errors: unknown[] } });
    const reports = lines.filter((l) => l.msg === "scheduled work ran").map((l) => l.report!);
    expect(reports).toHaveLength(1);
    expect(reports[0].steps.emails).toEqual({ sent: 1, retried: 0, failed: 0 });
    expect(reports[0].errors).toEqual([]);
    const signalled = lines.findIndex((l) => l.msg.includes("finishing the current tick"));
    expect(signalled).toBeGreaterThanOrEqual(0);
    expect(signalled).toBeLessThan(lines.findIndex((l) => l.msg === "scheduled work ran"));
    expect(lines.at(-1)!.msg).toBe("worker stopped");

    const after = await database.open();
    try {
      const [row] = await after.db
        .select({ status: outbox.status, sentAt: outbox.sentAt })
        .from(outbox)
        .where(eq(outbox.id, id!));
      expect(row.status).toBe("sent");
      expect(row.sentAt).not.toBeNull();
    } finally {
      await after.close();
    }
    // Stopping took the rest of the tick, not the minute's wait nor the shutdown timeout.
    expect(exitedAt - signalledAt).toBeLessThan(10_000);
  }, 60_000);
});
