import { formatLongDateTime } from "@/lib/format";

import { Action, Facts, P, Title } from "./components/blocks";
import { orgName, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";
import { monoStack } from "./components/styles";

export type SignedCopyProps = {
  name: string;
  agreementTitle: string;
  version: string;
  signedAt: Date;
  /** SHA-256 of the sealed PDF, hex. */
  sha256: string;
  /** Name of the attached PDF. */
  filename: string;
  /** App path where the signed agreement can be viewed or verified. */
  viewPath: string;
};

export const subject = (p: SignedCopyProps) => `Your signed copy: ${p.agreementTitle}`;

export default function SignedCopyEmail(p: SignedCopyProps) {
  return (
    <Layout
      preview={`The sealed PDF of ${p.agreementTitle} you signed is attached.`}
      reason={`You received this email because you signed an agreement with ${orgName()} in ${PRODUCT_NAME}; a copy is sent to every signer.`}
    >
      <Title>Your signed agreement</Title>
      <P>Hello {p.name},</P>
      <P>
        Thank you for signing. Your copy is attached as {p.filename}. It is sealed with {orgName()}&apos;s digital
        signature, so any change to the file can be detected. Keep it for your records.
      </P>
      <Facts
        items={[
          ["Agreement", `${p.agreementTitle} (version ${p.version})`],
          ["Signed", formatLongDateTime(p.signedAt)],
          [
            "SHA-256",
            <span key="sha" style={{ fontFamily: monoStack, fontSize: "12px", wordBreak: "break-all" }}>
              {p.sha256}
            </span>,
          ],
        ]}
      />
      <Action path={p.viewPath}>View in {PRODUCT_NAME}</Action>
    </Layout>
  );
}
