import { Link, Section, Text } from "@react-email/components";
import { Action, P, Title } from "./components/blocks";
import { appLink, formatDate, orgName, plural, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";
import { colors } from "./components/styles";
import type { NudgeItem } from "./nudge";

export type ReminderDigestProps = {
  name: string;
  period: "daily" | "weekly";
  items: NudgeItem[];
};

export const subject = (p: ReminderDigestProps) => `Your ${p.period} ${PRODUCT_NAME} reminders: ${plural(p.items.length, "item")}`;

const statusLabel = { overdue: "overdue since", due: "due", expiring: "expires" } as const;
const statusColor = { overdue: colors.danger, due: colors.text, expiring: colors.warning } as const;

export default function ReminderDigestEmail(p: ReminderDigestProps) {
  return (
    <Layout
      preview={`${plural(p.items.length, "item")} need your attention in ${PRODUCT_NAME}.`}
      reason={`You received this email because you chose ${p.period} reminders in ${PRODUCT_NAME} at ${orgName()}. You can change this under My data.`}
    >
      <Title>Your {p.period} reminders</Title>
      <P>Hello {p.name},</P>
      <P>These need your attention:</P>
      <Section style={{ margin: "0 0 16px" }}>
        {p.items.map((item) => (
          <Text key={item.path} style={{ margin: "0 0 10px", fontSize: "15px", lineHeight: "22px", color: colors.text }}>
            <Link href={appLink(item.path)} style={{ color: colors.accent, fontWeight: 600 }}>
              {item.title}
            </Link>
            <br />
            <span style={{ fontSize: "13px", color: statusColor[item.status] }}>
              {item.kind === "certification" ? "Certification" : item.kind === "agreement" ? "Agreement" : "Course"}
              {item.date ? `, ${statusLabel[item.status]} ${formatDate(item.date)}` : ""}
            </span>
          </Text>
        ))}
      </Section>
      <Action path="/dashboard">Open {PRODUCT_NAME}</Action>
    </Layout>
  );
}
