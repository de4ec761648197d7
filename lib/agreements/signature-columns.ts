import { signatures } from "@/db/schema";

/** A signature's columns that decide where its signer stands (SignatureFacts, agreementStanding), with whose and which agreement it is. */
export const signatureFactColumns = {
  personId: signatures.personId,
  agreementId: signatures.agreementId,
  agreementVersion: signatures.agreementVersion,
  signedAt: signatures.signedAt,
  renewalDueAt: signatures.renewalDueAt,
  outcome: signatures.outcome,
};
