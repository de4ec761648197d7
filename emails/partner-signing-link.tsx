import { formatLongDateTime } from "@/lib/format";

import { Action, Facts, P, Title } from "./components/blocks";
import { orgName } from "./components/format";
import { Layout } from "./components/layout";

export type PartnerSigningLinkProps = {
  signerName: string;
  partnerName: string;
  agreementTitle: string;
  /** App path with the signing token, e.g. `/partner-sign/<token>`. */
  signingPath: string;
  expiresAt: Date;
  requestedByName: string;
};

export const subject = (p: PartnerSigningLinkProps) => `${orgName()} asks you to sign: ${p.agreementTitle}`;

export default function PartnerSigningLinkEmail(p: PartnerSigningLinkProps) {
  const org = orgName();
  return (
    <Layout
      preview={`Sign ${p.agreementTitle} for ${p.partnerName} before ${formatLongDateTime(p.expiresAt)}.`}
      reason={`You received this email because ${p.requestedByName} at ${org} named you as the person who signs agreements for ${p.partnerName}. If that is not you, ignore this email and the link will expire.`}
    >
      <Title>An agreement to sign for {p.partnerName}</Title>
      <P>Hello {p.signerName},</P>
      <P>
        {org} asks you to sign the agreement below on behalf of {p.partnerName}. You do not need an account: open the
        link, confirm the one-time code we email you, read the agreement and sign it. You will receive a sealed PDF
        copy.
      </P>
      <Facts
        items={[
          ["Agreement", p.agreementTitle],
          ["For", p.partnerName],
          ["Requested by", `${p.requestedByName}, ${org}`],
          ["Link expires", formatLongDateTime(p.expiresAt)],
        ]}
      />
      <Action path={p.signingPath}>Review and sign</Action>
      <P>This link is personal to you. Please do not forward it.</P>
    </Layout>
  );
}
