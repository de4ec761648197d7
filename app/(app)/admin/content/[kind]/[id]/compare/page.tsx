import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { z } from "zod";

import { Badge } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { getDb } from "@/db/client";
import { requireViewer } from "@/lib/auth/gate";
import { currentFiles, getVersion, shippedItemFiles } from "@/lib/content/versions";
import { type ItemFiles, type ItemRef } from "@/lib/content/item-files";
import { diffFiles, type DiffRow } from "@/lib/content/diff";
import { itemRefSchema } from "@/lib/content/item-ref";
import type { Viewer } from "@/lib/auth/roles";
import type { Executor } from "@/db/client";

export const metadata: Metadata = { title: "Compare versions" };

const side = z.union([z.literal("current"), z.literal("shipped"), z.uuid()]);

async function resolve(db: Executor, viewer: Viewer, ref: ItemRef, which: string): Promise<{ label: string; files: ItemFiles } | null> {
  if (which === "current") return { label: "Current", files: await currentFiles(db, ref) };
  if (which === "shipped") return { label: "Built-in", files: shippedItemFiles(ref) };
  const row = await getVersion(db, viewer, which).catch(() => null);
  if (!row || row.kind !== ref.kind || row.itemId !== ref.id) return null;
  const label = row.state === "published" ? `Version ${row.version}` : row.state === "in_review" ? "Submitted version" : row.state === "draft" ? "Draft" : "Discarded draft";
  return { label, files: row.files };
}

/** Unchanged runs longer than this are folded, keeping CONTEXT lines either side of each change. */
const CONTEXT = 3;

type Shown = DiffRow | { kind: "fold"; lines: number };

function fold(rows: DiffRow[]): Shown[] {
  const out: Shown[] = [];
  for (let i = 0; i < rows.length; ) {
    if (rows[i].kind !== "same") {
      out.push(rows[i++]);
      continue;
    }
    let j = i;
    while (j < rows.length && rows[j].kind === "same") j++;
    const run = rows.slice(i, j);
    const keepStart = i === 0 ? 0 : CONTEXT;
    const keepEnd = j === rows.length ? 0 : CONTEXT;
    if (run.length > keepStart + keepEnd + 1) {
      out.push(...run.slice(0, keepStart), { kind: "fold", lines: run.length - keepStart - keepEnd }, ...run.slice(run.length - keepEnd));
    } else out.push(...run);
    i = j;
  }
  return out;
}

const cell = "whitespace-pre-wrap break-words px-2 py-0.5 align-top font-mono text-xs";
const num = "select-none px-2 py-0.5 text-right align-top font-mono text-xs text-slate-500";

function Row({ row }: { row: Shown }) {
  if (row.kind === "fold")
    return (
      <tr className="bg-slate-50">
        <td colSpan={4} className="px-2 py-1 text-center text-xs text-slate-500">
          {row.lines} unchanged {row.lines === 1 ? "line" : "lines"}
        </td>
      </tr>
    );
  if (row.kind === "same")
    return (
      <tr>
        <td className={num}>{row.left}</td>
        <td className={cell}>{row.text}</td>
        <td className={num}>{row.right}</td>
        <td className={cell}>{row.text}</td>
      </tr>
    );
  const before = row.kind === "changed" || row.kind === "removed" ? row.before : null;
  const after = row.kind === "changed" || row.kind === "added" ? row.after : null;
  return (
    <tr>
      <td className={num}>{"left" in row ? row.left : ""}</td>
      <td className={`${cell} ${before !== null ? "bg-red-50 text-red-900" : "bg-slate-50"}`}>
        {before !== null && <span className="sr-only">Removed: </span>}
        {before}
      </td>
      <td className={num}>{"right" in row ? row.right : ""}</td>
      <td className={`${cell} ${after !== null ? "bg-emerald-50 text-emerald-900" : "bg-slate-50"}`}>
        {after !== null && <span className="sr-only">Added: </span>}
        {after}
      </td>
    </tr>
  );
}

export default async function ComparePage({
  params,
  searchParams,
}: {
  params: Promise<{ kind: string; id: string }>;
  searchParams: Promise<{ a?: string; b?: string }>;
}) {
  const viewer = await requireViewer("page:/admin/content/[kind]/[id]/compare");
  const ref = itemRefSchema.safeParse(await params);
  if (!ref.success) notFound();
  const query = await searchParams;
  const a = side.safeParse(query.a ?? "shipped");
  const b = side.safeParse(query.b ?? "current");
  if (!a.success || !b.success) notFound();
  const db = await getDb();
  const [left, right] = await Promise.all([resolve(db, viewer, ref.data, a.data), resolve(db, viewer, ref.data, b.data)]);
  if (!left || !right) notFound();
  const files = diffFiles(left.files, right.files);
  const changed = files.filter((f) => f.status !== "same");
  const { kind, id } = ref.data;
  return (
    <>
      <PageHeader
        title={`Compare: ${left.label} → ${right.label}`}
        description={`${changed.length === 0 ? "No differences" : `${changed.length} of ${files.length} files differ`}. Removed lines are on the left, added lines on the right.`}
        actions={
          <Link href={`/admin/content/${kind}/${id}`} className="text-sm font-medium text-brand-700 underline underline-offset-2">
            Back to {id}
          </Link>
        }
      />
      <div className="space-y-6">
        {files.map((file) => (
          <Card
            key={file.path}
            title={<code className="text-sm">{file.path}</code>}
            actions={<Badge tone={file.status === "same" ? "neutral" : file.status === "removed" ? "danger" : "info"}>{file.status === "same" ? "Unchanged" : file.status === "added" ? "Added" : file.status === "removed" ? "Removed" : "Changed"}</Badge>}
          >
            {file.status === "same" ? (
              <p className="text-sm text-slate-500">No changes.</p>
            ) : (
              <div className="overflow-x-auto">
                <table className="w-full table-fixed border-collapse">
                  <caption className="sr-only">
                    {file.path}: {left.label} on the left, {right.label} on the right
                  </caption>
                  <colgroup>
                    <col className="w-10" />
                    <col />
                    <col className="w-10" />
                    <col />
                  </colgroup>
                  <thead>
                    <tr className="border-b border-slate-200 text-left text-xs text-slate-600">
                      <th scope="col" className="px-2 py-1">
                        <span className="sr-only">Line</span>
                      </th>
                      <th scope="col" className="px-2 py-1">
                        {left.label}
                      </th>
                      <th scope="col" className="px-2 py-1">
                        <span className="sr-only">Line</span>
                      </th>
                      <th scope="col" className="px-2 py-1">
                        {right.label}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {fold(file.rows).map((row, i) => (
                      <Row key={i} row={row} />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
        ))}
      </div>
    </>
  );
}
