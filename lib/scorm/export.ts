import type { Course } from "@/lib/content/load";
import { renderMarkdown } from "@/lib/content/markdown";
import { zip } from "@/lib/privacy/zip";

/**
 * A course as a SCORM 1.2 package that other learning systems play: one SCO
 * holding the lessons and the quiz. The learner reads the lessons in order
 * (their place and what they have read are kept as the LMS's
 * `lesson_location` and `suspend_data`), then takes the quiz: the package
 * draws the course's number of questions from its bank, grades them, and
 * reports the score and passed or failed against the course's pass mark,
 * which the manifest also gives the LMS as the mastery score.
 *
 * Scored by the package in the learner's browser, as every SCORM package is:
 * the bank, answers included, is in the package. Clearance's own quiz keeps
 * its answers on the server.
 */

const escapeXml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** What the package's script gets of the course: the quiz's settings and its bank, correct answers included. */
function quizData(course: Course) {
  return {
    title: course.title,
    passMark: course.passMark,
    questionsPerAttempt: Math.min(course.questionsPerAttempt, course.questions.length),
    questions: course.questions.map((q) =>
      q.type === "true_false"
        ? {
            id: q.id,
            multiple: false,
            prompt: q.prompt,
            options: [
              { id: "true", text: "True" },
              { id: "false", text: "False" },
            ],
            correct: [String(q.answer)],
            explanation: q.explanation,
          }
        : {
            id: q.id,
            multiple: q.type === "multiple",
            prompt: q.prompt,
            options: q.options.map((o) => ({ id: o.id, text: o.text })),
            correct: q.options.filter((o) => o.correct).map((o) => o.id),
            explanation: q.explanation,
          },
    ),
  };
}

function indexHtml(course: Course): string {
  const lessons = course.lessons
    .map((lesson, i) => {
      const body = renderMarkdown(lesson.markdown, { courseId: course.id }).replaceAll(
        `src="/courses/${course.id}/images/`,
        'src="images/',
      );
      return `<section class="lesson" id="lesson-${i + 1}" data-lesson="${escapeXml(lesson.slug)}" hidden>
<h2>Lesson ${i + 1} of ${course.lessons.length}: ${escapeXml(lesson.title)}</h2>
${body}
<p class="nav"><button type="button" class="next">${i + 1 < course.lessons.length ? "Next lesson" : "Go to the quiz"}</button></p>
</section>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(course.title)}</title>
<link rel="stylesheet" href="style.css">
</head>
<body>
<main>
<h1>${escapeXml(course.title)}</h1>
<p class="summary">${escapeXml(course.summary)}</p>
<nav aria-label="Lessons"><ol id="contents">${course.lessons
    .map((l, i) => `<li><a href="#lesson-${i + 1}" data-go="${i}">${escapeXml(l.title)}</a></li>`)
    .join("")}<li><a href="#quiz" data-go="quiz">Quiz</a></li></ol></nav>
${lessons}
<section id="quiz" hidden>
<h2>Quiz</h2>
<p id="quiz-intro"></p>
<form id="quiz-form"></form>
<p id="quiz-result" role="status"></p>
</section>
</main>
<script src="course-data.js"></script>
<script src="clearance-sco.js"></script>
</body>
</html>
`;
}

/** The SCO's script: SCORM 1.2 run-time calls, lesson navigation, and the quiz. */
const SCO_SCRIPT = `(function () {
  "use strict";
  var data = window.CLEARANCE_COURSE;
  function findApi() {
    var w = window;
    for (var i = 0; i < 10 && w; i++) {
      if (w.API) return w.API;
      if (w === w.parent) break;
      w = w.parent;
    }
    if (window.opener && window.opener.API) return window.opener.API;
    return null;
  }
  var api = findApi();
  var finished = false;
  function get(k) { return api ? String(api.LMSGetValue(k)) : ""; }
  function set(k, v) { if (api) api.LMSSetValue(k, String(v)); }
  function commit() { if (api) api.LMSCommit(""); }
  function finish() { if (api && !finished) { finished = true; api.LMSFinish(""); } }
  if (api) api.LMSInitialize("");

  var lessons = Array.prototype.slice.call(document.querySelectorAll(".lesson"));
  var read = {};
  try { read = JSON.parse(get("cmi.suspend_data") || "{}").read || {}; } catch (e) { read = {}; }
  if (get("cmi.core.lesson_status") === "not attempted") set("cmi.core.lesson_status", "incomplete");

  function keep(place) {
    set("cmi.core.lesson_location", place);
    set("cmi.suspend_data", JSON.stringify({ read: read }));
    set("cmi.core.exit", "suspend");
    commit();
  }
  function show(target) {
    lessons.forEach(function (s) { s.hidden = true; });
    document.getElementById("quiz").hidden = true;
    if (target === "quiz") { document.getElementById("quiz").hidden = false; drawQuiz(); keep("quiz"); }
    else {
      var i = Math.max(0, Math.min(lessons.length - 1, Number(target) || 0));
      lessons[i].hidden = false;
      read[lessons[i].getAttribute("data-lesson")] = true;
      keep(String(i));
    }
    window.scrollTo(0, 0);
  }
  lessons.forEach(function (s, i) {
    s.querySelector(".next").addEventListener("click", function () { show(i + 1 < lessons.length ? i + 1 : "quiz"); });
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-go]"), function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); show(a.getAttribute("data-go")); });
  });

  var drawn = null;
  function drawQuiz() {
    if (drawn) return;
    var pool = data.questions.slice();
    for (var i = pool.length - 1; i > 0; i--) { var j = Math.floor(Math.random() * (i + 1)); var t = pool[i]; pool[i] = pool[j]; pool[j] = t; }
    drawn = pool.slice(0, data.questionsPerAttempt);
    document.getElementById("quiz-intro").textContent =
      drawn.length + " questions. Pass mark " + data.passMark + "%.";
    var form = document.getElementById("quiz-form");
    form.innerHTML = "";
    drawn.forEach(function (q, n) {
      var fs = document.createElement("fieldset");
      fs.setAttribute("data-question", q.id);
      var lg = document.createElement("legend");
      lg.textContent = (n + 1) + ". " + q.prompt + (q.multiple ? " (select all that apply)" : "");
      fs.appendChild(lg);
      q.options.forEach(function (o) {
        var label = document.createElement("label");
        var input = document.createElement("input");
        input.type = q.multiple ? "checkbox" : "radio";
        input.name = "q-" + q.id;
        input.value = o.id;
        label.appendChild(input);
        label.appendChild(document.createTextNode(" " + o.text));
        fs.appendChild(label);
      });
      form.appendChild(fs);
    });
    var submit = document.createElement("button");
    submit.type = "submit";
    submit.textContent = "Submit answers";
    form.appendChild(submit);
    form.onsubmit = function (e) { e.preventDefault(); grade(); };
  }
  function grade() {
    var right = 0;
    drawn.forEach(function (q, n) {
      var chosen = Array.prototype.map.call(
        document.querySelectorAll('input[name="q-' + q.id + '"]:checked'), function (i) { return i.value; }).sort();
      var ok = chosen.join(",") === q.correct.slice().sort().join(",");
      if (ok) right++;
      set("cmi.interactions." + n + ".id", q.id);
      set("cmi.interactions." + n + ".type", "choice");
      set("cmi.interactions." + n + ".student_response", chosen.join(","));
      set("cmi.interactions." + n + ".result", ok ? "correct" : "wrong");
      var fs = document.querySelector('[data-question="' + q.id + '"]');
      var note = document.createElement("p");
      note.className = ok ? "right" : "wrong";
      note.textContent = (ok ? "Right. " : "Not right. ") + q.explanation;
      fs.appendChild(note);
    });
    var score = Math.round((right / drawn.length) * 100);
    var passed = score >= data.passMark;
    set("cmi.core.score.min", "0");
    set("cmi.core.score.max", "100");
    set("cmi.core.score.raw", score);
    set("cmi.core.lesson_status", passed ? "passed" : "failed");
    set("cmi.core.exit", "");
    commit();
    finish();
    document.querySelector("#quiz-form button[type=submit]").disabled = true;
    document.getElementById("quiz-result").textContent =
      "You scored " + score + "%: " + (passed ? "passed." : "not passed. The pass mark is " + data.passMark + "%.");
  }
  window.addEventListener("pagehide", finish);
  var place = get("cmi.core.lesson_location");
  show(place === "quiz" ? "quiz" : place === "" ? 0 : place);
})();
`;

const STYLE = `body { font-family: system-ui, sans-serif; line-height: 1.6; margin: 0; color: #0f172a; }
main { max-width: 46rem; margin: 0 auto; padding: 1.5rem; }
nav ol { padding-left: 1.25rem; }
fieldset { border: 1px solid #cbd5e1; border-radius: 0.5rem; margin: 1rem 0; padding: 0.75rem 1rem; }
label { display: block; margin: 0.25rem 0; }
button { font: inherit; padding: 0.4rem 1rem; }
.right { color: #166534; } .wrong { color: #991b1b; }
img { max-width: 100%; height: auto; }
`;

function manifest(course: Course, files: string[]): string {
  const title = escapeXml(course.title);
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="clearance-${course.id}-${course.version}" version="${course.version}"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="clearance">
    <organization identifier="clearance">
      <title>${title}</title>
      <item identifier="course" identifierref="sco" isvisible="true">
        <title>${title}</title>
        <adlcp:masteryscore>${course.passMark}</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="sco" type="webcontent" adlcp:scormtype="sco" href="index.html">
${files.map((f) => `      <file href="${escapeXml(f)}"/>`).join("\n")}
    </resource>
  </resources>
</manifest>
`;
}

/** The course's SCORM 1.2 package. `images` are its lesson images by name. */
export function exportScorm12(course: Course, images: ReadonlyMap<string, Buffer>, now = new Date()): Buffer {
  if (course.package) throw new Error("A course that plays a SCORM package is exported as that package.");
  const files: { name: string; data: string | Uint8Array }[] = [
    { name: "index.html", data: indexHtml(course) },
    { name: "course-data.js", data: `window.CLEARANCE_COURSE = ${JSON.stringify(quizData(course))};\n` },
    { name: "clearance-sco.js", data: SCO_SCRIPT },
    { name: "style.css", data: STYLE },
    ...[...images].map(([name, bytes]) => ({ name: `images/${name}`, data: new Uint8Array(bytes) })),
  ];
  return zip(
    [
      {
        name: "imsmanifest.xml",
        data: manifest(
          course,
          files.map((f) => f.name),
        ),
      },
      ...files,
    ],
    now,
  );
}
