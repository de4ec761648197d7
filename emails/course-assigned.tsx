import { formatLongDate, plural } from "@/lib/format";

import { Action, Facts, P, Title } from "./components/blocks";
import { orgName, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";

export type CourseAssignedProps = {
  name: string;
  courseTitle: string;
  courseSummary?: string | null;
  /** App path of the course, e.g. `/learn/gdpr-essentials`. */
  coursePath: string;
  dueAt: Date;
  estimatedMinutes?: number | null;
};

export const subject = (p: CourseAssignedProps) => `New training assigned: ${p.courseTitle}`;

export default function CourseAssignedEmail(p: CourseAssignedProps) {
  const facts: [string, string][] = [
    ["Course", p.courseTitle],
    ["Due", formatLongDate(p.dueAt)],
  ];
  if (p.estimatedMinutes) facts.push(["Takes about", plural(p.estimatedMinutes, "minute")]);
  return (
    <Layout
      preview={`${p.courseTitle} is due on ${formatLongDate(p.dueAt)}.`}
      reason={`You received this email because ${orgName()} assigned you a required course in ${PRODUCT_NAME}.`}
    >
      <Title>A course has been assigned to you</Title>
      <P>Hello {p.name},</P>
      <P>You have a new required course. Complete it and pass its quiz by the due date.</P>
      {p.courseSummary ? <P>{p.courseSummary}</P> : null}
      <Facts items={facts} />
      <Action path={p.coursePath}>Start the course</Action>
    </Layout>
  );
}
