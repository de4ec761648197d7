import { Action, P, Quote, Title } from "./components/blocks";
import { orgName, plural, PRODUCT_NAME } from "./components/format";
import { ItemList } from "./components/item-list";
import { Layout } from "./components/layout";

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
      <ItemList items={p.items} />
      <Action path="/dashboard">Open {PRODUCT_NAME}</Action>
    </Layout>
  );
}
