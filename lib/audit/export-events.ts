import "server-only";

import { getDb } from "@/db/client";
import { csvField } from "@/lib/reports/csv";

import { describeAuditEvents } from "./describe";
import type { AuditFilters } from "./explore.rules";
import { auditEventPage, type AuditEventView } from "./list-events";

/**
 * The explorer's filtered events as CSV or JSON, streamed page by page
 * (keyset on id, newest first), so an export of a million events holds one
 * page in memory at a time. Each row carries the event's sentence, its
 * stored fields as they are, and its hash, so rows can be matched back to
 * the chain.
 */

export type AuditExportFormat = "csv" | "json";

const PAGE = 1_000;
const CSV_HEADER = [
  "Event",
  "Time (UTC)",
  "What happened",
  "Actor",
  "Actor id",
  "Action",
  "Label",
  "Category",
  "Outcome",
  "Target type",
  "Target id",
  "IP address",
  "Data",
  "Hash",
];

function csvLine(cells: (string | number | null)[]): string {
  return cells.map(csvField).join(",") + "\r\n";
}

function csvRow(e: AuditEventView, sentence: string): string {
  return csvLine([
    e.id,
    e.at.toISOString(),
    sentence,
    e.actorLabel,
    e.actorId,
    e.action,
    e.label,
    e.categoryLabel,
    e.outcome,
    e.targetType,
    e.targetId,
    e.ip,
    JSON.stringify(e.data ?? {}),
    e.hash,
  ]);
}

function jsonRow(e: AuditEventView, sentence: string): string {
  return JSON.stringify({
    id: e.id,
    at: e.at.toISOString(),
    sentence,
    actorLabel: e.actorLabel,
    actorId: e.actorId,
    action: e.action,
    label: e.label,
    category: e.category,
    outcome: e.outcome,
    targetType: e.targetType,
    targetId: e.targetId,
    ip: e.ip,
    data: e.data ?? {},
    hash: e.hash,
  });
}

/** A byte stream of the export; pages are read as the client reads, so a slow client holds back the database. */
export function auditExportStream(
  filters: AuditFilters,
  format: AuditExportFormat,
  meta: { exportedAt: Date; exportedBy: string },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let before = filters.before;
  let first = true;
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      async start(controller) {
        controller.enqueue(
          encoder.encode(
            format === "csv"
              ? "\uFEFF" + csvLine(CSV_HEADER)
              : `{"exportedAt":${JSON.stringify(meta.exportedAt.toISOString())},"exportedBy":${JSON.stringify(meta.exportedBy)},"filters":${JSON.stringify({ ...filters, before: undefined })},"events":[`,
          ),
        );
      },
      async pull(controller) {
        if (done) return;
        const db = await getDb();
        const page = await auditEventPage(db, { ...filters, before }, PAGE);
        const words = await describeAuditEvents(db, page.rows);
        let chunk = "";
        for (const e of page.rows) {
          const sentence = words.get(e.id)?.sentence ?? e.label;
          if (format === "csv") chunk += csvRow(e, sentence);
          else {
            chunk += (first ? "" : ",") + jsonRow(e, sentence);
            first = false;
          }
        }
        if (page.nextBefore === null) {
          done = true;
          if (format === "json") chunk += "]}\n";
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        before = page.nextBefore;
        controller.enqueue(encoder.encode(chunk));
      },
    },
    { highWaterMark: 1 },
  );
}
