import { inputClass } from "@/components/ui/field";
import {
  auditActionInfo,
  auditActionsIn,
  auditCategories,
  isAuditAction,
  type AuditCategory,
} from "@/lib/audit/actions";

const categories = Object.entries(auditCategories) as [AuditCategory, string][];

/** Filter by category and by action, both from the catalogue; an older link's action prefix ("auth.") still works. */
export function AuditFilters({ action, category }: { action?: string; category?: AuditCategory }) {
  const prefix = action && !isAuditAction(action) ? action : undefined;
  return (
    <form className="mb-4 flex flex-wrap gap-2" action="/audit">
      <label htmlFor="audit-category" className="sr-only">
        Filter by category
      </label>
      <select
        id="audit-category"
        name="category"
        defaultValue={category ?? ""}
        className={`${inputClass} max-w-xs pr-8`}
      >
        <option value="">All categories</option>
        {categories.map(([id, label]) => (
          <option key={id} value={id}>
            {label}
          </option>
        ))}
      </select>
      <label htmlFor="audit-action" className="sr-only">
        Filter by action
      </label>
      <select id="audit-action" name="action" defaultValue={action ?? ""} className={`${inputClass} max-w-xs pr-8`}>
        <option value="">All actions</option>
        {prefix && <option value={prefix}>Actions starting with “{prefix}”</option>}
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
      <button className="rounded-md border border-slate-300 bg-white px-3 text-sm hover:bg-slate-50">Filter</button>
    </form>
  );
}
