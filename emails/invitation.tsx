import { AccountSetup, accountSetupReason } from "./components/account-setup";
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
    <Layout preview={`Choose a password to start your compliance training at ${org}.`} reason={accountSetupReason()}>
      <AccountSetup {...p} />
    </Layout>
  );
}
