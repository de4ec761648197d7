import { describe, expect, it } from "vitest";

import { verifyUploadedFile } from "@/lib/agreements/verify-document";
import { UPLOAD_MESSAGES } from "@/lib/agreements/verify-limits";
import { VERIFY_LIMIT_PER_MINUTE } from "@/lib/http/public-limits";

import { withTestDatabase } from "../helpers/test-database";

/** The public document check counts every upload from an address before reading the file. */

withTestDatabase();

describe("/verify uploads under concurrent requests", () => {
  it("checks at most the per-minute limit when 15 more uploads than it arrive at once from one address", async () => {
    const file = () =>
      new File([new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d])], "agreement.pdf", { type: "application/pdf" });
    const answers = await Promise.all(
      Array.from({ length: VERIFY_LIMIT_PER_MINUTE + 15 }, () => verifyUploadedFile(file(), "198.51.100.60")),
    );
    const refused = answers.filter((a) => "error" in a && a.error === UPLOAD_MESSAGES.rateLimited);
    expect(answers.length - refused.length).toBe(VERIFY_LIMIT_PER_MINUTE);
    expect(refused).toHaveLength(15);
    // Another address is counted on its own.
    expect(await verifyUploadedFile(file(), "198.51.100.61")).toMatchObject({ authentic: false });
  });
});
