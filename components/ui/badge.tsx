import type { ReactNode } from "react";

import type { PersonStatus } from "@/db/schema";

export type Tone = "neutral" | "success" | "warning" | "danger" | "info";

/** A short status in a pill; the look is the `badge` classes in app/globals.css, so long tables stay light. */
export function Badge({ tone = "neutral", children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

const personStatusTones: Record<PersonStatus, Tone> = { active: "success", suspended: "warning", departed: "neutral" };

/** The tone of a person's account status, the same on every page that shows it. */
export function personStatusTone(status: PersonStatus): Tone {
  return personStatusTones[status];
}
