import { closeDatabase, getHandle } from "@/db/client";

/** Runs a command-line task with the configured database and exits with its code. */
export async function runCli(task: () => Promise<number | void>): Promise<void> {
  let code = 0;
  try {
    code = (await task()) ?? 0;
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    code = 1;
  } finally {
    await closeDatabase().catch(() => {});
  }
  process.exit(code);
}

export { getHandle };
