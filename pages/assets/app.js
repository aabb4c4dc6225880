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

  function init() {
    var forms = document.querySelectorAll("form");
    for (var i = 0; i < forms.length; i++) {
      var form = forms[i];
      if (!form.querySelector("[data-show-for]")) continue;
      form.addEventListener("change", update.bind(null, form));
      update(form);
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
