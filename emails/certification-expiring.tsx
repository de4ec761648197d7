import { formatLongDate } from "@/lib/format";

import { Action, Facts, P, Title } from "./components/blocks";
import { orgName, plural, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";

export type CertificationExpiringProps = {
  name: string;
  courseTitle: string;
  coursePath: string;
  expiresAt: Date;
  /** Whole days until `expiresAt` (30 for the standard warning). */
  daysLeft: number;
};

export const subject = (p: CertificationExpiringProps) =>
  `Your ${p.courseTitle} certification expires on ${formatLongDate(p.expiresAt)}`;

export default function CertificationExpiringEmail(p: CertificationExpiringProps) {
  return (
    <Layout
      preview={`Renew ${p.courseTitle} within ${plural(p.daysLeft, "day")} to stay certified.`}
      reason={`You received this email because you hold a ${PRODUCT_NAME} certification at ${orgName()} that expires soon.`}
    >
      <Title>Your certification expires in {plural(p.daysLeft, "day")}</Title>
      <P>Hello {p.name},</P>
      <P>
        Take the course again and pass its quiz before the expiry date to renew your certification. Data-access roles
        that need it stop being granted once it expires.
      </P>
      <Facts
        items={[
          ["Certification", p.courseTitle],
          ["Expires", formatLongDate(p.expiresAt)],
        ]}
      />
      <Action path={p.coursePath}>Renew now</Action>
    </Layout>
  );
}
