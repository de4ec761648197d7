import type { Metadata } from "next";

import { Badge } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
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
          <Table
            caption="Recent manual assignments"
            hideCaption
            columns={[
              {
                header: "Person",
                cell: (a) => (
                  <>
                    {a.name}
                    <span className="block text-xs text-slate-500">{a.email}</span>
                  </>
                ),
              },
              { header: "Course", cell: (a) => titles.get(a.courseId) ?? a.courseId },
              { header: "Assigned", cell: (a) => formatDate(a.assignedAt) },
              { header: "Due", cell: (a) => formatDate(a.dueAt) },
              {
                header: "Status",
                cell: (a) => (a.completedAt ? <Badge tone="success">Completed</Badge> : <Badge>Open</Badge>),
              },
            ]}
            rows={recent}
            rowKey={(a) => a.id}
            empty="No manual assignments yet"
          />
        </Card>
      </div>
    </>
  );
}
