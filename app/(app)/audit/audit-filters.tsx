import Link from "next/link";

import { buttonClass } from "@/components/ui/button";
import { inputClass } from "@/components/ui/field";
import {
  auditActionInfo,
  auditActionsIn,
  auditCategories,
  isAuditAction,
  type AuditCategory,
} from "@/lib/audit/actions";
import { auditFilterQuery, withoutPaging, type AuditFilters } from "@/lib/audit/explore.rules";

const categories = Object.entries(auditCategories) as [AuditCategory, string][];

function Field({ id, label, children }: { id: string; label: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-xs font-medium text-slate-700">
        {label}
      </label>
      {children}
    </div>
  );
}

/**
 * The explorer's filters: a date range, who acted, whom it concerns, the kind
 * of event (by category and action from the catalogue) and its outcome. A GET
 * form, so a filtered view is a link an auditor can keep; an older link's
 * action prefix ("auth.") still works. The same filters drive the export.
 */
export function AuditFilterForm({ filters }: { filters: AuditFilters }) {
  const prefix = filters.action && !isAuditAction(filters.action) ? filters.action : undefined;
  const kept = withoutPaging(filters);
  const active = Object.keys(kept).length > 0;
  return (
    <form className="mb-4 space-y-3" action="/audit" aria-label="Filter audit events">
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        <Field id="audit-from" label="From (UTC)">
          <input id="audit-from" type="date" name="from" defaultValue={filters.from ?? ""} className={inputClass} />
        </Field>
        <Field id="audit-to" label="To (UTC)">
          <input id="audit-to" type="date" name="to" defaultValue={filters.to ?? ""} className={inputClass} />
        </Field>
        <Field id="audit-actor" label="Actor">
          <input
            id="audit-actor"
            name="actor"
            defaultValue={filters.actor ?? ""}
            placeholder="Name, email or client"
            maxLength={200}
            className={inputClass}
          />
        </Field>
        <Field id="audit-person" label="Person concerned">
          <input
            id="audit-person"
            name="person"
            defaultValue={filters.person ?? ""}
            placeholder="Name or email"
            maxLength={200}
            className={inputClass}
          />
        </Field>
        <Field id="audit-category" label="Category">
          <select id="audit-category" name="category" defaultValue={filters.category ?? ""} className={inputClass}>
            <option value="">All categories</option>
            {categories.map(([id, label]) => (
              <option key={id} value={id}>
                {label}
              </option>
            ))}
          </select>
        </Field>
        <Field id="audit-action" label="Event">
          <select id="audit-action" name="action" defaultValue={filters.action ?? ""} className={inputClass}>
            <option value="">All events</option>
            {prefix && <option value={prefix}>Events starting with “{prefix}”</option>}
            {categories.map(([id, label]) => (
              <optgroup key={id} label={label}>
                {auditActionsIn(id).map((a) => (
                  <option key={a} value={a}>
                    {auditActionInfo(a).label}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </Field>
        <Field id="audit-outcome" label="Outcome">
          <select id="audit-outcome" name="outcome" defaultValue={filters.outcome ?? ""} className={inputClass}>
            <option value="">Any outcome</option>
            <option value="done">Done</option>
            <option value="refused">Refused or failed</option>
          </select>
        </Field>
        <div className="flex items-end gap-2">
          <button type="submit" className={buttonClass("primary")}>
            Filter
          </button>
          {active && (
            <Link href="/audit" className={buttonClass("secondary")}>
              Clear filters
            </Link>
          )}
        </div>
      </div>
      <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <span className="text-slate-600">Export {active ? "the events these filters select" : "every event"}:</span>
        <a className="underline" href={`/audit/export${auditFilterQuery(kept, { format: "csv" })}`} download>
          CSV
        </a>
        <a className="underline" href={`/audit/export${auditFilterQuery(kept, { format: "json" })}`} download>
          JSON
        </a>
      </p>
    </form>
  );
}
