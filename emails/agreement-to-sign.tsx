import { formatLongDate } from "@/lib/format";

import { Action, Facts, P, Title } from "./components/blocks";
import { orgName, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";

export type AgreementToSignProps = {
  name: string;
  agreementTitle: string;
  version: string;
  agreementPath: string;
  dueAt?: Date | null;
  /** True when this replaces an agreement the person signed before (a new major version). */
  isNewVersion?: boolean;
};

export const subject = (p: AgreementToSignProps) => `Please sign: ${p.agreementTitle}`;

export default function AgreementToSignEmail(p: AgreementToSignProps) {
  const facts: [string, string][] = [
    ["Agreement", p.agreementTitle],
    ["Version", p.version],
  ];
  if (p.dueAt) facts.push(["Sign by", formatLongDate(p.dueAt)]);
  return (
    <Layout
      preview={`${orgName()} asks you to read and sign ${p.agreementTitle}.`}
      reason={`You received this email because ${orgName()} requires you to sign this agreement in ${PRODUCT_NAME}.`}
    >
      <Title>An agreement is waiting for your signature</Title>
      <P>Hello {p.name},</P>
      <P>
        {p.isNewVersion
          ? "A new version of an agreement you signed before has been published, and it needs your signature again."
          : "Please read and sign the agreement below."}{" "}
        You will receive a sealed PDF copy once you have signed.
      </P>
      <Facts items={facts} />
      <Action path={p.agreementPath}>Read and sign</Action>
    </Layout>
  );
}
