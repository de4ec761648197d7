import { Link, Section, Text } from "@react-email/components";
import { Action, P, Quote, Title } from "./components/blocks";
import { appLink, formatDate, orgName, plural, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";
import { colors } from "./components/styles";

export type NudgeItem = {
  title: string;
  kind: "course" | "agreement" | "certification";
  status: "overdue" | "due" | "expiring";
  /** Due date, or expiry for a certification. */
  date: Date | null;
  path: string;
};

export type NudgeProps = {
  name: string;
  managerName: string;
  items: NudgeItem[];
  message?: string | null;
};

export const subject = (p: NudgeProps) =>
  `Reminder from ${p.managerName}: ${p.items.length === 1 ? p.items[0].title : `${plural(p.items.length, "item")} to complete`}`;

const statusLabel = { overdue: "overdue since", due: "due", expiring: "expires" } as const;
const statusColor = { overdue: colors.danger, due: colors.text, expiring: colors.warning } as const;

export default function NudgeEmail(p: NudgeProps) {
  return (
    <Layout
      preview={`${p.managerName} reminds you about ${plural(p.items.length, "item")} in ${PRODUCT_NAME}.`}
      reason={`You received this email because ${p.managerName}, your manager at ${orgName()}, sent you a reminder from ${PRODUCT_NAME}.`}
    >
      <Title>A reminder from {p.managerName}</Title>
      <P>Hello {p.name},</P>
      <P>{p.managerName} asks you to complete the following:</P>
      {p.message ? <Quote>{p.message}</Quote> : null}
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
