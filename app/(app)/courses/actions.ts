"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";

import { getDb } from "@/db/client";
import { action } from "@/lib/http/action";
import { uuidSchema } from "@/lib/ids";
import { startPackageRun } from "@/lib/scorm/runs";
import { startAttempt, submitAttempt } from "@/lib/training/attempts";
import { learnerCourse } from "@/lib/training/learner-course";
import { completeLesson } from "@/lib/training/lesson-progress";
import type { Answers } from "@/lib/training/quiz.rules";

const slug = z.string().regex(/^[a-z0-9-]{1,100}$/);

export const finishLesson = action(
  { permission: "action:courses.finishLesson", schema: z.object({ courseId: slug, lesson: slug }) },
  async ({ courseId, lesson }, { viewer }) => {
    await completeLesson(viewer, courseId, lesson);
    const course = (await learnerCourse(await getDb(), viewer.id, courseId))!;
    const index = course.lessons.findIndex((l) => l.slug === lesson);
    const next = course.lessons[index + 1];
    revalidatePath(`/courses/${courseId}`);
    redirect(next ? `/courses/${courseId}/lessons/${next.slug}` : `/courses/${courseId}?read=1`);
  },
);

export const startQuiz = action(
  { permission: "action:courses.startQuiz", schema: z.object({ courseId: slug }) },
  async ({ courseId }, { viewer }) => {
    const { attemptId } = await startAttempt(viewer, courseId);
    redirect(`/courses/${courseId}/attempts/${attemptId}`);
  },
);

export const startPackage = action(
  { permission: "action:courses.startPackage", schema: z.object({ courseId: slug }) },
  async ({ courseId }, { viewer }) => {
    const { attemptId } = await startPackageRun(viewer, courseId);
    redirect(`/courses/${courseId}/play/${attemptId}`);
  },
);

export const submitQuiz = action(
  {
    permission: "action:courses.submitQuiz",
    schema: z
      .object({ attemptId: uuidSchema(), courseId: slug })
      .catchall(z.union([z.string().max(100), z.array(z.string().max(100)).max(10)])),
  },
  async (input, { viewer, audit }) => {
    const answers: Answers = {};
    for (const [key, value] of Object.entries(input)) {
      if (!key.startsWith("q.")) continue;
      answers[key.slice(2)] = Array.isArray(value) ? value : [value as string];
    }
    await submitAttempt(viewer, audit, input.attemptId, answers);
    revalidatePath(`/courses/${input.courseId}`);
    redirect(`/courses/${input.courseId}/attempts/${input.attemptId}`);
  },
);
