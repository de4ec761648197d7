import { z } from "zod";

import { checkpointFile } from "./checkpoint-file";

/** GET /api/v1/audit/checkpoints: its query and answer, shared by the route and the OpenAPI document. */

export const MAX_CHECKPOINTS_PER_PAGE = 100;

export const checkpointsQuery = z.object({
  after: z.coerce
    .number("must be a checkpoint id")
    .int("must be a whole number")
    .min(0, "must be 0 or more")
    .max(Number.MAX_SAFE_INTEGER, "is too large")
    .default(0)
    .describe(
      "Only checkpoints with a larger id: the `next_after` of the previous page, or the last id already copied.",
    ),
  limit: z.coerce
    .number("must be a number")
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(MAX_CHECKPOINTS_PER_PAGE, `must be at most ${MAX_CHECKPOINTS_PER_PAGE}`)
    .default(MAX_CHECKPOINTS_PER_PAGE)
    .describe(`At most this many checkpoints (1 to ${MAX_CHECKPOINTS_PER_PAGE}).`),
});

export const checkpointsBody = z.object({
  checkpoints: z.array(
    z.object({
      id: z.number().int(),
      created_at: z.string().datetime(),
      trigger: z.enum(["scheduled", "manual"]),
      head_id: z.number().int(),
      head_hash: z.string(),
      event_count: z.number().int(),
      file: checkpointFile.describe(
        "The self-contained checkpoint file: save it as JSON and check it with `npm run audit:verify -- --checkpoint FILE`.",
      ),
    }),
  ),
  next_after: z.number().int().nullable().describe("Pass as `after` for the next page; null when there are no more."),
});
