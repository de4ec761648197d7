import { verifyAuditChain } from "@/lib/audit/verify";
import { getHandle, runCli } from "./lib/cli";

await runCli(async () => {
  const { db } = await getHandle();
  const verdict = await verifyAuditChain(db);
  if (verdict.ok) {
    console.log(`OK: ${verdict.count} audit events verified.`);
    return 0;
  }
  console.error(`BROKEN: audit event ${verdict.brokenId} (${verdict.reason}); ${verdict.count} events before it verified.`);
  return 1;
});
