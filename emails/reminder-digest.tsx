import type { EmailCadence } from "@/db/schema";

import { Action, P, Title } from "./components/blocks";
import { orgName, plural, PRODUCT_NAME } from "./components/format";
import { ItemList } from "./components/item-list";
import { Layout } from "./components/layout";
import type { NudgeItem } from "./nudge";

export type ReminderDigestProps = {
  name: string;
  /** "each": several notifications raised together, sent as one message; else the digest's cadence. */
  period: EmailCadence;
  items: NudgeItem[];
};

const heading = { each: "What needs your attention", daily: "Your daily digest", weekly: "Your weekly digest" };

export const subject = (p: ReminderDigestProps) =>
  p.period === "each"
    ? `${plural(p.items.length, "item")} to complete in ${PRODUCT_NAME}`
    : `Your ${p.period} ${PRODUCT_NAME} digest: ${plural(p.items.length, "item")}`;

export default function ReminderDigestEmail(p: ReminderDigestProps) {
  const why =
    p.period === "each"
      ? `You received this email because these became due for you in ${PRODUCT_NAME} at ${orgName()}; they are gathered into one message.`
      : `You received this email because your notifications from ${PRODUCT_NAME} at ${orgName()} come as a ${p.period} digest.`;
  return (
    <Layout
      preview={`${plural(p.items.length, "item")} need your attention in ${PRODUCT_NAME}.`}
      reason={`${why} You can change how often you hear from us on your Account page; sign-in and access messages always come at once.`}
    >
      <Title>{heading[p.period]}</Title>
      <P>Hello {p.name},</P>
      <P>{p.items.length === 1 ? "This needs your attention:" : "These need your attention:"}</P>
      <ItemList items={p.items} />
      <Action path="/dashboard">Open {PRODUCT_NAME}</Action>
    </Layout>
  );
}
