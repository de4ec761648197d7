import { Badge } from "@/components/ui/badge";

/** The action's label, with the stored name beneath it for anyone matching events by name. */
export function AuditActionCell({ action, label }: { action: string; label: string }) {
  return (
    <>
      <Badge tone={action.includes("failed") || action.includes("locked") ? "warning" : "neutral"}>{label}</Badge>
      {label !== action && <span className="mt-0.5 block font-mono text-xs text-slate-500">{action}</span>}
    </>
  );
}
