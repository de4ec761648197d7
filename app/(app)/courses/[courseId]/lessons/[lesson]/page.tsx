import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";

import { ActionButton } from "@/components/action-button";
import { buttonClass } from "@/components/ui/button";
import { ProgressBar } from "@/components/ui/progress-bar";
import { getDb } from "@/db/client";
import { requireViewer } from "@/lib/auth/gate";
import { getCourse } from "@/lib/content";
import { renderMarkdown } from "@/lib/content/markdown";
import { learnerCourse } from "@/lib/training/learner-course";
import { progressFor, recordLessonView } from "@/lib/training/lesson-progress";

import { finishLesson } from "../../../actions";

type Params = { params: Promise<{ courseId: string; lesson: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { courseId, lesson } = await params;
  const course = getCourse(courseId);
  return { title: course?.lessons.find((l) => l.slug === lesson)?.title ?? "Lesson" };
}

export default async function LessonPage({ params }: Params) {
  const viewer = await requireViewer("page:/courses/[courseId]/lessons/[lesson]");
  const { courseId, lesson: slug } = await params;
  const db = await getDb();
  const course = await learnerCourse(db, viewer.id, courseId);
  const index = course?.lessons.findIndex((l) => l.slug === slug) ?? -1;
  if (!course || index < 0) notFound();
  const lesson = course.lessons[index];
  await recordLessonView(viewer, course.id, lesson.slug);
  const progress = (await progressFor(db, viewer.id, [course])).get(course.id)!;
  const previous = course.lessons[index - 1];
  const isLast = index === course.lessons.length - 1;
  return (
    <div className="mx-auto max-w-3xl">
      <nav aria-label="Breadcrumb" className="mb-3 text-sm text-slate-500">
        <Link href="/courses" className="hover:underline">
          Courses
        </Link>{" "}
        /{" "}
        <Link href={`/courses/${course.id}`} className="hover:underline">
          {course.title}
        </Link>
      </nav>
      <div className="mb-6">
        <div className="mb-1 flex justify-between text-xs text-slate-500">
          <span>
            Lesson {index + 1} of {course.lessons.length}
          </span>
          <span>{progress.percent}% complete</span>
        </div>
        <ProgressBar value={progress.percent} label={`Course progress: ${progress.percent}%`} />
      </div>
      <article className="rounded-xl border border-slate-200 bg-white px-6 py-8 shadow-sm sm:px-10">
        <h1 className="text-2xl font-semibold tracking-tight text-slate-900">{lesson.title}</h1>
        <div
          className="prose-content mt-4"
          dangerouslySetInnerHTML={{ __html: renderMarkdown(lesson.markdown, { courseId: course.id }) }}
        />
      </article>
      <nav aria-label="Lesson navigation" className="mt-6 flex items-center justify-between gap-4">
        {previous ? (
          <Link href={`/courses/${course.id}/lessons/${previous.slug}`} className={buttonClass("secondary")}>
            ← Previous
          </Link>
        ) : (
          <span />
        )}
        <ActionButton
          action={finishLesson}
          fields={{ courseId: course.id, lesson: lesson.slug }}
          label={isLast ? "Finish the last lesson" : "Mark as read and continue →"}
          pendingLabel="Saving…"
        />
      </nav>
    </div>
  );
}
