import { Badge } from "@/components/ui/badge";

/** The event's label, with the stored name beneath it for anyone matching events by name. */
export function AuditActionCell({ action, label, refused }: { action: string; label: string; refused: boolean }) {
  return (
    <>
      <Badge tone={refused ? "warning" : "neutral"}>{label}</Badge>
      {label !== action && <span className="mt-0.5 block font-mono text-xs text-slate-500">{action}</span>}
    </>
  );
}
