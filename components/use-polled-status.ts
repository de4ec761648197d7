"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

const POLL_MS = 1_000;

/**
 * A background job's status, asked of `url` every second while `running`
 * says it goes on; when it stops, the page is refreshed to show the outcome.
 * `lost` is true while the server does not answer (the polling carries on).
 */
export function usePolledStatus<T>(url: string, initial: T, running: (status: T) => boolean) {
  const router = useRouter();
  const [status, setStatus] = useState<T>(initial);
  const [lost, setLost] = useState(false);
  const [isRunning] = useState(() => running);

  useEffect(() => {
    let stopped = false;
    const timer = setInterval(async () => {
      try {
        const response = await fetch(url, { cache: "no-store" });
        if (!response.ok) throw new Error(String(response.status));
        const next = (await response.json()) as T;
        if (stopped) return;
        setLost(false);
        setStatus(next);
        if (!isRunning(next)) {
          clearInterval(timer);
          router.refresh();
        }
      } catch {
        if (!stopped) setLost(true);
      }
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [url, router, isRunning]);

  return { status, lost };
}
