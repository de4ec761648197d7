"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { Scorm12API, Scorm2004API } from "scorm-again";

import { Badge } from "@/components/ui/badge";
import { Button, buttonClass } from "@/components/ui/button";

export type PlayerSco = {
  id: string;
  title: string;
  url: string;
  cmi: Record<string, string>;
  done: boolean;
};

type RunStatus = "in_progress" | "passed" | "failed";
type Api = Scorm12API | Scorm2004API;
type ApiWindow = Window & { API?: Scorm12API; API_1484_11?: Scorm2004API };

/**
 * Plays a SCORM package in a frame on our own origin. The run-time API the
 * package looks for (window.API for SCORM 1.2, window.API_1484_11 for 2004)
 * is scorm-again, loaded with what the learner committed last; every commit
 * (the package's own, every 30 seconds of changes, and on leaving) is posted
 * to the server, which answers whether the run is now passed or failed.
 * When a part's session ends, the server's answer carries what that part
 * starts from next time, so going back to it resumes it where it was left.
 */
export function ScormPlayer({
  attemptId,
  courseId,
  version,
  scos,
}: {
  attemptId: string;
  courseId: string;
  version: string;
  scos: PlayerSco[];
}) {
  const first = Math.max(
    0,
    scos.findIndex((s) => !s.done),
  );
  const [current, setCurrent] = useState(first);
  const [status, setStatus] = useState<RunStatus>("in_progress");
  const [saved, setSaved] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [done, setDone] = useState(() => new Set(scos.filter((s) => s.done).map((s) => s.id)));
  // The part whose own session the package ended (LMSFinish / Terminate): the learner may then go on.
  const [ended, setEnded] = useState<string | null>(null);
  // Each part's run-time data as the server last gave it back, newer than the page's.
  const resumeRef = useRef<Record<string, Record<string, string>>>({});
  const apiRef = useRef<Api | null>(null);
  // Set when the page is being left: a request must then be a beacon.
  const leavingRef = useRef(false);
  const frameRef = useRef<HTMLIFrameElement>(null);
  const sco = scos[current];
  // After a part is done and its session over, the next part not yet done (after this one, then from the start).
  const next = [...scos.slice(current + 1), ...scos.slice(0, current)].find((s) => !done.has(s.id));
  const goOn = status === "in_progress" && done.has(sco.id) && ended === sco.id && next ? next : null;

  const finish = useCallback(() => {
    const api = apiRef.current;
    if (!api || !api.isInitialized() || api.isTerminated()) return;
    if (api instanceof Scorm12API) api.LMSFinish("");
    else api.Terminate("");
  }, []);

  useEffect(() => {
    const w = window as ApiWindow;
    const answer = (status: number, text: string) => {
      let body: {
        result?: boolean;
        status?: RunStatus;
        resume?: Record<string, string>;
        error?: { message?: string };
      } = {};
      try {
        body = JSON.parse(text);
      } catch {
        body = {};
      }
      if (status >= 200 && status < 300 && body.result) {
        setSaved(new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
        setProblem(null);
        if (body.status && body.status !== "in_progress") setStatus(body.status);
        if (body.resume) resumeRef.current[sco.id] = body.resume;
        return { result: "true", errorCode: 0 };
      }
      setProblem(
        body.error?.message ?? "Your progress could not be saved. Keep this page open and check your connection.",
      );
      return { result: "false", errorCode: 101 };
    };
    // Every commit, the final one of a session too, is a synchronous request whose answer the package and this
    // page both see; only when the page is going away, when browsers allow nothing else, is it a beacon.
    const httpService = {
      processHttpRequest(url: string, params: unknown, immediate: boolean) {
        const target = immediate ? `${url}&final=true` : url;
        const body = JSON.stringify(params);
        if (leavingRef.current) {
          const sent = navigator.sendBeacon(target, new Blob([body], { type: "application/json" }));
          return { result: sent ? "true" : "false", errorCode: sent ? 0 : 101 };
        }
        const xhr = new XMLHttpRequest();
        try {
          xhr.open("POST", target, false);
          xhr.setRequestHeader("Content-Type", "application/json");
          xhr.send(body);
        } catch {
          return answer(0, "");
        }
        return answer(xhr.status, xhr.responseText);
      },
      updateSettings() {},
    };
    const settings = {
      lmsCommitUrl: `/api/scorm/runs/${attemptId}/commit?sco=${encodeURIComponent(sco.id)}`,
      dataCommitFormat: "flattened",
      autocommit: true,
      autocommitSeconds: 30,
      logLevel: 5 as const,
      httpService,
    };
    const api: Api = version === "1.2" ? new Scorm12API(settings) : new Scorm2004API(settings);
    api.loadFromFlattenedJSON(resumeRef.current[sco.id] ?? sco.cmi, "");
    const markDone = () => setDone((d) => new Set(d).add(sco.id));
    const markEnded = () => setEnded(sco.id);
    if (api instanceof Scorm12API) {
      api.on("LMSSetValue.cmi.core.lesson_status", (_e: string, value: string) => {
        if (["passed", "completed", "failed"].includes(value)) markDone();
      });
      api.on("LMSFinish", markEnded);
      w.API = api;
    } else {
      api.on("SetValue.cmi.completion_status", (_e: string, value: string) => {
        if (value === "completed") markDone();
      });
      api.on("Terminate", markEnded);
      w.API_1484_11 = api;
    }
    apiRef.current = api;
    const frame = frameRef.current;
    if (frame) frame.src = sco.url;
    const beforeLeave = () => {
      leavingRef.current = true;
      finish();
    };
    window.addEventListener("pagehide", beforeLeave);
    return () => {
      window.removeEventListener("pagehide", beforeLeave);
      finish();
      if (frame) frame.src = "about:blank";
      delete w.API;
      delete w.API_1484_11;
      apiRef.current = null;
    };
  }, [attemptId, version, sco, finish]);

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p role="status" aria-live="polite" className="text-sm text-slate-600">
          {status === "passed"
            ? "You passed. Your certification is issued."
            : status === "failed"
              ? "The package reports that you did not pass this time."
              : saved
                ? `Progress saved at ${saved}.`
                : "Your progress is saved as you go: you can leave and continue later, on any device."}
        </p>
        <a
          href={`/courses/${courseId}`}
          className={buttonClass(status === "in_progress" ? "secondary" : "primary")}
          onClick={() => finish()}
        >
          {status === "in_progress" ? "Save and leave" : "Back to the course"}
        </a>
      </div>
      {problem && (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
          {problem}
        </p>
      )}
      {scos.length > 1 && (
        <nav aria-label="Parts of the course">
          <ol className="flex flex-wrap gap-2">
            {scos.map((s, i) => (
              <li key={s.id}>
                <Button
                  type="button"
                  variant={i === current ? "primary" : "secondary"}
                  aria-current={i === current ? "step" : undefined}
                  onClick={() => setCurrent(i)}
                >
                  {i + 1}. {s.title}
                  {done.has(s.id) && (
                    <span className="ml-2">
                      <Badge tone="success">Done</Badge>
                    </span>
                  )}
                </Button>
              </li>
            ))}
          </ol>
        </nav>
      )}
      {goOn && (
        <div className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-emerald-200 bg-emerald-50 px-4 py-3 text-sm text-emerald-900">
          <p>This part is done. The course is complete once every part is.</p>
          <Button type="button" onClick={() => setCurrent(scos.indexOf(goOn))}>
            Go on with {scos.indexOf(goOn) + 1}. {goOn.title}
          </Button>
        </div>
      )}
      <iframe
        ref={frameRef}
        title={sco.title}
        className="h-[75vh] min-h-[480px] w-full rounded-lg border border-slate-200 bg-white"
        sandbox="allow-scripts allow-same-origin allow-forms allow-popups allow-downloads allow-modals"
      />
    </div>
  );
}
