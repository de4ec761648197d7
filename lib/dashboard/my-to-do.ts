import "server-only";

import { myAccess } from "@/lib/access/my-access";
import { myAgreements } from "@/lib/agreements/employee-agreements";
import type { Viewer } from "@/lib/auth/roles";
import { learnerOverview, type LearnerCourse } from "@/lib/training/learner-overview";

import { buildToDo, nextDue, type NextDue, type ToDoItem } from "./to-do.rules";

export type MyToDo = {
  items: ToDoItem[];
  /** With nothing to do: when the next thing falls due. */
  next: NextDue;
  /** Courses the person holds a certification in and has nothing due for. */
  certified: LearnerCourse[];
};

/**
 * What the viewer must do, most urgent first: read through the same functions
 * as their courses, agreements and access pages, each a fixed number of
 * queries, so the list and those pages never disagree.
 */
export async function myToDo(viewer: Viewer, now = new Date()): Promise<MyToDo> {
  const [courses, agreements, roles] = await Promise.all([
    learnerOverview(viewer, now),
    myAgreements(viewer, now),
    myAccess(viewer, now),
  ]);
  const input = { courses, agreements, roles };
  const items = buildToDo(input, now);
  return {
    items,
    next: items.length ? null : nextDue(input, now),
    certified: courses.filter((c) => c.certification && !c.dueAt),
  };
}
