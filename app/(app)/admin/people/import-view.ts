import { errorText, summaryText, type ImportPlan, type ImportSummary, type RowAction } from "@/lib/people/import-rules";

/** What the import page shows of a plan: small enough to send to the browser for a 5,000-row file. */

export const PREVIEW_ROW_LIMIT = 1000;

export type ImportRowView = { row: number; name: string; email: string; action: RowAction; details: string[] };

export type ImportView =
  | {
      kind: "preview";
      fileName: string;
      /** SHA-256 of the previewed text: "apply" must send the same file. */
      digest: string;
      summary: ImportSummary;
      summaryText: string;
      /** Every error, each naming its row and column. */
      errors: string[];
      /** Rows in file order, errors first if the list is cut. */
      rows: ImportRowView[];
      applicable: number;
    }
  | { kind: "applied"; fileName: string; summary: ImportSummary; created: number; updated: number };

const FIELD_LABELS: Record<string, string> = {
  name: "name",
  department: "department",
  title: "title",
  manager_email: "manager",
  hire_date: "hire date",
  roles: "roles",
};

export function importView(plan: Extract<ImportPlan, { ok: true }>, fileName: string, digest: string): ImportView {
  const rows = plan.rows.map((r): ImportRowView => ({
    row: r.row,
    name: r.name,
    email: r.email,
    action: r.action,
    details:
      r.action === "invalid"
        ? r.errors.map((e) => (e.column ? `${e.column}: ${e.message}` : e.message))
        : r.changes.map((c) =>
            r.action === "create"
              ? `${FIELD_LABELS[c.field]}: ${c.to ?? "—"}`
              : `${FIELD_LABELS[c.field]}: ${c.from ?? "—"} → ${c.to ?? "—"}`,
          ),
  }));
  // With a long file, show every error and then as many other rows as fit.
  const shown =
    rows.length <= PREVIEW_ROW_LIMIT
      ? rows
      : [...rows.filter((r) => r.action === "invalid"), ...rows.filter((r) => r.action !== "invalid")].slice(
          0,
          PREVIEW_ROW_LIMIT,
        );
  return {
    kind: "preview",
    fileName,
    digest,
    summary: plan.summary,
    summaryText: summaryText(plan.summary),
    errors: plan.rows.flatMap((r) => r.errors.map(errorText)),
    rows: shown.sort((a, b) => a.row - b.row),
    applicable: plan.summary.create + plan.summary.update,
  };
}
