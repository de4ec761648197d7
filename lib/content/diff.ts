import { createHash } from "node:crypto";

import { isImagePath } from "./images";

/**
 * A side-by-side line diff of two versions of an item's files, for reviewers:
 * longest common subsequence over lines, unchanged runs paired, a removed
 * line beside the added line that replaced it.
 */

export type DiffRow =
  | { kind: "same"; left: number; right: number; text: string }
  | { kind: "changed"; left: number; right: number; before: string; after: string }
  | { kind: "removed"; left: number; before: string }
  | { kind: "added"; right: number; after: string };

export type FileDiff = { path: string; status: "same" | "changed" | "added" | "removed"; rows: DiffRow[] };

/** Past this many line pairs, a file is shown as replaced whole rather than compared line by line. */
const MAX_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  if (text === "") return [];
  return text.replace(/\r\n/g, "\n").replace(/\n$/, "").split("\n");
}

export function diffLines(before: string, after: string): DiffRow[] {
  const a = splitLines(before);
  const b = splitLines(after);
  const n = a.length;
  const m = b.length;
  const ops: ("same" | "removed" | "added")[] = [];
  if (n * m <= MAX_CELLS) {
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1] + 1 : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] === b[j]) {
        ops.push("same");
        i++;
        j++;
      } else if (j < m && (i === n || lcs[i * width + j + 1] >= lcs[(i + 1) * width + j])) {
        ops.push("added");
        j++;
      } else {
        ops.push("removed");
        i++;
      }
    }
  } else {
    ops.push(...a.map(() => "removed" as const), ...b.map(() => "added" as const));
  }

  const rows: DiffRow[] = [];
  let i = 0;
  let j = 0;
  for (let k = 0; k < ops.length; ) {
    if (ops[k] === "same") {
      rows.push({ kind: "same", left: i + 1, right: j + 1, text: a[i] });
      i++;
      j++;
      k++;
      continue;
    }
    // A run of changes: pair removals with additions line by line.
    const removed: number[] = [];
    const added: number[] = [];
    while (k < ops.length && ops[k] !== "same") {
      if (ops[k] === "removed") removed.push(i++);
      else added.push(j++);
      k++;
    }
    const pairs = Math.max(removed.length, added.length);
    for (let p = 0; p < pairs; p++) {
      const l = removed[p];
      const r = added[p];
      if (l !== undefined && r !== undefined) rows.push({ kind: "changed", left: l + 1, right: r + 1, before: a[l], after: b[r] });
      else if (l !== undefined) rows.push({ kind: "removed", left: l + 1, before: a[l] });
      else rows.push({ kind: "added", right: r + 1, after: b[r] });
    }
  }
  return rows;
}

/** Every file of either version, in path order, with its rows. */
export function diffFiles(before: Record<string, string>, after: Record<string, string>): FileDiff[] {
  const paths = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return paths.map((path) => {
    // A PDF or an image (kept as base64) is compared as one line naming its size and SHA-256.
    const shown = (stored: string | undefined) =>
      stored === undefined ? stored : path.endsWith(".pdf") ? describeStored("PDF document", stored) : isImagePath(path) ? describeStored("Image", stored) : stored;
    const a = shown(before[path]);
    const b = shown(after[path]);
    const status = a === undefined ? "added" : b === undefined ? "removed" : a === b ? "same" : "changed";
    return { path, status, rows: diffLines(a ?? "", b ?? "") };
  });
}

function describeStored(what: string, base64: string): string {
  const bytes = Buffer.from(base64, "base64");
  return `${what}: ${bytes.length.toLocaleString("en")} bytes, SHA-256 ${createHash("sha256").update(bytes).digest("hex")}`;
}
