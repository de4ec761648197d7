import { routeViewer } from "@/lib/auth/gate";
import { courseDueEvent } from "@/lib/calendar/due-events";
import { calendarResponse } from "@/lib/calendar/ics";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

/** The signed-in person's due date for this course, as an iCalendar file. */
async function handleGet(_request: Request, { params }: { params: Promise<{ courseId: string }> }) {
  const auth = await routeViewer("download:/courses/[courseId]/calendar");
  if (!auth.ok) return auth.response;
  const { courseId } = await params;
  const event = await courseDueEvent(auth.viewer, courseId);
  if (!event) return apiError(404, "not_found", "Nothing is due for you in this course.");
  return calendarResponse([event], `due-${courseId}`, new Date());
}

export const GET = observed("/courses/[courseId]/calendar", handleGet);
