import { formatLongDate } from "@/lib/format";

import { Action, Facts, P, Title } from "./components/blocks";
import { orgName, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";

export type CertificationAnnulledProps = {
  name: string;
  courseTitle: string;
  coursePath: string;
  issuedAt: Date;
  annulledAt: Date;
  reason: string;
};

export const subject = (p: CertificationAnnulledProps) => `Your ${p.courseTitle} certification was annulled`;

export default function CertificationAnnulledEmail(p: CertificationAnnulledProps) {
  return (
    <Layout
      preview={`Take ${p.courseTitle} again to be certified.`}
      reason={`You received this email because a ${PRODUCT_NAME} certification of yours at ${orgName()} was annulled.`}
    >
      <Title>Your certification was annulled</Title>
      <P>Hello {p.name},</P>
      <P>
        Your compliance team annulled your certification for this course. It no longer counts from today: data-access
        roles that need it are no longer granted, and anyone who checks the certificate is told it was annulled. Take
        the course and its quiz again to be certified. If you think this is a mistake, reply to your compliance team.
      </P>
      <Facts
        items={[
          ["Certification", p.courseTitle],
          ["Issued", formatLongDate(p.issuedAt)],
          ["Annulled", formatLongDate(p.annulledAt)],
          ["Reason", p.reason],
        ]}
      />
      <Action path={p.coursePath}>Take the course again</Action>
    </Layout>
  );
}
