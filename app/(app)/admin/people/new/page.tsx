import type { Metadata } from "next";
import Link from "next/link";

import { Card, PageHeader } from "@/components/ui/card";
import { requireViewer } from "@/lib/auth/gate";
import { departmentOptions, managerOptions } from "@/lib/people/person-editor";

import { PersonForm } from "../person-form";

export const metadata: Metadata = { title: "Add a person" };

export default async function NewPersonPage() {
  const viewer = await requireViewer("page:/admin/people/new");
  const [departments, managers] = await Promise.all([departmentOptions(), managerOptions(viewer)]);
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm text-slate-500">
        <Link href="/admin/people" className="hover:underline">
          People
        </Link>{" "}
        / add
      </nav>
      <PageHeader
        title="Add a person"
        description="They are emailed a link to choose a password; it works once and expires after 7 days. Their training is assigned from their department and roles."
      />
      <Card>
        <PersonForm departments={departments} managers={managers} />
      </Card>
    </>
  );
}
