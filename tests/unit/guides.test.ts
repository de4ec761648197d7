import { afterEach, describe, expect, it, vi } from "vitest";

import { loadContent } from "@/lib/content/load";
import { renderMarkdown } from "@/lib/content/markdown";
import { fillOrganisationName, organisationName, publicUrl } from "@/lib/content/organisation";

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("public pages: organisation name and URLs", () => {
  it("fills every {{organisation.name}} in the privacy notice", () => {
    const notice = loadContent().privacyNotice!;
    expect(notice.body).toContain("{{organisation.name}}");
    const filled = fillOrganisationName(renderMarkdown(notice.body), "Acme Support");
    expect(filled).not.toMatch(/\{\{/);
    expect(filled.match(/Acme Support/g)!.length).toBe(notice.body.match(/\{\{\s*organisation\.name\s*\}\}/g)!.length);
  });

  it("keeps the name as text even when it looks like Markdown or HTML", () => {
    const html = fillOrganisationName(
      renderMarkdown("Run by **{{ organisation.name }}**."),
      "*Ace* [Data](https://evil.example) <b>Ltd</b> $& Co",
    );
    expect(html).toBe(
      "<p>Run by <strong>*Ace* [Data](https://evil.example) &lt;b&gt;Ltd&lt;/b&gt; $&amp; Co</strong>.</p>\n",
    );
  });

  it("reads the organisation name without needing the production secrets", () => {
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("NEXTAUTH_SECRET", "");
    vi.stubEnv("ORG_NAME", "  Northwind Help  ");
    expect(organisationName()).toBe("Northwind Help");
    vi.stubEnv("ORG_NAME", "");
    expect(organisationName()).toBe("Brightline Support");
  });

  it("builds absolute URLs from APP_URL, then NEXTAUTH_URL, then localhost", () => {
    vi.stubEnv("APP_URL", "https://clearance.example.com/");
    vi.stubEnv("NEXTAUTH_URL", "https://auth.example.com");
    expect(publicUrl("/guides/strong-passwords")).toBe("https://clearance.example.com/guides/strong-passwords");
    expect(publicUrl("/")).toBe("https://clearance.example.com/");
    vi.stubEnv("APP_URL", "");
    expect(publicUrl("guides")).toBe("https://auth.example.com/guides");
    vi.stubEnv("NEXTAUTH_URL", "");
    expect(publicUrl("/privacy")).toBe("http://localhost:3000/privacy");
  });
});
