import { routeViewer } from "@/lib/auth/gate";
import { agreementDueEvent } from "@/lib/calendar/due-events";
import { calendarResponse } from "@/lib/calendar/ics";
import { observed } from "@/lib/http/observe";
import { apiError } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

/** The signed-in person's renewal date for this agreement, as an iCalendar file. */
async function handleGet(_request: Request, { params }: { params: Promise<{ agreementId: string }> }) {
  const auth = await routeViewer("download:/agreements/[agreementId]/calendar");
  if (!auth.ok) return auth.response;
  const { agreementId } = await params;
  const event = await agreementDueEvent(auth.viewer, agreementId);
  if (!event) return apiError(404, "not_found", "This agreement has no renewal date for you.");
  return calendarResponse([event], `renew-${agreementId}`, new Date());
}

export const GET = observed("/agreements/[agreementId]/calendar", handleGet);
