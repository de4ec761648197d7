import type { LearnerState } from "@/lib/training/learner-overview";

import { Badge, type Tone } from "./ui/badge";

const labels: Record<LearnerState, [string, Tone]> = {
  overdue: ["Overdue", "danger"],
  due: ["Due soon", "warning"],
  in_progress: ["In progress", "info"],
  not_started: ["To do", "neutral"],
  current: ["Certified", "success"],
  expiring: ["Expiring", "warning"],
  expired: ["Expired", "danger"],
  superseded: ["New version", "warning"],
  optional: ["Optional", "neutral"],
};

export function LearnerStateBadge({ state }: { state: LearnerState }) {
  const [label, tone] = labels[state];
  return <Badge tone={tone}>{label}</Badge>;
}
