import { getHandle, migrateDatabase } from "@/db/client";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemoOrganisation } from "@/db/seed";
import { env } from "@/lib/env";

import { runCli } from "./lib/cli";

await runCli(async () => {
  const handle = await getHandle();
  await migrateDatabase(handle);
  const { created } = await seedDemoOrganisation(handle.db, { history: env().SEED_DEMO_HISTORY });
  console.log(
    created > 0
      ? `Seeded the demo organisation: ${created} people.`
      : "The database already has people; nothing changed.",
  );
  console.log(`Demo password for every account: ${DEMO_PASSWORD}`);
  for (const [role, email] of Object.entries(DEMO_ACCOUNTS)) console.log(`  ${role.padEnd(16)} ${email}`);
});
