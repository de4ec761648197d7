/**
 * The figures reports show, each defined once. A page that shows a figure
 * takes its label and definition from here, so "training compliance" means the
 * same on a manager's team page, the organisation overview and their CSVs.
 */
export const figures = {
  trainingCompliance: {
    label: "Training compliance",
    definition:
      "Of the courses each person must hold, the share held by a certification valid today. Only courses count; agreements are a figure of their own. Suspended and departed people are not counted.",
  },
  agreementsSigned: {
    label: "Agreements signed",
    definition:
      "Of the agreements each person must sign, the share with a signature in force today (signed, and not past its renewal date). Suspended and departed people are not counted.",
  },
  overdueTraining: {
    label: "Overdue training",
    definition:
      "Required courses past their due date without a valid certification, and how many people have at least one.",
  },
  overdueItems: {
    label: "Overdue",
    definition:
      "Required courses and agreements past their due date and not yet complete, and how many people have at least one.",
  },
  expiringSoon: {
    label: "Expiring within 30 days",
    definition:
      "Certifications and signatures valid today that end within the next 30 days: renew them before they lapse.",
  },
  peopleCounted: {
    label: "People counted",
    definition: "Active people whose start date has come. Suspended and departed people are not counted.",
  },
} as const satisfies Record<string, { label: string; definition: string }>;

export type FigureName = keyof typeof figures;

/** A share in percent with one decimal; null when nothing applies. */
export function percent(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}

/** How a share is written everywhere: one decimal and a percent sign, or a dash when nothing applies. */
export const percentText = (rate: number | null) => (rate === null ? "—" : `${rate.toFixed(1)}%`);
