import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { ManifestError, packagePath, parseManifest } from "@/lib/scorm/manifest";

/**
 * SCORM manifests: small ones of each version written here, and ADL's SCORM
 * 2004 4th Edition conformance packages, each of which must parse or be
 * refused with a message naming what Clearance does not play.
 */

const CTS = process.env.SCORM_CTS_DIR ?? path.resolve(process.cwd(), "../shared/specs/scorm-2004-cts/courses");

const scorm12 = (items: string, resources: string) => `<?xml version="1.0"?>
<manifest identifier="phishing-12" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>Spotting phishing</title>${items}</organization>
  </organizations>
  <resources>${resources}</resources>
</manifest>`;

const scorm2004 = (edition: string, items: string, resources: string) => `<?xml version="1.0"?>
<manifest identifier="records-2004" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3">
  <metadata><schema>ADL SCORM</schema><schemaversion>${edition}</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>Records retention</title>${items}</organization>
  </organizations>
  <resources xml:base="content/">${resources}</resources>
</manifest>`;

const sco12 = `<resource identifier="r1" type="webcontent" adlcp:scormtype="sco" href="sco.html"><file href="sco.html"/><file href="media/logo.png"/></resource>`;

function refusal(xml: string): { code: string; message: string } {
  try {
    parseManifest(xml);
  } catch (error) {
    if (error instanceof ManifestError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("the manifest was accepted");
}

describe("a SCORM 1.2 manifest", () => {
  it("gives the SCOs in order, nested ones included, with mastery score, parameters and launch data", () => {
    const manifest = parseManifest(
      scorm12(
        `<item identifier="i1" identifierref="r1" parameters="?part=1"><title>Part one</title>
           <adlcp:masteryscore>80</adlcp:masteryscore><adlcp:datafromlms>level=2</adlcp:datafromlms></item>
         <item identifier="cluster"><title>More</title>
           <item identifier="i2" identifierref="r2"><title>Part two</title></item></item>`,
        `${sco12}<resource identifier="r2" type="webcontent" adlcp:scormtype="asset" href="two.html"><file href="two.html"/></resource>`,
      ),
    );
    expect(manifest.version).toBe("1.2");
    expect(manifest.title).toBe("Spotting phishing");
    expect(manifest.launchable.map((i) => [i.identifier, i.resource?.href, i.resource?.scormType])).toEqual([
      ["i1", "sco.html", "sco"],
      ["i2", "two.html", "asset"],
    ]);
    expect(manifest.launchable[0]).toMatchObject({ masteryScore: 0.8, parameters: "?part=1", launchData: "level=2" });
    expect(manifest.files).toEqual(["media/logo.png", "sco.html", "two.html"]);
  });

  it("refuses prerequisites, which it would not enforce, naming the item", () => {
    const xml = scorm12(
      `<item identifier="i1" identifierref="r1"><title>One</title><adlcp:prerequisites type="aicc_script">i0</adlcp:prerequisites></item>`,
      sco12,
    );
    expect(refusal(xml)).toEqual({
      code: "scorm_unsupported",
      message:
        'This package needs SCORM 1.2 features Clearance does not play: prerequisites (adlcp:prerequisites), in item "i1".',
    });
  });

  it("refuses a mastery score outside 0–100", () => {
    const xml = scorm12(
      `<item identifier="i1" identifierref="r1"><title>One</title><adlcp:masteryscore>180</adlcp:masteryscore></item>`,
      sco12,
    );
    expect(refusal(xml)).toMatchObject({ code: "manifest_invalid", message: expect.stringContaining('"180"') });
  });
});

describe("a SCORM 2004 manifest", () => {
  const sco = `<resource identifier="r1" type="webcontent" adlcp:scormType="sco" href="index.html?x=1"><file href="index.html"/></resource>`;

  it("takes the mastery score from a primary objective satisfied by measure, and the completion threshold of either edition", () => {
    const item = (threshold: string) =>
      `<item identifier="i1" identifierref="r1"><title>Keep or delete</title>${threshold}
         <imsss:sequencing><imsss:controlMode choice="true" flow="true"/>
           <imsss:objectives><imsss:primaryObjective objectiveID="pass" satisfiedByMeasure="true">
             <imsss:minNormalizedMeasure>0.75</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives>
         </imsss:sequencing></item>`;
    const third = parseManifest(
      scorm2004("2004 3rd Edition", item("<adlcp:completionThreshold>0.5</adlcp:completionThreshold>"), sco),
    );
    expect(third.version).toBe("2004 3rd Edition");
    expect(third.launchable[0]).toMatchObject({
      masteryScore: 0.75,
      completionThreshold: 0.5,
      resource: { href: "content/index.html", scormType: "sco" },
    });
    const fourth = parseManifest(
      scorm2004("2004 4th Edition", item(`<adlcp:completionThreshold minProgressMeasure="0.9"/>`), sco),
    );
    expect(fourth.launchable[0]).toMatchObject({ masteryScore: 0.75, completionThreshold: 0.9 });
  });

  it("refuses sequencing rules and shared objectives, naming each feature once with the items using it", () => {
    const rules = (id: string) =>
      `<item identifier="${id}" identifierref="r1"><title>${id}</title><imsss:sequencing>
         <imsss:sequencingRules><imsss:preConditionRule><imsss:ruleConditions><imsss:ruleCondition condition="satisfied"/></imsss:ruleConditions><imsss:ruleAction action="skip"/></imsss:preConditionRule></imsss:sequencingRules>
         <imsss:objectives><imsss:primaryObjective objectiveID="o"><imsss:mapInfo targetObjectiveID="g"/></imsss:primaryObjective></imsss:objectives>
       </imsss:sequencing></item>`;
    expect(refusal(scorm2004("2004 4th Edition", rules("a") + rules("b"), sco))).toEqual({
      code: "scorm_unsupported",
      message:
        'This package needs SCORM 2004 4th Edition features Clearance does not play: sequencing rules (imsss:sequencingRules), in item "a", item "b"; objectives shared between activities (imsss:mapInfo), in item "a", item "b".',
    });
  });
});

describe("a manifest that cannot be played", () => {
  const item = `<item identifier="i1" identifierref="r1"><title>One</title></item>`;
  it.each([
    ["not XML", "<manifest><organizations>", "manifest_malformed", "not well-formed XML"],
    ["another root element", `<?xml version="1.0"?><package/>`, "manifest_invalid", "<package>"],
    [
      "an unknown SCORM version",
      scorm12(item, sco12).replace("<schemaversion>1.2<", "<schemaversion>1.1<"),
      "scorm_unsupported",
      '"1.1"',
    ],
    [
      "a launch file outside the package",
      scorm12(item, sco12.replace('href="sco.html">', 'href="../../etc/passwd">')),
      "manifest_invalid",
      "outside the package",
    ],
    [
      "a launch file on another site",
      scorm12(item, sco12.replace('href="sco.html">', 'href="https://example.com/sco.html">')),
      "manifest_invalid",
      "outside the package",
    ],
    [
      "a listed file outside the package",
      scorm12(item, sco12.replace('<file href="media/logo.png"/>', '<file href="/abs/logo.png"/>')),
      "manifest_invalid",
      '"/abs/logo.png"',
    ],
    [
      "an item naming a missing resource",
      scorm12(item.replace('"r1"', '"r9"'), sco12),
      "manifest_invalid",
      'resource "r9"',
    ],
    [
      "no SCO at all",
      scorm12(item, sco12.replace('scormtype="sco"', 'scormtype="asset"')),
      "manifest_invalid",
      "no SCO",
    ],
    [
      "no organization",
      scorm12("", sco12).replace(/<organizations[\s\S]*<\/organizations>/, ""),
      "manifest_invalid",
      "<organization>",
    ],
  ])("is refused: %s", (_, xml, code, says) => {
    const { code: got, message } = refusal(xml);
    expect(got).toBe(code);
    expect(message).toContain(says);
  });

  it("keeps paths inside the package", () => {
    expect(packagePath("content/", "./a/b.html")).toBe("content/a/b.html");
    expect(packagePath("", "a%20b.html")).toBe("a b.html");
    expect(packagePath("content/", "../../x")).toBeNull();
    expect(packagePath("", "C:\\x.html")).toBeNull();
    expect(packagePath("", "\\\\server\\x.html")).toBeNull();
    expect(packagePath("", "javascript:alert(1)")).toBeNull();
  });
});

describe.skipIf(!existsSync(CTS))("ADL's SCORM 2004 4th Edition conformance packages", () => {
  const packages = existsSync(CTS)
    ? readdirSync(CTS).filter((dir) => existsSync(path.join(CTS, dir, "imsmanifest.xml")))
    : [];

  it("each parses, or is refused with a message naming what is unsupported or wrong", () => {
    expect(packages.length).toBeGreaterThan(180);
    const outcomes = packages.map((dir) => {
      const xml = readFileSync(path.join(CTS, dir, "imsmanifest.xml"), "utf8");
      try {
        const manifest = parseManifest(xml);
        expect(manifest.version).toBe("2004 4th Edition");
        expect(manifest.launchable.length).toBeGreaterThan(0);
        return "played";
      } catch (error) {
        if (!(error instanceof ManifestError)) throw new Error(`${dir}: ${String(error)}`);
        // An unsupported feature is named by its element; anything else says what is wrong.
        if (error.code === "scorm_unsupported") expect(error.message).toMatch(/\((imsss|adlseq|adlcp):\w+\), in /);
        else expect(error.message.length).toBeGreaterThan(20);
        return error.code;
      }
    });
    const counts = Object.fromEntries([...new Set(outcomes)].map((o) => [o, outcomes.filter((x) => x === o).length]));
    // The packages that test navigation without sequencing rules play; the sequencing tests are refused.
    expect(counts.played).toBeGreaterThanOrEqual(10);
    expect(counts.scorm_unsupported).toBeGreaterThan(150);
  });

  it("reads identifiers with white space around them as the identifiers themselves", () => {
    const xml = readFileSync(path.join(CTS, "LMSTestPackage_OB-02b", "imsmanifest.xml"), "utf8");
    expect(refusal(xml).code).toBe("scorm_unsupported");
  });
});
