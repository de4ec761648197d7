import { formatLongDateTime } from "@/lib/format";

import { Code, Facts, P, Title } from "./components/blocks";
import { orgName, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";

export type PartnerSigningCodeProps = {
  signerName: string;
  agreementTitle: string;
  code: string;
  expiresAt: Date;
};

export const subject = (p: PartnerSigningCodeProps) => `Your one-time code to sign ${p.agreementTitle}`;

export default function PartnerSigningCodeEmail(p: PartnerSigningCodeProps) {
  const org = orgName();
  return (
    <Layout
      preview={`Enter this code to continue signing ${p.agreementTitle}.`}
      reason={`You received this email because someone opened your ${PRODUCT_NAME} signing link from ${org} and asked for a code. If that was not you, ignore this email.`}
    >
      <Title>Your one-time signing code</Title>
      <P>Hello {p.signerName},</P>
      <P>Enter this code on the signing page to confirm it is you:</P>
      <Code>{p.code}</Code>
      <Facts
        items={[
          ["Agreement", p.agreementTitle],
          ["Code expires", formatLongDateTime(p.expiresAt)],
        ]}
      />
      <P>Never share this code. {org} staff will never ask you for it.</P>
    </Layout>
  );
}
