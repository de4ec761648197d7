import type { Metadata } from "next";
import Link from "next/link";
import { notFound, redirect } from "next/navigation";

import { PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/gate";
import { getCourse } from "@/lib/content";
import { DomainError, NotFoundError } from "@/lib/errors";
import { uuidSchema } from "@/lib/ids";
import { packageLaunch, type PackageLaunch } from "@/lib/scorm/runs";

import { ScormPlayer } from "./scorm-player";

type Params = { params: Promise<{ courseId: string; attemptId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  return { title: getCourse((await params).courseId)?.title ?? "Course" };
}

/** A learner's run of a SCORM course, in the player. A run that is over sends them back to the course's page. */
export default async function PlayPage({ params }: Params) {
  const viewer = await requireViewer("page:/courses/[courseId]/play/[attemptId]");
  const { courseId, attemptId } = await params;
  if (!uuidSchema().safeParse(attemptId).success) notFound();
  let launch: PackageLaunch;
  try {
    launch = await packageLaunch(viewer, attemptId);
  } catch (error) {
    if (error instanceof NotFoundError) notFound();
    if (error instanceof DomainError && error.code === "run_over") redirect(`/courses/${courseId}`);
    throw error;
  }
  if (launch.courseId !== courseId) notFound();
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link href="/courses" className="hover:underline">
          Courses
        </Link>{" "}
        /{" "}
        <Link href={`/courses/${courseId}`} className="hover:underline">
          {launch.courseTitle}
        </Link>
      </nav>
      <PageHeader title={launch.courseTitle} />
      <ScormPlayer
        attemptId={launch.attemptId}
        courseId={courseId}
        version={launch.scormVersion}
        scos={launch.scos.map((s) => ({
          id: s.id,
          title: s.title,
          url: s.url,
          cmi: s.cmi,
          done: s.outcome.completion === "completed" || s.outcome.success === "passed",
        }))}
      />
    </>
  );
}
