import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { acquirePgliteLock, DatabaseLockedError } from "@/db/client";

describe("embedded database lock", () => {
  it("refuses a directory held by another live process, naming it", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "clearance-lock-"));
    const other = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"]);
    try {
      writeFileSync(path.join(dir, "clearance.lock"), String(other.pid));
      expect(() => acquirePgliteLock(dir)).toThrow(DatabaseLockedError);
      expect(() => acquirePgliteLock(dir)).toThrow(`in use by process ${other.pid}`);
    } finally {
      other.kill();
    }
  });

  it("takes over a lock left by a process that has exited", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "clearance-lock-"));
    writeFileSync(path.join(dir, "clearance.lock"), "999999");
    const release = acquirePgliteLock(dir);
    expect(readFileSync(path.join(dir, "clearance.lock"), "utf8")).toBe(String(process.pid));
    release();
  });
});
