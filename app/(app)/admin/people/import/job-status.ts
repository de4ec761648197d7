import type { Tone } from "@/components/ui/badge";
import type { ImportJobStatus } from "@/db/schema/imports";

/** How each state of an import reads on the page. */
export const JOB_STATUS: Record<ImportJobStatus, [label: string, tone: Tone]> = {
  validating: ["Checking", "info"],
  ready: ["Ready to apply", "warning"],
  applying: ["Applying", "info"],
  applied: ["Applied", "success"],
  failed: ["Failed", "danger"],
  cancelled: ["Cancelled", "neutral"],
};
