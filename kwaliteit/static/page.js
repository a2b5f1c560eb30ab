// Small enhancements of every page. Each works on markup that is complete without JavaScript:
// buttons that need this script are rendered `hidden` and shown here, so without it nothing
// on the page is dead. No inline script anywhere (the Content-Security-Policy forbids it).
(function () {
  "use strict";

  // After a failed submit: focus the error summary, so keyboard and screen reader users land on
  // it. After an action: the flashed message (#melding) that the redirect pointed at.
  function focusMessage() {
    var target = document.querySelector("[data-error-summary]");
    if (!target && window.location.hash === "#melding") {
      target = document.getElementById("melding");
    }
    if (target) {
      target.focus();
    }
  }

  // Print buttons: window.print(); the print style sheet leaves out menu, filters and buttons.
  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  // Copy buttons: data-copy-from names the element whose text to copy (a read-only text area
  // with all links, or the <code> of one link). When the clipboard refuses, that text is
  // selected instead, so Ctrl+C copies it, and the status line says so.
  function select(source) {
    if (typeof source.select === "function") {
      source.focus();
      source.select();
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(source);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copyButtons() {
    var status = document.getElementById("kopieer-status");
    function say(message) {
      if (status) {
        // Emptied first, so that the same message twice is announced twice.
        status.textContent = "";
        window.setTimeout(function () { status.textContent = message; }, 50);
      }
    }
    document.querySelectorAll("[data-copy-from]").forEach(function (button) {
      var source = document.getElementById(button.dataset.copyFrom);
      if (!source) {
        return;
      }
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = source.value !== undefined ? source.value : source.textContent;
        function fallback() {
          select(source);
          say("Kopiëren lukte niet vanzelf: de tekst is geselecteerd, kopieer hem met Ctrl+C (Cmd+C op een Mac).");
        }
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(function () {
            say(button.dataset.copied || "Gekopieerd.");
          }, fallback);
        } else {
          fallback();
        }
      });
    });
  }

  // Pickers: a list of checkboxes (every option visible without JavaScript) gets a search box
  // that filters it, with a live count of what is shown and chosen.
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function picker(fieldset, index) {
    var items = Array.prototype.slice.call(fieldset.querySelectorAll(".checklist li"));
    var list = fieldset.querySelector(".checklist");
    if (!items.length || !list) {
      return;
    }
    var id = "zoek-" + (fieldset.id || index);
    var box = document.createElement("div");
    box.className = "picker-search";
    var label = document.createElement("label");
    label.htmlFor = id;
    label.textContent = fieldset.dataset.picker || "Zoeken";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    var count = document.createElement("p");
    count.className = "hint";
    count.id = id + "-aantal";
    count.setAttribute("role", "status");
    input.setAttribute("aria-describedby", count.id);
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(count);
    list.parentNode.insertBefore(box, list);

    var texts = items.map(function (li) { return fold(li.textContent); });
    function update() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      items.forEach(function (li, i) {
        var match = words.every(function (w) { return texts[i].indexOf(w) !== -1; });
        li.hidden = !match;
        if (match) { shown += 1; }
      });
      var chosen = fieldset.querySelectorAll(".checklist input:checked").length;
      count.textContent = shown + " van " + items.length + " getoond, " + chosen + " gekozen";
    }
    input.addEventListener("input", update);
    // Enter in the search box must not submit the whole form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); }
    });
    fieldset.addEventListener("change", update);
    update();
  }

  function pickers() {
    document.querySelectorAll("[data-picker]").forEach(picker);
  }

  function start() {
    pickers();
    printButtons();
    copyButtons();
    focusMessage();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
