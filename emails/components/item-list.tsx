import { Link, Section, Text } from "@react-email/components";

import { formatLongDate } from "@/lib/format";

import type { NudgeItem } from "../nudge";
import { appLink } from "./format";
import { colors } from "./styles";

const statusLabel = { overdue: "overdue since", due: "due", expiring: "expires" } as const;
const statusColor = { overdue: colors.danger, due: colors.text, expiring: colors.warning } as const;

/** A list of courses, agreements and certifications needing attention, each linked into the app. */
export function ItemList({ items }: { items: NudgeItem[] }) {
  return (
    <Section style={{ margin: "0 0 16px" }}>
      {items.map((item, i) => (
        <Text
          key={`${i}:${item.path}`}
          style={{ margin: "0 0 10px", fontSize: "15px", lineHeight: "22px", color: colors.text }}
        >
          <Link href={appLink(item.path)} style={{ color: colors.accent, fontWeight: 600 }}>
            {item.title}
          </Link>
          <br />
          <span style={{ fontSize: "13px", color: statusColor[item.status] }}>
            {item.kind === "certification" ? "Certification" : item.kind === "agreement" ? "Agreement" : "Course"}
            {item.date ? `, ${statusLabel[item.status]} ${formatLongDate(item.date)}` : ""}
          </span>
        </Text>
      ))}
    </Section>
  );
}
