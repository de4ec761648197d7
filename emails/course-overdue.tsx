import { formatLongDate } from "@/lib/format";

import { Action, Callout, Facts, P, Title } from "./components/blocks";
import { orgName, plural, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";

export type CourseOverdueProps = {
  name: string;
  courseTitle: string;
  coursePath: string;
  dueAt: Date;
  daysOverdue: number;
  /** Data-access roles that are blocked until the course is done, if any. */
  blockedRoles?: string[];
};

export const subject = (p: CourseOverdueProps) => `Overdue: ${p.courseTitle}`;

export default function CourseOverdueEmail(p: CourseOverdueProps) {
  const blocked = p.blockedRoles ?? [];
  return (
    <Layout
      preview={`${p.courseTitle} was due on ${formatLongDate(p.dueAt)}.`}
      reason={`You received this email because a course ${orgName()} requires you to complete in ${PRODUCT_NAME} is past its due date.`}
    >
      <Title>Your course is overdue</Title>
      <P>Hello {p.name},</P>
      <Callout tone="danger">
        {p.courseTitle} was due on {formatLongDate(p.dueAt)} ({plural(p.daysOverdue, "day")} ago).
      </Callout>
      <P>Please complete it as soon as you can. If it stays overdue, your manager will be told.</P>
      {blocked.length > 0 ? (
        <P>Until it is done, you cannot hold these data-access roles: {blocked.join(", ")}.</P>
      ) : null}
      <Facts
        items={[
          ["Course", p.courseTitle],
          ["Was due", formatLongDate(p.dueAt)],
        ]}
      />
      <Action path={p.coursePath}>Complete the course</Action>
    </Layout>
  );
}
