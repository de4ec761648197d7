"use client";

import { useActionState } from "react";
import { Button } from "@/components/ui/button";
import { Alert, Field, inputClass } from "@/components/ui/field";
import { assignCourse } from "./actions";

export function AssignForm({ courses, people, defaultDue }: { courses: { id: string; title: string }[]; people: { email: string; name: string }[]; defaultDue: string }) {
  const [state, formAction, pending] = useActionState(assignCourse, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <form action={formAction} className="grid gap-4 sm:grid-cols-2">
      {state?.ok && <div className="sm:col-span-2"><Alert tone="success">{state.message}</Alert></div>}
      {state && !state.ok && <div className="sm:col-span-2"><Alert>{state.error}</Alert></div>}
      <Field label="Person (work email)" name="email" type="email" list="people-directory" required error={errors?.email?.[0]} autoComplete="off" />
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
        <select id="assign-course" name="courseId" required className={`mt-1 ${inputClass}`} aria-invalid={errors?.courseId ? true : undefined}>
          {courses.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
        </select>
      </div>
      <Field label="Due date" name="dueDate" type="date" defaultValue={defaultDue} required error={errors?.dueDate?.[0]} />
      <div className="flex items-end">
        <Button type="submit" disabled={pending}>
          {pending ? "Assigning…" : "Assign course"}
        </Button>
      </div>
    </form>
  );
}
