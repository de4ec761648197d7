"use client";

import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";

import { markAgreementRead } from "../actions";

const ReadState = createContext<{ read: boolean; required: boolean }>({ read: true, required: false });

/** Whether the signer has read the agreement to the end, where it must be read in full before signing. */
export function useReadState() {
  return useContext(ReadState);
}

/**
 * The agreement's text in its own scrolling box. Where the agreement must be
 * read in full, reaching its end (by scrolling, or with the keyboard once the
 * box has focus) is recorded on the signing, and the signing form waits for it.
 */
export function AgreementReader({
  html,
  mustRead,
  initiallyRead,
  agreementId,
  ceremonyId,
  children,
}: {
  html: string;
  mustRead: boolean;
  initiallyRead: boolean;
  agreementId: string;
  ceremonyId: string;
  children: ReactNode;
}) {
  const [read, setRead] = useState(!mustRead || initiallyRead);
  const [failed, setFailed] = useState(false);
  const box = useRef<HTMLElement>(null);
  const end = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (read || !box.current || !end.current) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        observer.disconnect();
        const form = new FormData();
        form.set("agreementId", agreementId);
        form.set("ceremonyId", ceremonyId);
        void markAgreementRead(null, form).then((state) => (state?.ok ? setRead(true) : setFailed(true)));
      },
      { root: box.current, threshold: 1 },
    );
    observer.observe(end.current);
    return () => observer.disconnect();
  }, [read, agreementId, ceremonyId]);

  return (
    <ReadState.Provider value={{ read, required: mustRead }}>
      <article
        ref={box}
        aria-label="Agreement text"
        aria-describedby={mustRead ? "read-status" : undefined}
        className="prose-content max-h-[32rem] overflow-y-auto rounded-xl border border-slate-200 bg-white px-6 py-4 shadow-sm focus:outline-2 focus:outline-brand-600/30"
        tabIndex={0}
      >
        <div dangerouslySetInnerHTML={{ __html: html }} />
        <div ref={end} className="h-px" aria-hidden="true" />
      </article>
      {mustRead && (
        <p id="read-status" role="status" className={`mt-2 text-sm ${read ? "text-emerald-700" : "text-slate-600"}`}>
          {read
            ? "You have read to the end."
            : failed
              ? "Your reading could not be recorded. Reload the page and read to the end again."
              : "Read to the end of the text (scroll the box, or focus it and press End): signing is possible after that."}
        </p>
      )}
      {children}
    </ReadState.Provider>
  );
}
