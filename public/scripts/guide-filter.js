// The guide index's search box and topic chips. The page lists every guide
// without JavaScript; this adds the controls (from their <template>) and hides
// the guides that do not match.
(() => {
  "use strict";
  const root = document.querySelector("[data-guide-filter]");
  const template = root && root.querySelector("template");
  if (!template) return;
  root.insertBefore(template.content.cloneNode(true), template);

  const search = root.querySelector('input[type="search"]');
  const chips = [...root.querySelectorAll("button[data-topic]")];
  const list = root.querySelector("ul");
  const items = [...list.querySelectorAll("li[data-search]")];
  const status = root.querySelector('[role="status"]');
  const empty = root.querySelector("[data-guide-empty]");
  let topic = "";

  function update() {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of items) {
      const match = (topic === "" || item.dataset.topic === topic) && words.every((word) => item.dataset.search.includes(word));
      item.hidden = !match;
      if (match) shown++;
    }
    for (const chip of chips) chip.setAttribute("aria-pressed", String(chip.dataset.topic === topic));
    const filtered = shown !== items.length;
    status.textContent = filtered ? `Showing ${shown} of ${items.length} guides` : `${items.length} guides`;
    status.classList.toggle("sr-only", !filtered);
    list.hidden = shown === 0;
    empty.hidden = shown !== 0;
  }

  search.addEventListener("input", update);
  for (const chip of chips) {
    chip.addEventListener("click", () => {
      // A second press on the current topic shows every topic again.
      topic = topic === chip.dataset.topic ? "" : chip.dataset.topic;
      update();
    });
  }
  empty.querySelector("button").addEventListener("click", () => {
    search.value = "";
    topic = "";
    update();
    search.focus();
  });
})();
