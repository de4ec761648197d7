import { resetEnvForTests } from "@/lib/env";

/** Sets (or, with undefined, removes) settings for the rest of a test file, and has the app read them again. */
export function setEnv(settings: Record<string, string | undefined>) {
  for (const [key, value] of Object.entries(settings))
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  resetEnvForTests();
}
