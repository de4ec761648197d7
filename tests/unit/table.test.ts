import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";

import { Table, type Column } from "@/components/ui/table";

type Course = { id: string; title: string; required: number };

const courses: Course[] = [
  { id: "law", title: "Data-protection law", required: 1200 },
  { id: "nda", title: "Confidentiality", required: 35 },
];

const columns: (Column<Course> | false)[] = [
  { header: "Course", cell: (c) => c.title, rowHeader: true, sort: "title" },
  { header: "Required", cell: (c) => c.required.toLocaleString("en"), numeric: true, sort: "required" },
  false,
  { header: "Notes", cell: () => "—" },
];

function render(props: Partial<Parameters<typeof Table<Course>>[0]> = {}): string {
  return renderToStaticMarkup(
    createElement(Table<Course>, {
      caption: "Completion by course",
      columns,
      rows: courses,
      rowKey: (c) => c.id,
      empty: "No courses yet",
      ...props,
    }),
  );
}

/** The opening tags of `tag` elements, in order. */
const tags = (html: string, tag: string) => html.match(new RegExp(`<${tag}[\\s>][^>]*>?`, "g")) ?? [];

describe("Table", () => {
  it("names the table and its focusable scroll region by the caption", () => {
    const html = render();
    const id = /<caption id="([^"]+)"/.exec(html)?.[1];
    expect(id).toBeTruthy();
    expect(html).toContain(`>Completion by course</caption>`);
    expect(html).toMatch(new RegExp(`<div role="region" aria-labelledby="${id}" tabindex="0"`));
    expect(html).not.toContain('class="sr-only"');
  });

  it("hides the caption from sight, never from screen readers, and can name the region itself", () => {
    const html = render({ hideCaption: true, regionLabel: "Courses" });
    expect(html).toMatch(/<caption id="[^"]+" class="sr-only">Completion by course<\/caption>/);
    expect(html).toContain('<div role="region" aria-label="Courses" tabindex="0"');
    expect(html).not.toContain("aria-labelledby");
  });

  it("gives every column header scope=col and the row header scope=row, and leaves out false columns", () => {
    const html = render();
    const headers = tags(html, "th");
    expect(headers.filter((t) => t.includes('scope="col"'))).toHaveLength(3);
    expect(headers.filter((t) => t.includes('scope="row"'))).toHaveLength(courses.length);
    expect(html).toContain('<th scope="row">Data-protection law</th>');
    expect(tags(html, "tr")).toHaveLength(1 + courses.length);
  });

  it("aligns numeric columns, header and cells alike", () => {
    const html = render();
    expect(html).toContain('<th scope="col" class="num">Required</th>');
    expect(html).toContain('<td class="num">1,200</td>');
  });

  it("marks the sorted column with aria-sort and links each sortable header to its order", () => {
    const html = render({
      sorting: {
        pathname: "/courses",
        by: "required",
        dir: "desc",
        reversible: true,
        queryFor: (sort, dir) => ({ q: "x", sort, dir }),
      },
    });
    const sorted = tags(html, "th").filter((t) => t.includes("aria-sort"));
    expect(sorted).toEqual(['<th scope="col" class="num" aria-sort="descending">']);
    // The sorted column turns around; another column starts ascending.
    expect(html).toContain('href="/courses?q=x&amp;sort=required&amp;dir=asc"');
    expect(html).toContain('href="/courses?q=x&amp;sort=title&amp;dir=asc"');
    // The arrow is a picture only: the header's text stays its name.
    expect(html).toMatch(/>Required<svg aria-hidden="true"/);
    // Columns without a sort key stay plain.
    expect(html).toContain('<th scope="col">Notes</th>');
  });

  it("keeps the same order on a page that sorts one way only", () => {
    // The default order leaves the query empty: the link still leads to the page.
    const html = render({
      sorting: {
        pathname: "/courses",
        by: "title",
        queryFor: (sort): Record<string, string> => (sort === "title" ? {} : { sort }),
      },
    });
    expect(tags(html, "th").filter((t) => t.includes("aria-sort"))).toEqual(['<th scope="col" aria-sort="ascending">']);
    expect(html).toContain('href="/courses"');
    expect(html).toContain('href="/courses?sort=required"');
  });

  it("says so in one full-width row when there are no rows", () => {
    const html = render({ rows: [], emptyDetail: "Add one above." });
    expect(tags(html, "tr")).toHaveLength(2);
    // HTML attribute names are case-insensitive; React writes this one as colSpan.
    expect(html).toMatch(/<td colspan="3" class="py-8 text-center">/i);
    expect(html).toContain("No courses yet</p>");
    expect(html).toContain("Add one above.</div>");
    expect(tags(html, "th").filter((t) => t.includes('scope="col"'))).toHaveLength(3);
  });

  it("passes a row's data attributes and tone, and shows pagination under the table", () => {
    const html = render({
      rowAttributes: (c) => ({ "data-course": c.id, tone: c.required > 100 ? "danger" : undefined }),
      pagination: { page: 2, pageCount: 3, queryFor: (page) => ({ page: String(page) }), nextLabel: "Older" },
    });
    expect(html).toContain('<tr data-tone="danger" data-course="law">');
    expect(html).toContain('<tr data-course="nda">');
    expect(html.indexOf("</table>")).toBeLessThan(html.indexOf('<nav aria-label="Pagination"'));
    expect(html).toContain("Page 2 of 3");
    expect(html).toContain(">Previous page</a>");
    expect(html).toContain(">Older</a>");
  });
});
