import { formatLongDate } from "@/lib/format";

import { Action, Callout, Facts, P, Quote, Title } from "./components/blocks";
import { orgName, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";

export type AccessDecisionProps = {
  name: string;
  roleName: string;
  decision: "approved" | "denied";
  decidedByName: string;
  comment?: string | null;
  /** For an approval: the earliest expiry among the role's requirements. */
  validUntil?: Date | null;
  requestPath: string;
};

export const subject = (p: AccessDecisionProps) => `Access ${p.decision}: ${p.roleName}`;

export default function AccessDecisionEmail(p: AccessDecisionProps) {
  const approved = p.decision === "approved";
  const facts: [string, string][] = [
    ["Role", p.roleName],
    ["Decision", approved ? "Approved" : "Denied"],
    ["Decided by", p.decidedByName],
  ];
  if (approved && p.validUntil) facts.push(["Valid until", formatLongDate(p.validUntil)]);
  return (
    <Layout
      preview={`${p.decidedByName} ${p.decision} your request for ${p.roleName}.`}
      reason={`You received this email because you requested a data-access role in ${PRODUCT_NAME} at ${orgName()}.`}
    >
      <Title>Your access request was {p.decision}</Title>
      <P>Hello {p.name},</P>
      <Callout tone={approved ? "success" : "danger"}>
        {approved
          ? `You may now hold the ${p.roleName} role.`
          : `Your request for the ${p.roleName} role was not approved.`}
      </Callout>
      {p.comment ? (
        <>
          <P>{p.decidedByName} wrote:</P>
          <Quote>{p.comment}</Quote>
        </>
      ) : null}
      <Facts items={facts} />
      {approved ? (
        <P>Keep your training and agreements current: the role stops being granted when they lapse.</P>
      ) : null}
      <Action path={p.requestPath}>View the request</Action>
    </Layout>
  );
}
