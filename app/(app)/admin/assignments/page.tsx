import type { Metadata } from "next";

import { Badge } from "@/components/ui/badge";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/gate";
import { getContent } from "@/lib/content";
import { formatDate, isoDateInDays } from "@/lib/format";
import { recentManualAssignments } from "@/lib/training/assignments";

import { AssignForm } from "./assign-form";

export const metadata: Metadata = { title: "Assign courses" };

export default async function AssignmentsPage() {
  const viewer = await requireViewer("page:/admin/assignments");
  const { courses } = getContent();
  const recent = await recentManualAssignments(viewer);
  const titles = new Map(courses.map((c) => [c.id, c.title]));
  const defaultDue = isoDateInDays(30);
  return (
    <>
      <PageHeader
        title="Assign courses"
        description="Courses are assigned automatically from their rules (everyone, departments, roles) and renewed before certifications expire. Assign by hand for anything else."
      />
      <div className="space-y-6">
        <Card title="Assign a course">
          <AssignForm courses={courses.map((c) => ({ id: c.id, title: c.title }))} defaultDue={defaultDue} />
        </Card>
        <Card title="Recent manual assignments">
          {recent.length === 0 ? (
            <EmptyState title="No manual assignments yet" />
          ) : (
            <table className="w-full text-left text-sm">
              <thead className="border-b border-slate-200 text-xs text-slate-500 uppercase">
                <tr>
                  <th scope="col" className="py-2 pr-3">
                    Person
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Course
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Assigned
                  </th>
                  <th scope="col" className="py-2 pr-3">
                    Due
                  </th>
                  <th scope="col" className="py-2">
                    Status
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {recent.map((a) => (
                  <tr key={a.id}>
                    <td className="py-2 pr-3">
                      {a.name}
                      <span className="block text-xs text-slate-500">{a.email}</span>
                    </td>
                    <td className="py-2 pr-3">{titles.get(a.courseId) ?? a.courseId}</td>
                    <td className="py-2 pr-3">{formatDate(a.assignedAt)}</td>
                    <td className="py-2 pr-3">{formatDate(a.dueAt)}</td>
                    <td className="py-2">
                      {a.completedAt ? <Badge tone="success">Completed</Badge> : <Badge>Open</Badge>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Card>
      </div>
    </>
  );
}
