import { describe, expect, it } from "vitest";

import { zip } from "@/lib/privacy/zip";
import { PackageError, readScormPackage, safeEntryPath } from "@/lib/scorm/package";

/** SCORM packages as uploaded: checked whole before anything is stored. */

const manifest = (launch = "index.html", extra = "") => `<?xml version="1.0"?>
<manifest identifier="pkg" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="o"><organization identifier="o"><title>Clean desk</title>
    <item identifier="i" identifierref="r"><title>Clean desk</title><adlcp:masteryscore>70</adlcp:masteryscore></item>
  </organization></organizations>
  <resources><resource identifier="r" type="webcontent" adlcp:scormtype="sco" href="${launch}">
    <file href="${launch}"/><file href="images/desk%20photo.png"/>${extra}</resource></resources>
</manifest>`;

const LIMIT = { maxBytes: 1_000_000 };

function refusal(archive: Buffer, limits = LIMIT) {
  try {
    readScormPackage(archive, limits);
  } catch (error) {
    if (error instanceof PackageError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("the package was accepted");
}

describe("a SCORM package", () => {
  it("is read with its manifest and files; a listed file it lacks is reported, not refused", () => {
    const pkg = readScormPackage(
      zip([
        { name: "imsmanifest.xml", data: manifest("index.html", '<file href="notes.txt"/>') },
        { name: "index.html", data: "<html></html>" },
        { name: "images/desk photo.png", data: new Uint8Array([1, 2, 3]) },
      ]),
      LIMIT,
    );
    expect(pkg.manifest.version).toBe("1.2");
    expect(pkg.manifest.launchable[0].masteryScore).toBe(0.7);
    expect([...pkg.files.keys()].sort()).toEqual(["images/desk photo.png", "imsmanifest.xml", "index.html"]);
    expect(pkg.missing).toEqual(["notes.txt"]);
  });

  it.each([
    ["../escape.html"],
    ["/etc/passwd"],
    ["a\\..\\..\\b.html"],
    ["C:/windows/x.html"],
    ["a/./b.html"],
    ["a//b.html"],
  ])("is refused whole when an entry is named %s (zip-slip)", (name) => {
    const archive = zip([
      { name: "imsmanifest.xml", data: manifest() },
      { name: "index.html", data: "<html></html>" },
      { name, data: "x" },
    ]);
    expect(refusal(archive)).toMatchObject({
      code: "unsafe_path",
      message: expect.stringContaining("nothing was imported"),
    });
  });

  it("is refused when it is not a ZIP, or larger than the limit, before anything is unpacked", () => {
    expect(refusal(Buffer.from("%PDF-1.7 not a zip"))).toMatchObject({ code: "package_unreadable" });
    const big = zip([
      { name: "imsmanifest.xml", data: manifest() },
      { name: "index.html", data: "x".repeat(50_000) },
    ]);
    expect(refusal(big, { maxBytes: 20_000 })).toMatchObject({ code: "package_too_large" });
  });

  it("says where the manifest is when the folder itself was zipped", () => {
    const archive = zip([
      { name: "clean-desk/imsmanifest.xml", data: manifest() },
      { name: "clean-desk/index.html", data: "<html></html>" },
    ]);
    expect(refusal(archive)).toEqual({
      code: "manifest_missing",
      message: 'imsmanifest.xml is in "clean-desk/", not at the root: zip the contents of that folder, not the folder.',
    });
    expect(refusal(zip([{ name: "index.html", data: "<html></html>" }]))).toMatchObject({ code: "manifest_missing" });
  });

  it("is refused when a file an item launches is not in it, or when the manifest is", () => {
    expect(refusal(zip([{ name: "imsmanifest.xml", data: manifest("start.html") }]))).toEqual({
      code: "missing_file",
      message: 'The manifest launches "start.html", which the package does not hold.',
    });
    expect(refusal(zip([{ name: "imsmanifest.xml", data: "<manifest" }]))).toMatchObject({
      code: "manifest_malformed",
    });
  });

  it("keeps entry names as written: relative, no dot parts, no drive or control characters", () => {
    expect(safeEntryPath("content/index.html")).toBe(true);
    expect(safeEntryPath("content/a b.html")).toBe(true);
    expect(safeEntryPath("content/../x")).toBe(false);
    expect(safeEntryPath("content/x\u0000.html")).toBe(false);
    expect(safeEntryPath("")).toBe(false);
  });
});
