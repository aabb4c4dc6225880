// abusedesk pages: small progressive enhancements. Every page works
// without this script; with it, fields that apply only to one choice are
// shown only when that choice is made, and error summaries take focus.
"use strict";

(function () {
  // <div data-show-for="name=value"> is shown only while the form control
  // called name has that value (a select, or a checked radio).
  function currentValue(form, name) {
    var el = form.elements.namedItem(name);
    if (!el) return null;
    if (typeof el.value === "string") return el.value;
    return null;
  }

  function update(form) {
    var deps = form.querySelectorAll("[data-show-for]");
    for (var i = 0; i < deps.length; i++) {
      var rule = deps[i].getAttribute("data-show-for").split("=");
      var val = currentValue(form, rule[0]);
      var invalid = deps[i].querySelector("[aria-invalid=true]");
      // Never hide a field that carries an error message.
      deps[i].hidden = val !== rule[1] && !invalid;
    }
  }

  function selectAll(ev) {
    var box = ev.target;
    var name = box.getAttribute("data-select-all");
    var boxes = box.form ? box.form.querySelectorAll("input[type=checkbox]") : [];
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].name === name) boxes[i].checked = box.checked;
    }
  }

  function init() {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if (!form.querySelector("[data-show-for]")) continue;
      form.addEventListener("change", update.bind(null, form));
      update(form);
    }
    // <input type="checkbox" data-select-all="name"> ticks or unticks
    // every checkbox called name in its form (the queue's bulk decision).
    var alls = document.querySelectorAll("input[data-select-all]");
    for (var j = 0; j < alls.length; j++) {
      alls[j].addEventListener("change", selectAll);
    }
    var summary = document.getElementById("error-summary") || document.getElementById("refusal");
    if (summary) {
      if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
