import { getHandle, migrateDatabase } from "@/db/client";
import { runCli } from "./lib/cli";

await runCli(async () => {
  const handle = await getHandle();
  await migrateDatabase(handle);
  console.log(`Migrations applied (${handle.driver}).`);
});
