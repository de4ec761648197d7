import "server-only";

import {
  PDFArray,
  PDFDict,
  PDFHexString,
  PDFName,
  PDFOperator,
  PDFOperatorNames,
  PDFRef,
  type PDFDocument,
  type PDFPage,
} from "pdf-lib";

/**
 * The logical structure of a tagged PDF (ISO 32000-1 §14.7–14.8): the
 * headings, paragraphs, lists, tables and figures a screen reader walks,
 * in reading order. Layout attaches each drawing to the element it belongs
 * to; painting wraps those drawings in marked-content sequences and links
 * them back here. Everything drawn without an element is an artifact
 * (rules, frames, page headers and footers).
 */

export type StructRole =
  | "Document"
  | "Sect"
  | "Div"
  | "H1"
  | "H2"
  | "H3"
  | "H4"
  | "P"
  | "L"
  | "LI"
  | "Lbl"
  | "LBody"
  | "Table"
  | "TR"
  | "TH"
  | "TD"
  | "Figure";

type ContentItem = { page: number; mcid: number };

// alt: the text read in place of a figure; scope: which cells a table header heads.
type ElementOptions = { alt?: string; scope?: "Row" | "Column" };

export class StructElement {
  readonly kids: (StructElement | ContentItem)[] = [];

  constructor(
    readonly role: StructRole,
    readonly parent?: StructElement,
    readonly options: ElementOptions = {},
  ) {
    parent?.kids.push(this);
  }

  /** A new child element, after the ones added before it. */
  add(role: StructRole, options: ElementOptions = {}): StructElement {
    return new StructElement(role, this, options);
  }

  /** Whether anything drawn belongs to this element or one below it. */
  get hasContent(): boolean {
    return this.kids.some((kid) => !(kid instanceof StructElement) || kid.hasContent);
  }
}

/** Heading element for a level, 1 being the document's title. */
export function headingRole(level: number): StructRole {
  return `H${Math.min(4, Math.max(1, level))}` as StructRole;
}

// A BDC operand is a property list (a dictionary), which pdf-lib's operand type does not list.
const operator = (name: PDFOperatorNames, ...args: unknown[]) =>
  PDFOperator.of(name, args as Parameters<typeof PDFOperator.of>[1]);

/** Writes one page's marked-content sequences, giving each a marked-content identifier (MCID). */
export class PageMarker {
  /** The element of each MCID on this page, by MCID: the page's entry in the parent tree. */
  readonly parents: StructElement[] = [];
  private open: StructElement | "artifact" | undefined;

  constructor(
    private readonly page: PDFPage,
    private readonly pageIndex: number,
  ) {}

  /** Starts the sequence for `target` (an element, or undefined for an artifact) unless it is already open. */
  mark(target: StructElement | undefined): void {
    const next = target ?? "artifact";
    if (next === this.open) return;
    this.close();
    if (next === "artifact") {
      this.page.pushOperators(operator(PDFOperatorNames.BeginMarkedContent, PDFName.of("Artifact")));
    } else {
      const mcid = this.parents.length;
      this.parents.push(next);
      next.kids.push({ page: this.pageIndex, mcid });
      const properties = this.page.doc.context.obj({ MCID: mcid });
      this.page.pushOperators(operator(PDFOperatorNames.BeginMarkedContentSequence, PDFName.of(next.role), properties));
    }
    this.open = next;
  }

  close(): void {
    if (this.open) this.page.pushOperators(operator(PDFOperatorNames.EndMarkedContent));
    this.open = undefined;
  }
}

/**
 * Writes the structure tree under `root` into the document, with the parent
 * tree that maps each page's MCIDs back to their elements, and marks the
 * document as tagged, in `lang`.
 */
export function writeStructureTree(
  doc: PDFDocument,
  root: StructElement,
  pages: { page: PDFPage; parents: StructElement[] }[],
  lang: string,
): void {
  const { context } = doc;
  const refs = new Map<StructElement, PDFRef>();
  const refOf = (element: StructElement) => {
    let ref = refs.get(element);
    if (!ref) refs.set(element, (ref = context.nextRef()));
    return ref;
  };
  const treeRootRef = context.nextRef();

  const write = (element: StructElement, parentRef: PDFRef) => {
    const kids = element.kids.filter((kid) => !(kid instanceof StructElement) || kid.hasContent);
    const firstPage = kids.find((kid): kid is ContentItem => !(kid instanceof StructElement))?.page;
    const k = context.obj([]);
    for (const kid of kids) {
      if (kid instanceof StructElement) {
        k.push(refOf(kid));
        write(kid, refOf(element));
      } else if (kid.page === firstPage) {
        k.push(context.obj(kid.mcid));
      } else {
        // Content on another page than the element's /Pg names its own page.
        k.push(context.obj({ Type: "MCR", Pg: pages[kid.page].page.ref, MCID: kid.mcid }));
      }
    }
    const dict = context.obj({ Type: "StructElem", S: element.role, P: parentRef, K: k }) as PDFDict;
    if (firstPage !== undefined) dict.set(PDFName.of("Pg"), pages[firstPage].page.ref);
    const { alt, scope } = element.options;
    if (alt) dict.set(PDFName.of("Alt"), PDFHexString.fromText(alt));
    if (scope) dict.set(PDFName.of("A"), context.obj({ O: "Table", Scope: scope }));
    context.assign(refOf(element), dict);
  };
  write(root, treeRootRef);

  const nums: (number | PDFArray)[] = [];
  pages.forEach(({ page, parents }, i) => {
    page.node.set(PDFName.of("StructParents"), context.obj(i));
    // Reading order follows the structure tree, not the order of drawing.
    page.node.set(PDFName.of("Tabs"), PDFName.of("S"));
    nums.push(i, context.obj(parents.map(refOf)));
  });
  const parentTree = context.register(context.obj({ Nums: context.obj(nums) }));
  context.assign(
    treeRootRef,
    context.obj({ Type: "StructTreeRoot", K: refOf(root), ParentTree: parentTree, ParentTreeNextKey: pages.length }),
  );

  doc.catalog.set(PDFName.of("StructTreeRoot"), treeRootRef);
  doc.catalog.set(PDFName.of("MarkInfo"), context.obj({ Marked: true }));
  doc.setLanguage(lang);
}
