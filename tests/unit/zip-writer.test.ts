import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { readZip } from "@/lib/evidence/zip-reader";
import { ZipWriter } from "@/lib/evidence/zip-writer";
import { csvChunks, toCsv } from "@/lib/reports/csv";

async function* pieces(text: string, size: number) {
  for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
}
async function* rowsOf<T>(rows: T[]) {
  yield* rows;
}

describe("ZIP writer", () => {
  it("streams entries through a data descriptor that its reader and unzip both accept", async () => {
    const chunks: Buffer[] = [];
    const zip = new ZipWriter((c) => void chunks.push(c));
    const big = Array.from({ length: 20_000 }, (_, i) => `${i},José Ñúñez,李华,"quoted, text"\r\n`).join("");
    await zip.add("small.txt", "stored whole");
    const written = await zip.addStream("data/big.csv", pieces(big, 4_093));
    await zip.addStream("empty.csv", pieces("", 10));
    await zip.add("after.txt", Buffer.from("after the streamed ones"));
    await zip.finish();
    const archive = Buffer.concat(chunks);

    const bytes = Buffer.from(big, "utf8");
    expect(written).toEqual({ size: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") });
    const entries = new Map(readZip(archive).map((e) => [e.path, e.content.toString("utf8")]));
    expect([...entries.keys()]).toEqual(["small.txt", "data/big.csv", "empty.csv", "after.txt"]);
    expect(entries.get("data/big.csv")).toBe(big);
    expect(entries.get("empty.csv")).toBe("");
    expect(entries.get("after.txt")).toBe("after the streamed ones");
    expect(archive.length).toBeLessThan(bytes.length / 4);

    if (existsSync("/usr/bin/unzip")) {
      const dir = mkdtempSync(path.join(tmpdir(), "zip-"));
      writeFileSync(path.join(dir, "a.zip"), archive);
      expect(execFileSync("unzip", ["-t", path.join(dir, "a.zip")]).toString()).toContain("No errors detected");
      expect(execFileSync("unzip", ["-p", path.join(dir, "a.zip"), "data/big.csv"]).toString("utf8")).toBe(big);
    }
  });

  it("refuses the same name twice and paths that leave the archive, streamed or not", async () => {
    const zip = new ZipWriter(() => {});
    await zip.addStream("a.csv", pieces("x", 1));
    await expect(zip.addStream("a.csv", pieces("y", 1))).rejects.toThrow("Two entries");
    await expect(zip.addStream("../up.csv", pieces("y", 1))).rejects.toThrow("Not a valid path");
    await expect(zip.add("/root.csv", "y")).rejects.toThrow("Not a valid path");
  });
});

describe("streamed CSV", () => {
  it("gives the same text as the whole-table CSV, in pieces", async () => {
    const rows = [
      ["id", "name", "note"],
      ...Array.from({ length: 5_000 }, (_, i) => [i, `Name ${i}`, i % 7 ? "=SUM(A1)" : 'say "hi", then\nleave']),
    ];
    const parts: string[] = [];
    for await (const part of csvChunks(rowsOf(rows), 1_000)) parts.push(part);
    expect(parts.length).toBeGreaterThan(10);
    expect(parts.join("")).toBe(toCsv(rows));
  });
});
