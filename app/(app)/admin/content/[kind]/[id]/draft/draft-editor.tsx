"use client";

import { useActionState, useEffect, useMemo, useRef, useState, useTransition, type KeyboardEvent } from "react";

import { Button } from "@/components/ui/button";
import { Alert, inputClass } from "@/components/ui/field";
import type { ContentProblem } from "@/lib/content/load";

import { checkDraft, discardDraft, saveDraft, submitDraft } from "../../../actions";
import { QuestionBankEditor } from "./question-bank-editor";
import { SettingsForm } from "./settings-form";
import { ViewSwitch, type View } from "./view-switch";

type Draft = {
  id: string;
  kind: "course" | "agreement";
  itemId: string;
  files: Record<string, string>;
  updatedAt: string;
};

/** How a file is named in the editor: what it holds, not where it lives. */
function fileLabel(path: string): string {
  if (path.endsWith("/course.yaml")) return "Settings";
  if (path.endsWith("/questions.yaml")) return "Question bank";
  const lesson = path.match(/lessons\/(\d{2})-(.+)\.md$/);
  if (lesson) return `Lesson ${Number(lesson[1])}: ${lesson[2].replace(/-/g, " ")}`;
  return "Text";
}

function fileHelp(path: string, placeholders: string[]): string {
  if (path.endsWith("/course.yaml"))
    return "Title, summary, objectives, pass mark, questions drawn per attempt, attempts, cooldown, validity (12 or 24 months), grace days, due days and who is assigned (assignTo). The version is set when you publish.";
  if (path.endsWith("/questions.yaml"))
    return "At least 15 questions. Each has an id, type (single, multiple or true_false), kind (scenario or recall), prompt, options with the correct ones marked (or answer: true/false) and an explanation.";
  if (path.includes("/lessons/"))
    return "Markdown. The first line is '# Lesson title'; end with a 'Sources:' line naming what it teaches from.";
  return `Front matter (title, audience, renewalMonths, signers, summary) between --- lines, then the text in Markdown. Placeholders: ${placeholders.map((p) => `{{${p}}}`).join(", ")}. The version is set when you publish.`;
}

function sortPaths(paths: string[]): string[] {
  const rank = (p: string) =>
    p.endsWith("/course.yaml") ? 0 : p.includes("/lessons/") ? 1 : p.endsWith("/questions.yaml") ? 2 : 3;
  return [...paths].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function formOf(fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  return form;
}

export function DraftEditor({
  draft,
  initialProblems,
  requireApproval,
  firstVersion,
  placeholders,
}: {
  draft: Draft;
  initialProblems: ContentProblem[];
  requireApproval: boolean;
  firstVersion: boolean;
  placeholders: string[];
}) {
  const [files, setFiles] = useState(draft.files);
  const [saved, setSaved] = useState(draft.files);
  const [updatedAt, setUpdatedAt] = useState(draft.updatedAt);
  const [problems, setProblems] = useState(initialProblems);
  const [active, setActive] = useState(() => sortPaths(Object.keys(draft.files))[0]);
  const [preview, setPreview] = useState<string | null>(null);
  const [message, setMessage] = useState<{ tone: "success" | "error" | "info"; text: string } | null>(null);
  const [saving, startSaving] = useTransition();
  const [checking, setChecking] = useState(false);
  const dirty = useMemo(() => JSON.stringify(files) !== JSON.stringify(saved), [files, saved]);
  const paths = sortPaths(Object.keys(files));
  const isMarkdown = active?.endsWith(".md");
  // Course settings and the question bank open as forms; the YAML stays one tab away.
  const [views, setViews] = useState<Record<string, View>>({});
  const structured =
    draft.kind === "course" && (active?.endsWith("/course.yaml") || active?.endsWith("/questions.yaml"));
  const view: View = structured ? (views[active] ?? "form") : "yaml";
  const checkSeq = useRef(0);

  // Checks the draft as you type (after a pause), and renders the open Markdown file as learners will see it.
  useEffect(() => {
    const seq = ++checkSeq.current;
    const timer = setTimeout(async () => {
      setChecking(true);
      const state = await checkDraft(
        null,
        formOf({ kind: draft.kind, id: draft.itemId, files: JSON.stringify(files), preview: active ?? "" }),
      );
      if (seq !== checkSeq.current) return;
      setChecking(false);
      if (state?.ok && state.data) {
        setProblems(state.data.problems);
        setPreview(state.data.html);
      } else if (state && !state.ok) setMessage({ tone: "error", text: state.error });
    }, 600);
    return () => clearTimeout(timer);
  }, [files, active, draft.kind, draft.itemId]);

  // Unsaved changes are not lost to a closed tab without a warning.
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  function save() {
    startSaving(async () => {
      const state = await saveDraft(
        null,
        formOf({ draftId: draft.id, files: JSON.stringify(files), expectedUpdatedAt: updatedAt }),
      );
      if (state?.ok && state.data) {
        const data = state.data as { updatedAt: string; problems: ContentProblem[] };
        setSaved(files);
        setUpdatedAt(data.updatedAt);
        setProblems(data.problems);
        setMessage({ tone: "success", text: state.message ?? "Saved." });
      } else if (state && !state.ok) setMessage({ tone: "error", text: state.error });
    });
  }

  function addLesson() {
    const name = window.prompt("Name of the new lesson (a few words):");
    if (!name) return;
    const slug =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "")
        .slice(0, 40) || "lesson";
    const count = paths.filter((p) => p.includes("/lessons/")).length;
    const path = `courses/${draft.itemId}/lessons/${String(count + 1).padStart(2, "0")}-${slug}.md`;
    setFiles({ ...files, [path]: `# ${name}\n\nWrite the lesson here.\n\nSources: GDPR Art. 5\n` });
    setActive(path);
  }

  function removeLesson(path: string) {
    if (!window.confirm(`Remove “${fileLabel(path)}” from this draft?`)) return;
    const next = { ...files };
    delete next[path];
    setFiles(next);
    setActive(sortPaths(Object.keys(next))[0]);
  }

  function saveOnCtrlS(event: KeyboardEvent) {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      save();
    }
  }

  const setActiveText = (text: string) => setFiles({ ...files, [active]: text });
  const activeProblems = problems.filter((p) => p.file === active);
  const fileText = active && (
    <>
      <p id="file-help" className="mt-1 text-xs text-slate-600">
        {fileHelp(active, placeholders)}
      </p>
      <textarea
        id="file-text"
        aria-describedby="file-help"
        value={files[active] ?? ""}
        onChange={(event) => setFiles({ ...files, [active]: event.target.value })}
        onKeyDown={saveOnCtrlS}
        spellCheck={isMarkdown}
        rows={28}
        className={`mt-2 font-mono text-xs leading-5 ${inputClass}`}
      />
    </>
  );

  const problemCount = problems.length;
  return (
    <div className="space-y-6">
      {message && <Alert tone={message.tone}>{message.text}</Alert>}
      <div className="grid grid-cols-[minmax(0,1fr)] gap-6 lg:grid-cols-[14rem_minmax(0,1fr)]">
        <nav aria-label="Files of this draft" className="space-y-1">
          {paths.map((path) => {
            const count = problems.filter((p) => p.file === path).length;
            return (
              <button
                key={path}
                type="button"
                onClick={() => setActive(path)}
                aria-current={path === active ? "true" : undefined}
                className={`flex w-full items-center justify-between gap-2 rounded-md px-3 py-2 text-left text-sm ${path === active ? "bg-brand-50 font-medium text-brand-800" : "text-slate-700 hover:bg-slate-100"}`}
              >
                <span className="truncate">{fileLabel(path)}</span>
                {count > 0 && (
                  <span className="rounded-full bg-red-100 px-2 text-xs text-red-800">
                    {count}
                    <span className="sr-only"> {count === 1 ? "problem" : "problems"}</span>
                  </span>
                )}
                {files[path] !== saved[path] && (
                  <span className="text-xs text-amber-700" title="Changed since saved">
                    ●<span className="sr-only"> unsaved</span>
                  </span>
                )}
              </button>
            );
          })}
          {draft.kind === "course" &&
            !/^package:/m.test(files[`courses/${draft.itemId}/course.yaml`] ?? "") &&
            paths.filter((p) => p.includes("/lessons/")).length < 6 && (
            <button
              type="button"
              onClick={addLesson}
              className="w-full rounded-md px-3 py-2 text-left text-sm font-medium text-brand-700 hover:bg-slate-100"
            >
              + Add a lesson
            </button>
          )}
        </nav>

        <div className="min-w-0 space-y-4">
          {active && (
            <div className={`grid grid-cols-[minmax(0,1fr)] gap-4 ${isMarkdown ? "xl:grid-cols-2" : ""}`}>
              <div>
                <div className="flex flex-wrap items-end justify-between gap-2">
                  {view === "yaml" ? (
                    <label htmlFor="file-text" className="block text-sm font-medium text-slate-800">
                      {fileLabel(active)} <code className="ml-1 text-xs font-normal text-slate-500">{active}</code>
                    </label>
                  ) : (
                    <h2 className="text-sm font-medium text-slate-800">
                      {fileLabel(active)} <code className="ml-1 text-xs font-normal text-slate-500">{active}</code>
                    </h2>
                  )}
                  {active.includes("/lessons/") && paths.filter((p) => p.includes("/lessons/")).length > 1 && (
                    <button
                      type="button"
                      onClick={() => removeLesson(active)}
                      className="text-sm text-red-700 underline underline-offset-2"
                    >
                      Remove this lesson
                    </button>
                  )}
                </div>
                {structured ? (
                  <ViewSwitch view={view} onChange={(next) => setViews({ ...views, [active]: next })}>
                    {view === "yaml" ? (
                      fileText
                    ) : (
                      <div onKeyDown={saveOnCtrlS}>
                        {active.endsWith("/course.yaml") ? (
                          <SettingsForm text={files[active] ?? ""} onChange={setActiveText} problems={activeProblems} />
                        ) : (
                          <QuestionBankEditor
                            text={files[active] ?? ""}
                            onChange={setActiveText}
                            problems={activeProblems}
                          />
                        )}
                      </div>
                    )}
                  </ViewSwitch>
                ) : (
                  fileText
                )}
              </div>
              {isMarkdown && (
                <section aria-labelledby="preview-heading" className="min-w-0">
                  <h2 id="preview-heading" className="text-sm font-medium text-slate-800">
                    Preview, as people will see it
                  </h2>
                  <div
                    tabIndex={0}
                    aria-live="polite"
                    className="prose-content mt-2 max-h-[42rem] max-w-none overflow-y-auto rounded-md border border-slate-200 bg-white p-4"
                  >
                    {preview === null ? (
                      <p className="text-slate-500">Rendering…</p>
                    ) : (
                      <div dangerouslySetInnerHTML={{ __html: preview }} />
                    )}
                  </div>
                </section>
              )}
            </div>
          )}

          <section aria-labelledby="problems-heading" className="rounded-md border border-slate-200 bg-white p-4">
            <h2 id="problems-heading" className="text-sm font-medium text-slate-800">
              {checking
                ? "Checking…"
                : problemCount === 0
                  ? "No problems: ready to publish"
                  : `${problemCount} ${problemCount === 1 ? "problem" : "problems"} to fix before publishing`}
            </h2>
            {problemCount > 0 && (
              <ul className="mt-2 space-y-1 text-sm" aria-live="polite">
                {problems.slice(0, 50).map((p, i) => (
                  <li key={i}>
                    <button
                      type="button"
                      onClick={() => paths.includes(p.file) && setActive(p.file)}
                      className="text-left text-red-800 underline-offset-2 hover:underline"
                    >
                      {fileLabel(p.file)}
                      {p.line ? `, line ${p.line}` : ""} — {p.field === "(file)" ? "" : `${p.field}: `}
                      {p.problem}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </section>

          <div className="flex flex-wrap items-center gap-3">
            <Button type="button" onClick={save} disabled={saving || !dirty}>
              {saving ? "Saving…" : dirty ? "Save draft" : "Saved"}
            </Button>
            <span className="text-xs text-slate-500">Ctrl+S saves.</span>
          </div>
        </div>
      </div>

      <SubmitForm
        draft={draft}
        blocked={dirty ? "Save your changes first." : problemCount > 0 ? "Fix the problems above first." : null}
        requireApproval={requireApproval}
        firstVersion={firstVersion}
      />
      <DiscardForm draft={draft} />
    </div>
  );
}

function SubmitForm({
  draft,
  blocked,
  requireApproval,
  firstVersion,
}: {
  draft: Draft;
  blocked: string | null;
  requireApproval: boolean;
  firstVersion: boolean;
}) {
  const [state, formAction, pending] = useActionState(submitDraft, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form
      action={formAction}
      className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
      aria-labelledby="publish-heading"
    >
      <h2 id="publish-heading" className="text-base font-semibold text-slate-900">
        {requireApproval ? "Submit for approval" : "Publish"}
      </h2>
      <input type="hidden" name="draftId" value={draft.id} />
      <input type="hidden" name="kind" value={draft.kind} />
      <input type="hidden" name="id" value={draft.itemId} />
      {firstVersion ? (
        <>
          <input type="hidden" name="change" value="major" />
          <p className="text-sm text-slate-700">This is the first version: it is published as 1.0.0.</p>
        </>
      ) : (
        <fieldset>
          <legend className="text-sm font-medium text-slate-800">What kind of change is this?</legend>
          <div className="mt-2 space-y-2">
            <label className="flex items-start gap-2 text-sm">
              <input type="radio" name="change" value="minor" defaultChecked className="mt-1" />
              <span>
                <span className="font-medium">Minor</span> — wording, corrections, clarifications. Nothing is asked of
                people again.
              </span>
            </label>
            <label className="flex items-start gap-2 text-sm">
              <input type="radio" name="change" value="major" className="mt-1" />
              <span>
                <span className="font-medium">Major</span> —{" "}
                {draft.kind === "course"
                  ? "what people must know has changed. Everyone certified must recertify: earlier certifications stop counting after the course's grace period, and people are assigned the new version."
                  : "what people agree to has changed. Everyone must sign again; earlier signatures no longer satisfy access roles that require this agreement."}
              </span>
            </label>
          </div>
          {errors?.change && <p className="mt-1 text-sm text-red-700">{errors.change[0]}</p>}
        </fieldset>
      )}
      <div>
        <label htmlFor="submit-note" className="block text-sm font-medium text-slate-800">
          What changed (kept with the version)
        </label>
        <textarea id="submit-note" name="note" rows={2} maxLength={2000} className={`mt-1 ${inputClass}`} />
      </div>
      {state && !state.ok && <Alert>{state.error}</Alert>}
      {blocked && <p className="text-sm text-slate-600">{blocked}</p>}
      <Button type="submit" disabled={pending || blocked !== null}>
        {pending ? "Working…" : requireApproval ? "Submit for approval" : "Publish now"}
      </Button>
    </form>
  );
}

function DiscardForm({ draft }: { draft: Draft }) {
  const [state, formAction, pending] = useActionState(discardDraft, null);
  return (
    <form
      action={formAction}
      onSubmit={(event) => {
        if (!window.confirm("Discard this draft? It is kept in the history but can no longer be edited."))
          event.preventDefault();
      }}
      className="flex flex-wrap items-center gap-3"
    >
      <input type="hidden" name="draftId" value={draft.id} />
      <input type="hidden" name="kind" value={draft.kind} />
      <input type="hidden" name="id" value={draft.itemId} />
      <Button type="submit" variant="ghost" disabled={pending}>
        {pending ? "Discarding…" : "Discard draft"}
      </Button>
      {state && !state.ok && (
        <p role="alert" className="text-sm text-red-700">
          {state.error}
        </p>
      )}
    </form>
  );
}
