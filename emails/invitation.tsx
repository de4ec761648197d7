import { formatLongDateTime } from "@/lib/format";

import { Action, Facts, P, Title } from "./components/blocks";
import { orgName, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";

export type InvitationProps = {
  name: string;
  /** App path with the one-time token, e.g. `/set-password?token=…`. */
  setPasswordPath: string;
  expiresAt: Date;
  invitedByName?: string | null;
};

export const subject = () => `Set up your ${PRODUCT_NAME} account at ${orgName()}`;

export default function InvitationEmail(p: InvitationProps) {
  const org = orgName();
  return (
    <Layout
      preview={`Choose a password to start your compliance training at ${org}.`}
      reason={`You received this email because an account was created for you in ${PRODUCT_NAME} at ${org}. If you did not expect it, ignore this email and the link will expire.`}
    >
      <Title>Welcome to {PRODUCT_NAME}</Title>
      <P>Hello {p.name},</P>
      <P>
        {p.invitedByName ? `${p.invitedByName} has` : `${org} has`} created your {PRODUCT_NAME} account. {PRODUCT_NAME}{" "}
        is where you complete your compliance training, sign your confidentiality agreements and request access to data.
      </P>
      <P>Choose a password to sign in for the first time.</P>
      <Facts items={[["Link valid until", formatLongDateTime(p.expiresAt)]]} />
      <Action path={p.setPasswordPath}>Set your password</Action>
    </Layout>
  );
}
