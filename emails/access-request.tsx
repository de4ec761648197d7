import { formatLongDateTime } from "@/lib/format";

import { Action, Facts, P, Quote, Title } from "./components/blocks";
import { orgName, PRODUCT_NAME } from "./components/format";
import { Layout } from "./components/layout";

export type AccessRequestProps = {
  approverName: string;
  requesterName: string;
  roleName: string;
  justification: string;
  requestedAt: Date;
  /** App path of the request, where the approver decides. */
  requestPath: string;
  /** Whether the requester's training and agreements are current for the role right now. */
  requirementsMet: boolean;
};

export const subject = (p: AccessRequestProps) => `Access request: ${p.requesterName} asks for ${p.roleName}`;

export default function AccessRequestEmail(p: AccessRequestProps) {
  return (
    <Layout
      preview={`${p.requesterName} asks for the ${p.roleName} role and needs your decision.`}
      reason={`You received this email because you approve requests for the ${p.roleName} data-access role in ${PRODUCT_NAME} at ${orgName()}.`}
    >
      <Title>An access request needs your decision</Title>
      <P>Hello {p.approverName},</P>
      <P>{p.requesterName} asks to hold a data-access role. Their reason:</P>
      <Quote>{p.justification}</Quote>
      <Facts
        items={[
          ["Requested by", p.requesterName],
          ["Role", p.roleName],
          ["Requested", formatLongDateTime(p.requestedAt)],
          ["Training and agreements", p.requirementsMet ? "all current" : "not all current yet"],
        ]}
      />
      <Action path={p.requestPath}>Review the request</Action>
    </Layout>
  );
}
