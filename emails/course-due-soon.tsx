import { formatLongDate } from "@/lib/format";

import { Action, Facts, P, Title } from "./components/blocks";
import { orgName, plural, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";

export type CourseDueSoonProps = {
  name: string;
  courseTitle: string;
  coursePath: string;
  dueAt: Date;
  /** Whole days until `dueAt` (7 for the standard reminder). */
  daysLeft: number;
};

export const subject = (p: CourseDueSoonProps) => `Reminder: ${p.courseTitle} is due in ${plural(p.daysLeft, "day")}`;

export default function CourseDueSoonEmail(p: CourseDueSoonProps) {
  return (
    <Layout
      preview={`Complete ${p.courseTitle} by ${formatLongDate(p.dueAt)}.`}
      reason={`You received this reminder because a course ${orgName()} assigned to you in ${PRODUCT_NAME} is due soon and is not complete yet.`}
    >
      <Title>Your course is due in {plural(p.daysLeft, "day")}</Title>
      <P>Hello {p.name},</P>
      <P>This is a reminder that you have not completed a required course yet.</P>
      <Facts
        items={[
          ["Course", p.courseTitle],
          ["Due", formatLongDate(p.dueAt)],
        ]}
      />
      <Action path={p.coursePath}>Continue the course</Action>
    </Layout>
  );
}
