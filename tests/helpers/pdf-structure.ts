import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFRef,
  PDFString,
  type PDFObject,
} from "pdf-lib";

/**
 * A tagged PDF as a screen reader meets it, read with pdf-lib: the catalog's
 * accessibility entries, the structure tree, and the marked content on each
 * page, so tests can check the two agree.
 */

export type StructNode = {
  role: string;
  alt?: string;
  scope?: string;
  children: StructNode[];
  /** Marked-content items of this element: page index and MCID. */
  content: { page: number; mcid: number }[];
};

export type TaggedPdf = {
  marked: boolean;
  lang?: string;
  displayDocTitle: boolean;
  title?: string;
  root?: StructNode;
  /** Every MCID each page's content streams open (BDC … <</MCID n>>), by page index. */
  pageMcids: number[][];
  /** Page index → MCID → role of the element the parent tree names. */
  parentTree: Map<number, Map<number, string>>;
  /** Text-showing operators outside any marked content (neither tagged nor an artifact). */
  untaggedText: number;
};

const text = (value: PDFObject | undefined) =>
  value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined;

function contentOf(doc: PDFDocument, page: PDFDict): string {
  const contents = page.lookup(PDFName.of("Contents"));
  const streams = contents instanceof PDFArray ? contents.asArray().map((r) => doc.context.lookup(r)) : [contents];
  return streams.map((s) => Buffer.from(decodePDFRawStream(s as PDFRawStream).decode()).toString("latin1")).join("\n");
}

/** MCIDs opened on a page, and how many text-showing operators sit outside any marked content. */
function scanContent(content: string): { mcids: number[]; untaggedText: number } {
  const mcids: number[] = [];
  let depth = 0;
  let untaggedText = 0;
  // Tokens that matter here: marked-content operators, their MCID, and text-showing operators.
  const tokens = content.matchAll(/\/MCID\s+(\d+)|\b(BDC|BMC|EMC|Tj|TJ)\b/g);
  for (const [, mcid, op] of tokens) {
    if (mcid !== undefined) mcids.push(Number(mcid));
    else if (op === "BDC" || op === "BMC") depth++;
    else if (op === "EMC") depth--;
    else if (depth === 0) untaggedText++;
  }
  return { mcids, untaggedText };
}

export async function readTaggedPdf(bytes: Uint8Array): Promise<TaggedPdf> {
  const doc = await PDFDocument.load(bytes, { updateMetadata: false });
  const { catalog, context } = doc;
  const pages = doc.getPages();
  const pageIndex = new Map(pages.map((p, i) => [p.ref.toString(), i]));

  const markInfo = catalog.lookupMaybe(PDFName.of("MarkInfo"), PDFDict);
  const prefs = catalog.lookupMaybe(PDFName.of("ViewerPreferences"), PDFDict);
  const info = context.lookup(context.trailerInfo.Info) as PDFDict | undefined;

  const walk = (dict: PDFDict, inheritedPage?: number): StructNode => {
    const pg = dict.get(PDFName.of("Pg"));
    const page = pg instanceof PDFRef ? pageIndex.get(pg.toString()) : inheritedPage;
    const attributes = dict.lookupMaybe(PDFName.of("A"), PDFDict);
    const node: StructNode = {
      role: dict.lookup(PDFName.of("S"), PDFName).decodeText(),
      alt: text(dict.lookup(PDFName.of("Alt"))),
      scope: attributes?.lookupMaybe(PDFName.of("Scope"), PDFName)?.decodeText(),
      children: [],
      content: [],
    };
    const k = dict.get(PDFName.of("K"));
    const kids = k instanceof PDFArray ? k.asArray() : k ? [k] : [];
    for (const kid of kids) {
      const value = kid instanceof PDFRef ? context.lookup(kid) : kid;
      if (value instanceof PDFNumber) node.content.push({ page: page!, mcid: value.asNumber() });
      else if (value instanceof PDFDict && value.lookupMaybe(PDFName.of("Type"), PDFName)?.decodeText() === "MCR") {
        const mcrPage = pageIndex.get(value.get(PDFName.of("Pg"))!.toString())!;
        node.content.push({ page: mcrPage, mcid: value.lookup(PDFName.of("MCID"), PDFNumber).asNumber() });
      } else if (value instanceof PDFDict) node.children.push(walk(value, page));
    }
    return node;
  };

  const treeRoot = catalog.lookupMaybe(PDFName.of("StructTreeRoot"), PDFDict);
  let root: StructNode | undefined;
  const parentTree = new Map<number, Map<number, string>>();
  if (treeRoot) {
    const top = treeRoot.lookup(PDFName.of("K"));
    root = walk((top instanceof PDFArray ? top.lookup(0) : top) as PDFDict);
    const nums = treeRoot.lookup(PDFName.of("ParentTree"), PDFDict).lookup(PDFName.of("Nums"), PDFArray);
    const byKey = new Map<number, PDFArray>();
    for (let i = 0; i < nums.size(); i += 2)
      byKey.set(nums.lookup(i, PDFNumber).asNumber(), nums.lookup(i + 1, PDFArray));
    pages.forEach((page, i) => {
      const key = page.node.lookupMaybe(PDFName.of("StructParents"), PDFNumber)?.asNumber();
      const parents = key === undefined ? undefined : byKey.get(key);
      const byMcid = new Map<number, string>();
      parents?.asArray().forEach((ref, mcid) => {
        const element = context.lookup(ref) as PDFDict;
        byMcid.set(mcid, element.lookup(PDFName.of("S"), PDFName).decodeText());
      });
      parentTree.set(i, byMcid);
    });
  }

  const scans = pages.map((page) => scanContent(contentOf(doc, page.node)));
  return {
    marked: markInfo?.get(PDFName.of("Marked"))?.toString() === "true",
    lang: text(catalog.lookup(PDFName.of("Lang"))),
    displayDocTitle: prefs?.get(PDFName.of("DisplayDocTitle"))?.toString() === "true",
    title: text(info?.lookup(PDFName.of("Title"))),
    root,
    pageMcids: scans.map((s) => s.mcids),
    parentTree,
    untaggedText: scans.reduce((n, s) => n + s.untaggedText, 0),
  };
}

/** Every element under `node` (itself included), depth first, in reading order. */
export function elements(node: StructNode | undefined): StructNode[] {
  return node ? [node, ...node.children.flatMap(elements)] : [];
}
