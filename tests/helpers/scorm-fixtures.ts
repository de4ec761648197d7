import { zip } from "@/lib/privacy/zip";

/**
 * Small SCORM packages built in the test run, as an authoring tool would
 * write them: a manifest, and a SCO (HTML with its script in a file of its
 * own) that finds the run-time API in a parent frame, asks one question,
 * keeps the learner's choice in suspend data so they can leave and resume,
 * and reports a score its manifest's mastery score (1.2) or scaled passing
 * score (2004) turns into passed or failed.
 */

export type ScormEdition = "1.2" | "2004 4th Edition";

const page = (title: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${title}</title><link rel="stylesheet" href="style.css"></head>
<body>
  <main>
    <h1>${title}</h1>
    <p id="welcome">Welcome.</p>
    <fieldset>
      <legend>You find a customer list on the printer. What do you do?</legend>
      <label><input type="radio" name="answer" value="right"> Take it to its owner or shred it</label>
      <label><input type="radio" name="answer" value="wrong"> Leave it there for its owner</label>
    </fieldset>
    <p>
      <button type="button" id="save">Save for later</button>
      <button type="button" id="submit">Submit my answer</button>
    </p>
    <p id="result" role="status"></p>
  </main>
  <script src="scripts/sco.js"></script>
</body>
</html>
`;

/** The SCO's script: both SCORM versions, chosen by which API the LMS offers. */
const script = `(function () {
  function find(name) {
    var w = window;
    for (var i = 0; i < 10 && w; i++) {
      if (w[name]) return w[name];
      if (w === w.parent) break;
      w = w.parent;
    }
    return null;
  }
  var api12 = find("API");
  var api04 = find("API_1484_11");
  var get, set, commit, finish;
  if (api04) {
    api04.Initialize("");
    get = function (k) { return api04.GetValue(k); };
    set = function (k, v) { return api04.SetValue(k, v); };
    commit = function () { return api04.Commit(""); };
    finish = function () { return api04.Terminate(""); };
  } else if (api12) {
    api12.LMSInitialize("");
    get = function (k) { return api12.LMSGetValue(k); };
    set = function (k, v) { return api12.LMSSetValue(k, v); };
    commit = function () { return api12.LMSCommit(""); };
    finish = function () { return api12.LMSFinish(""); };
  } else {
    document.getElementById("welcome").textContent = "No SCORM API found.";
    return;
  }
  var v12 = !api04;
  var entry = get(v12 ? "cmi.core.entry" : "cmi.entry");
  var kept = get("cmi.suspend_data");
  var name = get(v12 ? "cmi.core.student_name" : "cmi.learner_name");
  document.getElementById("welcome").textContent =
    (entry === "resume" ? "Welcome back, " : "Welcome, ") + name + ".";
  if (kept) {
    var box = document.querySelector('input[value="' + kept + '"]');
    if (box) box.checked = true;
  }
  if (v12) set("cmi.core.lesson_status", "incomplete");
  else set("cmi.completion_status", "incomplete");
  function chosen() {
    var box = document.querySelector('input[name="answer"]:checked');
    return box ? box.value : "";
  }
  document.getElementById("save").addEventListener("click", function () {
    set("cmi.suspend_data", chosen());
    set(v12 ? "cmi.core.lesson_location" : "cmi.location", "question-1");
    set(v12 ? "cmi.core.exit" : "cmi.exit", "suspend");
    set(v12 ? "cmi.core.session_time" : "cmi.session_time", v12 ? "00:01:30" : "PT1M30S");
    commit();
    finish();
    document.getElementById("result").textContent = "Saved. You can close this course and come back later.";
  });
  document.getElementById("submit").addEventListener("click", function () {
    var right = chosen() === "right";
    set("cmi.suspend_data", chosen());
    if (v12) {
      set("cmi.interactions.0.id", "printer");
      set("cmi.interactions.0.type", "choice");
      set("cmi.interactions.0.student_response", chosen());
      set("cmi.interactions.0.result", right ? "correct" : "wrong");
      set("cmi.core.score.raw", right ? "100" : "0");
      set("cmi.core.score.min", "0");
      set("cmi.core.score.max", "100");
      set("cmi.core.lesson_status", "completed");
      set("cmi.core.exit", "");
      set("cmi.core.session_time", "00:02:00");
    } else {
      set("cmi.interactions.0.id", "printer");
      set("cmi.interactions.0.type", "choice");
      set("cmi.interactions.0.learner_response", chosen());
      set("cmi.interactions.0.result", right ? "correct" : "incorrect");
      set("cmi.score.scaled", right ? "1" : "0");
      set("cmi.score.raw", right ? "100" : "0");
      set("cmi.score.min", "0");
      set("cmi.score.max", "100");
      set("cmi.completion_status", "completed");
      set("cmi.success_status", right ? "passed" : "failed");
      set("cmi.exit", "normal");
      set("cmi.session_time", "PT2M");
    }
    commit();
    finish();
    document.getElementById("result").textContent = right ? "Correct: you passed." : "Not quite: you did not pass.";
  });
})();
`;

function manifest(edition: ScormEdition, title: string): string {
  if (edition === "1.2")
    return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="clean-desk-12" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>${title}</title>
      <item identifier="desk" identifierref="sco"><title>${title}</title><adlcp:masteryscore>80</adlcp:masteryscore></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/><file href="scripts/sco.js"/><file href="style.css"/>
    </resource>
  </resources>
</manifest>`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="clean-desk-2004" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>${edition}</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>${title}</title>
      <item identifier="desk" identifierref="sco"><title>${title}</title>
        <imsss:sequencing><imsss:objectives>
          <imsss:primaryObjective objectiveID="pass" satisfiedByMeasure="true"><imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure></imsss:primaryObjective>
        </imsss:objectives></imsss:sequencing>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco" type="webcontent" adlcp:scormType="sco" href="index.html">
      <file href="index.html"/><file href="scripts/sco.js"/><file href="style.css"/>
    </resource>
  </resources>
</manifest>`;
}

/** A one-SCO package of the given SCORM edition. `salt` makes its ZIP (and so its SHA-256) differ from another test's. */
export function cleanDeskPackage(edition: ScormEdition, { title = "Clean desk", salt = "" } = {}): Buffer {
  return zip(
    [
      { name: "imsmanifest.xml", data: manifest(edition, title) },
      { name: "index.html", data: page(title) },
      { name: "scripts/sco.js", data: script },
      { name: "style.css", data: `body { font-family: sans-serif; margin: 2rem; } /* ${salt} */\n` },
    ],
    new Date("2026-11-01T00:00:00Z"),
  );
}

/** Run-time data as scorm-again commits it (flattened), for a SCORM 1.2 SCO. */
export function cmi12(values: Record<string, string>): Record<string, string> {
  return { "cmi.core.lesson_status": "incomplete", "cmi.core.exit": "", "cmi.suspend_data": "", ...values };
}

/** Run-time data as scorm-again commits it (flattened), for a SCORM 2004 SCO. */
export function cmi2004(values: Record<string, string>): Record<string, string> {
  return { "cmi.completion_status": "incomplete", "cmi.success_status": "unknown", "cmi.exit": "", ...values };
}

/**
 * A SCORM 1.2 package of two SCOs, each a question with a mastery score of
 * 80: the run certifies only once both are passed.
 */
export function twoScoPackage(): Buffer {
  const manifest12 = `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="desk-and-screen" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>Desk and screen</title>
      <item identifier="desk" identifierref="sco-desk"><title>Clean desk</title><adlcp:masteryscore>80</adlcp:masteryscore></item>
      <item identifier="screen" identifierref="sco-screen"><title>Locked screen</title><adlcp:masteryscore>80</adlcp:masteryscore></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco-desk" type="webcontent" adlcp:scormtype="sco" href="desk/index.html">
      <file href="desk/index.html"/><file href="desk/scripts/sco.js"/><file href="desk/style.css"/>
    </resource>
    <resource identifier="sco-screen" type="webcontent" adlcp:scormtype="sco" href="screen/index.html">
      <file href="screen/index.html"/><file href="screen/scripts/sco.js"/><file href="screen/style.css"/>
    </resource>
  </resources>
</manifest>`;
  const sco = (folder: string, title: string) => [
    { name: `${folder}/index.html`, data: page(title) },
    { name: `${folder}/scripts/sco.js`, data: script },
    { name: `${folder}/style.css`, data: "body { font-family: sans-serif; margin: 2rem; }\n" },
  ];
  return zip(
    [{ name: "imsmanifest.xml", data: manifest12 }, ...sco("desk", "Clean desk"), ...sco("screen", "Locked screen")],
    new Date("2026-11-01T00:00:00Z"),
  );
}
