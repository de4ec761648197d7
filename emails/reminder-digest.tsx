import { Action, P, Title } from "./components/blocks";
import { orgName, plural, PRODUCT_NAME } from "./components/format";
import { ItemList } from "./components/item-list";
import { Layout } from "./components/layout";
import type { NudgeItem } from "./nudge";

export type ReminderDigestProps = {
  name: string;
  period: "daily" | "weekly";
  items: NudgeItem[];
};

export const subject = (p: ReminderDigestProps) =>
  `Your ${p.period} ${PRODUCT_NAME} reminders: ${plural(p.items.length, "item")}`;

export default function ReminderDigestEmail(p: ReminderDigestProps) {
  return (
    <Layout
      preview={`${plural(p.items.length, "item")} need your attention in ${PRODUCT_NAME}.`}
      reason={`You received this email because you chose ${p.period} reminders in ${PRODUCT_NAME} at ${orgName()}. You can change this under My data.`}
    >
      <Title>Your {p.period} reminders</Title>
      <P>Hello {p.name},</P>
      <P>These need your attention:</P>
      <ItemList items={p.items} />
      <Action path="/dashboard">Open {PRODUCT_NAME}</Action>
    </Layout>
  );
}
