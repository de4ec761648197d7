import type { Metadata } from "next";

import { PageHeader } from "@/components/ui/card";
import { openApiDocument } from "@/lib/access/openapi";
import { requireViewer } from "@/lib/auth/gate";
import { env } from "@/lib/env";

import { ApiReference } from "../api-reference";
import { ApiTabs } from "../api-tabs";
import type { OpenApiDoc } from "../openapi-view";

export const metadata: Metadata = { title: "API reference" };

export default async function ApiReferencePage() {
  await requireViewer("page:/admin/api/reference");
  return (
    <>
      <PageHeader
        title="API reference"
        description="What other systems can ask Clearance, generated from the same schemas that validate every request."
      />
      <ApiTabs />
      <ApiReference doc={openApiDocument() as unknown as OpenApiDoc} baseUrl={env().APP_URL.replace(/\/$/, "")} />
    </>
  );
}
