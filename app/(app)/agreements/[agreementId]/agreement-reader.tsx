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
  pdf,
  children,
}: {
  html: string;
  mustRead: boolean;
  initiallyRead: boolean;
  agreementId: string;
  ceremonyId: string;
  /** The policy PDF people sign, when the agreement's document is one: opening it counts as reading it. */
  pdf?: { href: string; label: string };
  children: ReactNode;
}) {
  const [read, setRead] = useState(!mustRead || initiallyRead);
  const [failed, setFailed] = useState(false);
  const box = useRef<HTMLElement>(null);
  const end = useRef<HTMLDivElement>(null);

  function recordRead() {
    const form = new FormData();
    form.set("agreementId", agreementId);
    form.set("ceremonyId", ceremonyId);
    void markAgreementRead(null, form).then((state) => (state?.ok ? setRead(true) : setFailed(true)));
  }

  useEffect(() => {
    if (pdf || read || !box.current || !end.current) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        observer.disconnect();
        recordRead();
      },
      { root: box.current, threshold: 1 },
    );
    observer.observe(end.current);
    return () => observer.disconnect();
    // recordRead only reads the ids, which are in the list.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pdf, read, agreementId, ceremonyId]);

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
      {pdf && (
        <p className="mt-3">
          <a
            href={pdf.href}
            target="_blank"
            rel="noopener"
            onClick={() => mustRead && !read && recordRead()}
            className="inline-flex items-center gap-2 rounded-md border border-brand-600 bg-white px-4 py-2 text-sm font-medium text-brand-700 shadow-sm hover:bg-brand-50"
          >
            {pdf.label}
            <span className="sr-only"> (opens in a new tab)</span>
          </a>
        </p>
      )}
      {mustRead && (
        <p id="read-status" role="status" className={`mt-2 text-sm ${read ? "text-emerald-700" : "text-slate-600"}`}>
          {read
            ? pdf
              ? "You have opened the policy document."
              : "You have read to the end."
            : failed
              ? "Your reading could not be recorded. Reload the page and read to the end again."
              : pdf
                ? "Open the policy document first: signing is possible after that."
                : "Read to the end of the text (scroll the box, or focus it and press End): signing is possible after that."}
        </p>
      )}
      {children}
    </ReadState.Provider>
  );
}
