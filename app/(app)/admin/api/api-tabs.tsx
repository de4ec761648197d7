import { NavLinks } from "@/components/nav-links";

/** The two halves of the API area: managing clients, and reading the reference. */
export function ApiTabs() {
  return (
    <nav aria-label="API" className="mb-6">
      <NavLinks
        items={[
          { href: "/admin/api", label: "API clients" },
          { href: "/admin/api/reference", label: "API reference" },
        ]}
      />
    </nav>
  );
}
