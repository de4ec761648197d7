import { agreementStanding } from "./signing.rules";

export type PartnerAgreementStatus =
  "not_sent" | "pending" | "signed" | "declined" | "link_expired" | "signature_expired" | "void";

type Request = { id: string; status: "pending" | "signed" | "declined" | "void"; expiresAt: Date; createdAt: Date };
type Sig = {
  id: string;
  partnerRequestId: string | null;
  agreementVersion: string;
  outcome: "signed" | "declined";
  signedAt: Date;
  renewalDueAt: Date | null;
};

/**
 * A partner's standing on one agreement, from its newest request and any
 * signature: an unanswered link past 14 days is "link_expired" (send a new
 * link); a signature past renewal or of an older major version is
 * "signature_expired" (the partner must sign again).
 */
export function partnerAgreementStatus(
  template: { version: string } | null,
  requests: Request[],
  sigs: Sig[],
  now: Date,
): { status: PartnerAgreementStatus; signature: Sig | null; request: Request | null } {
  const latestRequest = [...requests].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0] ?? null;
  const signed = sigs.filter((s) => s.outcome === "signed");
  const standing = template ? agreementStanding(template, signed, now) : null;
  const signature = (standing?.signature && signed.find((s) => s.signedAt === standing.signature!.signedAt)) || null;
  if (!latestRequest) return { status: "not_sent", signature, request: null };
  if (latestRequest.status === "pending") {
    if (latestRequest.expiresAt.getTime() > now.getTime())
      return { status: "pending", signature, request: latestRequest };
    if (!signature) return { status: "link_expired", signature, request: latestRequest };
  }
  if (latestRequest.status === "void" && !signature) return { status: "void", signature, request: latestRequest };
  if (latestRequest.status === "declined") return { status: "declined", signature, request: latestRequest };
  if (signature && standing) {
    return {
      status:
        standing.standing === "signed" || standing.standing === "expiring"
          ? "signed"
          : latestRequest.status === "pending"
            ? "link_expired"
            : "signature_expired",
      signature,
      request: latestRequest,
    };
  }
  return { status: "signature_expired", signature, request: latestRequest };
}
