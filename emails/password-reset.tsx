import { formatLongDateTime } from "@/lib/format";

import { Action, Facts, P, Title } from "./components/blocks";
import { orgName, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";

export type PasswordResetProps = {
  name: string;
  /** App path with the one-time token, e.g. `/set-password/…`. */
  setPasswordPath: string;
  expiresAt: Date;
};

export const subject = () => `Reset your ${PRODUCT_NAME} password`;

export default function PasswordResetEmail(p: PasswordResetProps) {
  return (
    <Layout
      preview="A link to choose a new password, valid for 30 minutes."
      reason={`You received this email because someone asked to reset the password of your ${PRODUCT_NAME} account at ${orgName()}. If it was not you, ignore this email: your password stays as it is.`}
    >
      <Title>Reset your password</Title>
      <P>Hello {p.name},</P>
      <P>
        Use the link below to choose a new password. It works once. When you use it, every device signed in to your
        account is signed out.
      </P>
      <Facts items={[["Link valid until", formatLongDateTime(p.expiresAt)]]} />
      <Action path={p.setPasswordPath}>Choose a new password</Action>
    </Layout>
  );
}
