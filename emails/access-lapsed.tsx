import { formatLongDate } from "@/lib/format";

import { Action, Callout, Facts, P, Title } from "./components/blocks";
import { orgName, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";
import { colors } from "./components/styles";

export type AccessLapsedProps = {
  name: string;
  roleName: string;
  lapsedAt: Date;
  /** Why the role is no longer granted, in plain words (e.g. "GDPR Essentials certification expired on 2 May 2026"). */
  reasons: string[];
  accessPath: string;
  /** Set when writing to the approver rather than the holder. */
  holderName?: string | null;
};

export const subject = (p: AccessLapsedProps) =>
  p.holderName ? `${p.holderName}'s ${p.roleName} access has lapsed` : `Your ${p.roleName} access has lapsed`;

export default function AccessLapsedEmail(p: AccessLapsedProps) {
  return (
    <Layout
      preview={`${p.roleName} is no longer granted. Here is what to renew.`}
      reason={
        p.holderName
          ? `You received this email because you approve the ${p.roleName} data-access role for ${p.holderName} in ${PRODUCT_NAME} at ${orgName()}.`
          : `You received this email because you held the ${p.roleName} data-access role in ${PRODUCT_NAME} at ${orgName()}, and its requirements are no longer met.`
      }
    >
      <Title>{p.holderName ? "A data-access role has lapsed" : "Your data access has lapsed"}</Title>
      <P>Hello {p.name},</P>
      <Callout tone="danger">
        Since {formatLongDate(p.lapsedAt)}, {p.holderName ? `${p.holderName} no longer holds` : "you no longer hold"}{" "}
        the {p.roleName} role.
      </Callout>
      <P>This is because:</P>
      <ul style={{ margin: "0 0 16px", paddingLeft: "20px", color: colors.text, fontSize: "15px", lineHeight: "24px" }}>
        {p.reasons.map((r) => (
          <li key={r}>{r}</li>
        ))}
      </ul>
      <Facts
        items={[
          ["Role", p.roleName],
          ["Lapsed", formatLongDate(p.lapsedAt)],
        ]}
      />
      <P>
        {p.holderName
          ? `When ${p.holderName} completes what is missing, the role applies again automatically; your approval still stands.`
          : "Complete what is missing and the role applies again automatically; your approval still stands."}
      </P>
      <Action path={p.accessPath}>{p.holderName ? "See their record" : "See what to do"}</Action>
    </Layout>
  );
}
