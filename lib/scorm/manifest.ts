import { DOMParser } from "@xmldom/xmldom";

/**
 * Reads a SCORM package's imsmanifest.xml (SCORM 1.2, SCORM 2004 3rd and 4th
 * edition): the default organization's items, the SCOs and assets they
 * launch, each SCO's mastery score, and every file the package declares.
 *
 * Clearance plays a package's SCOs in order, each as a lesson the learner may
 * also choose, and takes completion and success from what the SCOs report.
 * A manifest that needs more than that — sequencing or rollup rules, shared
 * objectives or data, sub-manifests — is refused with a message that names
 * each feature and where it is used, rather than played differently from
 * what its author wrote.
 */

export type ScormVersion = "1.2" | "2004 3rd Edition" | "2004 4th Edition";

export type ScormResource = {
  identifier: string;
  scormType: "sco" | "asset";
  /** The launch file, relative to the package root (xml:base applied), without the item's parameters. */
  href: string;
};

export type ScormItem = {
  identifier: string;
  title: string;
  /** What the item launches; a cluster of other items has none. */
  resource: ScormResource | null;
  /** Query string or fragment the item adds to its launch file. */
  parameters: string | null;
  /** Score (0–1) at or above which the SCO counts as passed, when the package sets one. */
  masteryScore: number | null;
  /** SCORM 2004: progress (0–1) at or above which the SCO counts as complete, when set. */
  completionThreshold: number | null;
  /** Passed to the SCO as cmi.launch_data. */
  launchData: string | null;
  children: ScormItem[];
};

export type ScormManifest = {
  identifier: string;
  version: ScormVersion;
  title: string;
  items: ScormItem[];
  /** The items that launch something, in the order a learner meets them. */
  launchable: ScormItem[];
  /** Every file the manifest declares, relative to the package root. */
  files: string[];
};

export type ManifestCode = "manifest_malformed" | "manifest_invalid" | "scorm_unsupported";

export class ManifestError extends Error {
  constructor(
    readonly code: ManifestCode,
    message: string,
  ) {
    super(message);
    this.name = "ManifestError";
  }
}

const NS = {
  imsss: "http://www.imsglobal.org/xsd/imsss",
  adlseq: "http://www.adlnet.org/xsd/adlseq_v1p3",
  adlcp2004: "http://www.adlnet.org/xsd/adlcp_v1p3",
  adlcp12: "http://www.adlnet.org/xsd/adlcp_rootv1p2",
  adlnav: "http://www.adlnet.org/xsd/adlnav_v1p3",
} as const;

/** Largest manifest read: real ones are tens of kilobytes. */
export const MAX_MANIFEST_BYTES = 2_000_000;

type El = Element;

function elements(parent: El | Document): El[] {
  const out: El[] = [];
  for (let n = parent.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as El);
  return out;
}

const named = (parent: El, localName: string, namespace?: string) =>
  elements(parent).filter((e) => e.localName === localName && (!namespace || e.namespaceURI === namespace));

const first = (parent: El, localName: string, namespace?: string): El | undefined =>
  named(parent, localName, namespace)[0];

const text = (el: El | undefined) => (el?.textContent ?? "").trim();

/** An identifier as XML Schema reads an ID: surrounding white space is not part of it. */
const id = (el: El, attribute = "identifier") => (el.getAttribute(attribute) ?? "").trim();

/** A path inside the package: relative, forward slashes, no "..", nothing absolute or on another site. */
export function packagePath(base: string, href: string): string | null {
  const joined = `${base}${href}`.replace(/\\/g, "/");
  if (/^[a-z][a-z0-9+.-]*:/i.test(joined) || joined.startsWith("/")) return null;
  const parts: string[] = [];
  for (const part of joined.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") return null;
    parts.push(part);
  }
  return parts.length ? decodeURIComponent(parts.join("/")) : null;
}

function versionOf(manifest: El): ScormVersion {
  const metadata = first(manifest, "metadata");
  const declared = metadata ? text(first(metadata, "schemaversion")) : "";
  if (declared === "1.2") return "1.2";
  if (/^2004 4th Edition$/i.test(declared)) return "2004 4th Edition";
  if (/^(2004 3rd Edition|CAM 1\.3)$/i.test(declared)) return "2004 3rd Edition";
  if (declared)
    throw new ManifestError(
      "scorm_unsupported",
      `The manifest declares schema version "${declared}": Clearance plays SCORM 1.2 and SCORM 2004 (3rd and 4th edition).`,
    );
  // No version declared: the namespaces say which.
  const attrs = Array.from({ length: manifest.attributes.length }, (_, i) => manifest.attributes.item(i)!.value);
  if (attrs.includes(NS.adlcp12) || attrs.some((v) => v.includes("imscp_rootv1p1p2"))) return "1.2";
  if (attrs.includes(NS.adlcp2004)) return "2004 3rd Edition";
  throw new ManifestError(
    "manifest_invalid",
    "The manifest names no SCORM version (metadata/schemaversion) and uses no SCORM namespace: is this a SCORM package?",
  );
}

/** What of an item's 2004 sequencing Clearance does not play, by feature. */
function unsupportedSequencing(sequencing: El): string[] {
  const found: string[] = [];
  if (sequencing.getAttribute("IDRef")) found.push("shared sequencing definitions (imsss:sequencingCollection)");
  for (const child of elements(sequencing)) {
    const name = child.localName;
    if (child.namespaceURI === NS.imsss) {
      if (name === "controlMode" || name === "deliveryControls") continue;
      if (name === "objectives") {
        if (named(child, "objective", NS.imsss).length) found.push("secondary objectives (imsss:objective)");
        const primary = first(child, "primaryObjective", NS.imsss);
        if (primary && named(primary, "mapInfo", NS.imsss).length)
          found.push("objectives shared between activities (imsss:mapInfo)");
        continue;
      }
      const features: Record<string, string> = {
        sequencingRules: "sequencing rules (imsss:sequencingRules)",
        rollupRules: "rollup rules (imsss:rollupRules)",
        limitConditions: "attempt limits (imsss:limitConditions)",
        randomizationControls: "randomised activities (imsss:randomizationControls)",
        auxiliaryResources: "auxiliary resources (imsss:auxiliaryResources)",
      };
      found.push(features[name] ?? `imsss:${name}`);
    } else if (child.namespaceURI === NS.adlseq) {
      const features: Record<string, string> = {
        objectives: "objectives shared between activities (adlseq:objectives)",
        rollupConsiderations: "rollup considerations (adlseq:rollupConsiderations)",
        constrainedChoiceConsiderations: "constrained choice (adlseq:constrainedChoiceConsiderations)",
      };
      found.push(features[name] ?? `adlseq:${name}`);
    }
  }
  return found;
}

/** The primary objective's mastery threshold, when satisfied by measure. */
function masteryOf2004(sequencing: El | undefined): number | null {
  const objectives = sequencing && first(sequencing, "objectives", NS.imsss);
  const primary = objectives && first(objectives, "primaryObjective", NS.imsss);
  if (!primary || primary.getAttribute("satisfiedByMeasure") !== "true") return null;
  const measure = Number(text(first(primary, "minNormalizedMeasure", NS.imsss)) || "1");
  return Number.isFinite(measure) && measure >= -1 && measure <= 1 ? Math.max(0, measure) : null;
}

/** Reads imsmanifest.xml. Throws ManifestError naming what is wrong or unsupported. */
export function parseManifest(xml: string): ScormManifest {
  if (Buffer.byteLength(xml) > MAX_MANIFEST_BYTES)
    throw new ManifestError("manifest_invalid", "The manifest is larger than 2 MB.");
  const errors: string[] = [];
  const doc = new DOMParser({
    errorHandler: {
      warning: () => undefined,
      error: (message: string) => errors.push(message),
      fatalError: (message: string) => errors.push(message),
    },
  }).parseFromString(xml, "text/xml");
  const manifest = doc?.documentElement;
  if (errors.length || !manifest)
    throw new ManifestError(
      "manifest_malformed",
      `The manifest is not well-formed XML: ${(errors[0] ?? "no root element").split("\n")[0].replace(/^\[xmldom \w+\]\s*/, "")}`,
    );
  if (manifest.localName !== "manifest")
    throw new ManifestError(
      "manifest_invalid",
      `The manifest's root element is <${manifest.tagName}>, not <manifest>.`,
    );
  const version = versionOf(manifest);
  // Each unsupported feature with where it is used, so the message names each feature once.
  const unsupported = new Map<string, string[]>();
  const note = (feature: string, where: string) => {
    const places = unsupported.get(feature) ?? [];
    if (!places.includes(where)) places.push(where);
    unsupported.set(feature, places);
  };
  if (named(manifest, "manifest").length) note("sub-manifests (nested <manifest>)", "the package");
  if (first(manifest, "sequencingCollection", NS.imsss))
    note("shared sequencing definitions (imsss:sequencingCollection)", "the package");

  // Resources by identifier, with their files and xml:base applied.
  const resourcesEl = first(manifest, "resources");
  if (!resourcesEl) throw new ManifestError("manifest_invalid", "The manifest has no <resources>.");
  const resourcesBase = resourcesEl.getAttribute("xml:base") ?? "";
  const resources = new Map<string, ScormResource>();
  const files = new Set<string>();
  for (const resource of named(resourcesEl, "resource")) {
    const identifier = id(resource);
    const base = resourcesBase + (resource.getAttribute("xml:base") ?? "");
    const type = (
      resource.getAttributeNS(NS.adlcp2004, "scormType") ||
      resource.getAttributeNS(NS.adlcp12, "scormtype") ||
      resource.getAttribute("adlcp:scormType") ||
      resource.getAttribute("adlcp:scormtype") ||
      "asset"
    ).toLowerCase();
    for (const file of named(resource, "file")) {
      const href = file.getAttribute("href") ?? "";
      const at = packagePath(base, href);
      if (!at)
        throw new ManifestError(
          "manifest_invalid",
          `Resource "${identifier}" lists the file "${href}", which is outside the package.`,
        );
      files.add(at);
    }
    const href = resource.hasAttribute("href") ? resource.getAttribute("href")! : null;
    if (href === null) {
      resources.set(identifier, { identifier, scormType: type === "sco" ? "sco" : "asset", href: "" });
      continue;
    }
    const launch = packagePath(base, href.replace(/[?#].*$/, ""));
    if (!launch)
      throw new ManifestError(
        "manifest_invalid",
        `Resource "${identifier}" launches "${href}", which is outside the package: Clearance plays only files in the package.`,
      );
    files.add(launch);
    resources.set(identifier, { identifier, scormType: type === "sco" ? "sco" : "asset", href: launch });
  }

  const organizationsEl = first(manifest, "organizations");
  const organizations = organizationsEl ? named(organizationsEl, "organization") : [];
  const wanted = organizationsEl ? id(organizationsEl, "default") : "";
  const organization = organizations.find((o) => id(o) === wanted) ?? organizations[0];
  if (!organization) throw new ManifestError("manifest_invalid", "The manifest has no <organization> to play.");
  const orgSequencing = first(organization, "sequencing", NS.imsss);
  if (orgSequencing)
    for (const f of unsupportedSequencing(orgSequencing)) note(f, `organization "${id(organization)}"`);

  const readItem = (el: El): ScormItem => {
    const identifier = id(el);
    const where = `item "${identifier}"`;
    const ref = id(el, "identifierref") || null;
    const resource = ref ? resources.get(ref) : undefined;
    if (ref && !resource)
      throw new ManifestError(
        "manifest_invalid",
        `Item "${identifier}" refers to resource "${ref}", which the manifest does not list.`,
      );
    if (resource && !resource.href)
      throw new ManifestError(
        "manifest_invalid",
        `Resource "${ref}" of item "${identifier}" has no launch file (href).`,
      );
    const sequencing = first(el, "sequencing", NS.imsss);
    if (sequencing) for (const f of unsupportedSequencing(sequencing)) note(f, where);
    if (named(el, "data", NS.adlcp2004).length) note("shared data (adlcp:data)", where);
    if (version === "1.2" && text(first(el, "prerequisites", NS.adlcp12)))
      note("prerequisites (adlcp:prerequisites)", where);

    let masteryScore: number | null = null;
    let completionThreshold: number | null = null;
    let launchData: string | null = null;
    if (version === "1.2") {
      const raw = text(first(el, "masteryscore", NS.adlcp12));
      if (raw) {
        const score = Number(raw);
        if (!Number.isFinite(score) || score < 0 || score > 100)
          throw new ManifestError(
            "manifest_invalid",
            `Item "${identifier}" has a mastery score "${raw}": it must be 0–100.`,
          );
        masteryScore = score / 100;
      }
      launchData = text(first(el, "datafromlms", NS.adlcp12)) || null;
    } else {
      masteryScore = masteryOf2004(sequencing);
      const threshold = first(el, "completionThreshold", NS.adlcp2004);
      if (threshold) {
        // 3rd edition: the value is the element's text; 4th: the minProgressMeasure attribute.
        const raw = threshold.hasAttribute("minProgressMeasure")
          ? threshold.getAttribute("minProgressMeasure")!
          : text(threshold) || "1";
        const value = Number(raw);
        if (!Number.isFinite(value) || value < 0 || value > 1)
          throw new ManifestError(
            "manifest_invalid",
            `Item "${identifier}" has a completion threshold "${raw}": it must be 0–1.`,
          );
        completionThreshold = value;
      }
      launchData = text(first(el, "dataFromLMS", NS.adlcp2004)) || null;
    }
    const children = named(el, "item").map(readItem);
    if (!resource && children.length === 0)
      throw new ManifestError("manifest_invalid", `Item "${identifier}" launches nothing and contains no items.`);
    return {
      identifier,
      title: text(first(el, "title")) || identifier,
      resource: resource ?? null,
      parameters: el.getAttribute("parameters") || null,
      masteryScore,
      completionThreshold,
      launchData,
      children,
    };
  };
  const items = named(organization, "item").map(readItem);

  if (unsupported.size) {
    const features = [...unsupported].map(([feature, places]) => {
      const shown = places.slice(0, 3).join(", ");
      return `${feature}, in ${shown}${places.length > 3 ? ` and ${places.length - 3} more` : ""}`;
    });
    throw new ManifestError(
      "scorm_unsupported",
      `This package needs SCORM ${version} features Clearance does not play: ${features.join("; ")}.`,
    );
  }
  const launchable: ScormItem[] = [];
  const walk = (list: ScormItem[]) => {
    for (const item of list) {
      if (item.resource) launchable.push(item);
      walk(item.children);
    }
  };
  walk(items);
  if (!launchable.some((i) => i.resource?.scormType === "sco"))
    throw new ManifestError(
      "manifest_invalid",
      "The package has no SCO: nothing in it reports progress, so it cannot count toward a certification.",
    );
  return {
    identifier: id(manifest),
    version,
    title: text(first(organization, "title")) || manifest.getAttribute("identifier") || "Untitled package",
    items,
    launchable,
    files: [...files].sort(),
  };
}
