import { z } from "zod";

import { contentKinds } from "@/db/schema/content";

/** A content item named in a URL: `/admin/content/<kind>/<id>`. */
export const itemRefSchema = z.object({
  kind: z.enum(contentKinds),
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/).max(60),
});

export const KIND_LABEL = { course: "Course", agreement: "Agreement" } as const;
