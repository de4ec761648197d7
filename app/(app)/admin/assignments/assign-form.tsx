"use client";

import { useActionState, useEffect, useState } from "react";

import { Button } from "@/components/ui/button";
import { Alert, Field, inputClass } from "@/components/ui/field";

import { assignCourse } from "./actions";

type Suggestion = { email: string; name: string };

/** Active people matching what the admin has typed, asked for as they type (a short pause first). */
function useSuggestions(query: string): Suggestion[] {
  const [suggestions, setSuggestions] = useState<Suggestion[]>([]);
  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      fetch(`/admin/assignments/people?q=${encodeURIComponent(q)}`, { signal: controller.signal })
        .then((r) => (r.ok ? r.json() : { people: [] }))
        .then((body: { people: Suggestion[] }) => setSuggestions(body.people))
        // Suggestions are a convenience: typing the full address still works.
        .catch(() => {});
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [query]);
  return query.trim().length < 2 ? [] : suggestions;
}

export function AssignForm({ courses, defaultDue }: { courses: { id: string; title: string }[]; defaultDue: string }) {
  const [state, formAction, pending] = useActionState(assignCourse, null);
  const [query, setQuery] = useState("");
  const people = useSuggestions(query);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={formAction} className="grid gap-4 sm:grid-cols-2">
      {state?.ok && (
        <div className="sm:col-span-2">
          <Alert tone="success">{state.message}</Alert>
        </div>
      )}
      {state && !state.ok && (
        <div className="sm:col-span-2">
          <Alert>{state.error}</Alert>
        </div>
      )}
      <Field
        label="Person (work email)"
        name="email"
        type="email"
        list="people-directory"
        required
        error={errors?.email?.[0]}
        hint="Type a name or an address; matching people are suggested."
        autoComplete="off"
        onChange={(e) => setQuery(e.target.value)}
      />
      <datalist id="people-directory">
        {people.map((p) => (
          <option key={p.email} value={p.email}>
            {p.name}
          </option>
        ))}
      </datalist>
      <div>
        <label htmlFor="assign-course" className="block text-sm font-medium text-slate-800">
          Course
        </label>
        <select
          id="assign-course"
          name="courseId"
          required
          className={`mt-1 ${inputClass}`}
          aria-invalid={errors?.courseId ? true : undefined}
        >
          {courses.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
        </select>
      </div>
      <Field
        label="Due date"
        name="dueDate"
        type="date"
        defaultValue={defaultDue}
        required
        error={errors?.dueDate?.[0]}
      />
      <div className="flex items-end">
        <Button type="submit" disabled={pending}>
          {pending ? "Assigning…" : "Assign course"}
        </Button>
      </div>
    </form>
  );
}
