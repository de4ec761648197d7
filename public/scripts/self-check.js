// The practice quiz under a guide, graded here in the browser: nothing is sent
// or stored. Without JavaScript each question has a "Show the answer"
// disclosure instead; this replaces it with "Check answer". Answers are checked
// on "Check answer", not on selection, so moving through a radio group with
// the arrow keys does not count as answering.
(() => {
  "use strict";
  const section = document.querySelector("[data-self-check]");
  if (!section) return;
  const forms = [...section.querySelectorAll("form[data-answer]")];
  const summary = section.querySelector(".sc-summary");
  const score = summary.querySelector('[role="status"]');
  const restart = summary.querySelector("button");
  /** The choice each checked question was checked with. */
  const checked = new Map();

  const element = (tag, className, text) => {
    const el = document.createElement(tag);
    el.className = className;
    el.textContent = text;
    return el;
  };

  function updateScore() {
    const right = [...checked].filter(([form, choice]) => Number(form.dataset.answer) === choice).length;
    score.textContent = checked.size === forms.length ? `You got ${right} of ${forms.length} right.` : "";
    restart.hidden = checked.size === 0;
  }

  function setUp(form) {
    const answer = Number(form.dataset.answer);
    const reveal = form.querySelector(".sc-reveal");
    const explanation = reveal.querySelector("[data-explanation]").textContent;
    reveal.remove();
    const options = [...form.querySelectorAll(".sc-option")];
    const answerText = options[answer].querySelector("span").textContent;
    const feedback = form.querySelector(".sc-feedback");
    const button = form.querySelector(".sc-check");
    button.hidden = false;
    button.disabled = false;

    // Colour shows the verdict; the hidden words say it to screen readers.
    const mark = (i, className, words) => {
      options[i].classList.add(className);
      options[i].querySelector("span").append(element("span", "sr-only sc-mark", words));
    };
    const clear = () => {
      feedback.replaceChildren();
      for (const option of options) {
        option.classList.remove("is-answer", "is-wrong");
        for (const old of option.querySelectorAll(".sc-mark")) old.remove();
      }
    };

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const choice = options.findIndex((option) => option.querySelector("input").checked);
      clear();
      if (choice === -1) {
        feedback.append(element("p", "sc-missing", "Choose an answer first."));
        return;
      }
      checked.set(form, choice);
      const correct = choice === answer;
      mark(answer, "is-answer", " (correct answer)");
      if (!correct) mark(choice, "is-wrong", " (your answer)");
      const verdict = element("div", `sc-verdict ${correct ? "is-correct" : "is-wrong"}`, "");
      verdict.append(element("p", "sc-verdict-title", correct ? "Correct." : `Not quite. The answer is: ${answerText}`), element("p", "", explanation));
      feedback.append(verdict);
      updateScore();
    });

    // A new choice withdraws the verdict until it is checked again.
    form.addEventListener("change", () => {
      clear();
      if (checked.delete(form)) updateScore();
    });
    form.addEventListener("reset", () => {
      clear();
      checked.delete(form);
    });
  }

  forms.forEach(setUp);
  restart.addEventListener("click", () => {
    for (const form of forms) form.reset();
    updateScore();
    forms[0].querySelector("input").focus();
  });
  summary.hidden = false;
})();
