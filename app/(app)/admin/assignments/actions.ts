"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";

import { DomainError } from "@/lib/errors";
import { action } from "@/lib/http/action";
import { assignCourseManually, findActivePersonByEmail } from "@/lib/training/assignments";

export const assignCourse = action(
  {
    permission: "action:admin/assignments.assignCourse",
    schema: z.object({
      email: z.email("Enter the person's work email."),
      courseId: z.string().min(1, "Choose a course."),
      dueDate: z.iso.date("Choose a due date."),
    }),
  },
  async ({ email, courseId, dueDate }, { viewer, audit }) => {
    const person = await findActivePersonByEmail(viewer, email);
    if (!person) throw new DomainError("unknown_person", "No active person has that email address.");
    await assignCourseManually(viewer, audit, {
      personId: person.id,
      courseId,
      dueAt: new Date(`${dueDate}T23:59:59Z`),
    });
    revalidatePath("/admin/assignments");
    return { message: `Assigned. ${email} will see it on their dashboard.` };
  },
);
