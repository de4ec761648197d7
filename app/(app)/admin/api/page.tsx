import type { Metadata } from "next";

import { Badge } from "@/components/ui/badge";
import { Card, PageHeader } from "@/components/ui/card";
import { Table } from "@/components/ui/table";
import { listApiClients } from "@/lib/access/api-clients";
import { API_SCOPES, DEFAULT_RATE_LIMIT_PER_MINUTE } from "@/lib/access/openapi";
import { requireViewer } from "@/lib/auth/gate";
import { formatDateTime } from "@/lib/format";
import { departmentOptions } from "@/lib/people/person-editor";
import { listGroupMappings } from "@/lib/scim/group-mappings";

import { ApiTabs } from "./api-tabs";
import { CreateClientForm } from "./create-client-form";
import { GroupMappings } from "./group-mappings";
import { RevokeClientButton } from "./revoke-client-button";

export const metadata: Metadata = { title: "API" };

export default async function ApiPage() {
  const viewer = await requireViewer("page:/admin/api");
  const clients = await listApiClients(viewer);
  const [mappings, departments] = await Promise.all([listGroupMappings(viewer), departmentOptions()]);
  const scimClients = clients
    .filter((c) => !c.revokedAt && c.scopes.includes("scim"))
    .map((c) => ({ id: c.id, name: c.name }));
  return (
    <>
      <PageHeader
        title="API"
        description="Other systems ask Clearance whether a person may hold a data-access role, list who holds a role and report data operations. Give each system its own client, with only the scopes it needs."
      />
      <ApiTabs />
      <div className="space-y-6">
        <Card title="New API client" description="The token is shown once, right after it is created.">
          <CreateClientForm
            scopes={Object.entries(API_SCOPES).map(([id, description]) => ({ id, description }))}
            defaultRateLimit={DEFAULT_RATE_LIMIT_PER_MINUTE}
          />
        </Card>
        <Card
          title="API clients"
          description="Revoking a client refuses its token at once. Revoked clients stay listed for the record."
        >
          <Table
            caption="API clients"
            hideCaption
            columns={[
              {
                header: "Name",
                rowHeader: true,
                cell: (c) => (
                  <>
                    {c.name}
                    <span className="block text-xs font-normal text-slate-500">
                      {c.rateLimitPerMinute.toLocaleString("en-GB")} requests/min
                    </span>
                  </>
                ),
              },
              {
                header: "Scopes",
                cell: (c) => (
                  <ul className="flex flex-wrap gap-1" aria-label={`Scopes of ${c.name}`}>
                    {c.scopes.map((s) => (
                      <li key={s}>
                        <code className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-800">{s}</code>
                      </li>
                    ))}
                  </ul>
                ),
              },
              {
                header: "Token",
                cell: (c) => <code className="text-xs text-slate-700">{c.tokenPrefix}…</code>,
              },
              {
                header: "Created",
                className: "whitespace-nowrap text-slate-700",
                cell: (c) => formatDateTime(c.createdAt),
              },
              {
                header: "Last used",
                className: "whitespace-nowrap text-slate-700",
                cell: (c) => (c.lastUsedAt ? formatDateTime(c.lastUsedAt) : "Never"),
              },
              {
                header: "Status",
                cell: (c) =>
                  c.revokedAt ? (
                    <>
                      <Badge tone="neutral">Revoked</Badge>
                      <span className="mt-1 block text-xs whitespace-nowrap text-slate-500">
                        {formatDateTime(c.revokedAt)}
                      </span>
                    </>
                  ) : (
                    <Badge tone="success">Active</Badge>
                  ),
              },
              {
                header: <span className="sr-only">Actions</span>,
                cell: (c) => !c.revokedAt && <RevokeClientButton id={c.id} name={c.name} />,
              },
            ]}
            rows={clients}
            rowKey={(c) => c.id}
            rowAttributes={(c) => ({ "data-client": c.name })}
            empty="No API clients yet"
            emptyDetail="Create one for each system that asks Clearance for access decisions or reports data operations."
          />
        </Card>
        <Card
          title="SCIM group mappings"
          description="Members of a mapped group hold the role or belong to the department; leaving the group removes a mapped role. Groups without a mapping change nothing."
        >
          <GroupMappings clients={scimClients} departments={departments} mappings={mappings} />
        </Card>
      </div>
    </>
  );
}
