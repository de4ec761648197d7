import { z } from "zod";

/** The code typed back from the consent-check PDF, as forms send it (validated again against the stored hash). */
export const consentCodeSchema = z
  .string()
  .trim()
  .min(1, "Type the code shown in the consent-check PDF.")
  .max(20, "That is not the code in your consent-check PDF. Check it and try again.");
