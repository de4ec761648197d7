import { formatLongDate } from "@/lib/format";

import { Action, Callout, Facts, P, Title } from "./components/blocks";
import { orgName, plural, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";

export type EscalationProps = {
  managerName: string;
  reportName: string;
  courseTitle: string;
  dueAt: Date;
  daysOverdue: number;
  /** App path of the manager's team view. */
  teamPath: string;
};

export const subject = (p: EscalationProps) =>
  `${p.reportName} is ${plural(p.daysOverdue, "day")} overdue on ${p.courseTitle}`;

export default function EscalationEmail(p: EscalationProps) {
  return (
    <Layout
      preview={`${p.reportName} has not completed ${p.courseTitle}, due ${formatLongDate(p.dueAt)}.`}
      reason={`You received this email because you are ${p.reportName}'s manager in ${PRODUCT_NAME} at ${orgName()}, and overdue training is escalated to managers.`}
    >
      <Title>Overdue training in your team</Title>
      <P>Hello {p.managerName},</P>
      <Callout tone="warning">
        {p.reportName} is {plural(p.daysOverdue, "day")} overdue on a required course.
      </Callout>
      <Facts
        items={[
          ["Person", p.reportName],
          ["Course", p.courseTitle],
          ["Was due", formatLongDate(p.dueAt)],
        ]}
      />
      <P>Please check in with them. You can send a reminder from your team view.</P>
      <Action path={p.teamPath}>Open your team</Action>
    </Layout>
  );
}
