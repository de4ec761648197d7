import { getDb } from "@/db/client";
import { recordAudit } from "@/lib/audit/record";
import { routeViewer } from "@/lib/auth/gate";
import { auditContext } from "@/lib/auth/viewer";
import { courseImage, getCourse } from "@/lib/content";
import { itemRefSchema } from "@/lib/content/item-ref";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";
import { zip } from "@/lib/privacy/zip";
import { exportScorm12 } from "@/lib/scorm/export";
import { packageFiles } from "@/lib/scorm/store";

export const dynamic = "force-dynamic";

/**
 * A course, as it is served now, as a SCORM 1.2 package for another learning
 * system: its lessons and its quiz, scored by the package. A course that
 * plays a SCORM package is exported as that package.
 */
async function handleGet(_request: Request, { params }: { params: Promise<{ kind: string; id: string }> }) {
  const auth = await routeViewer("download:/admin/content/[kind]/[id]/scorm", {
    signedOut: "Sign in to export a course.",
    forbidden: "Only compliance admins and auditors can export content.",
  });
  if (!auth.ok) return auth.response;
  const ref = itemRefSchema.safeParse(await params);
  const course = ref.success && ref.data.kind === "course" ? getCourse(ref.data.id) : undefined;
  if (!course) return apiError(404, "not_found", "No such course.");
  const db = await getDb();
  const now = new Date();
  let archive: Buffer;
  if (course.package) {
    archive = zip(await packageFiles(db, course.package), now);
  } else {
    const names = new Set(
      course.lessons.flatMap((l) => [...l.markdown.matchAll(/\(\s*<?images\/([a-z0-9-]+\.(?:png|jpe?g|webp))/g)].map((m) => m[1])),
    );
    const images = new Map<string, Buffer>();
    for (const name of names) {
      const image = courseImage(course.id, name);
      if (image) images.set(name, image.bytes);
    }
    archive = exportScorm12(course, images, now);
  }
  await recordAudit(
    db,
    await auditContext(auth.viewer),
    { action: "content.scorm_exported", targetType: "course", targetId: course.id, data: { courseId: course.id, courseVersion: course.version } },
    now,
  );
  return new Response(new Uint8Array(archive), {
    headers: {
      "Content-Type": "application/zip",
      "Content-Disposition": `attachment; filename="${course.id}-${course.version}-scorm12.zip"`,
      "Cache-Control": "no-store",
    },
  });
}

export const GET = observed("/admin/content/[kind]/[id]/scorm", handleGet);
