/* Redress review forms: optional help on top of a form that works without
   JavaScript. Copies the invitation token from the link (and offers the
   follow-up form only when opened from its link), keeps a draft on this
   device, counts characters, explains errors next to each field in the
   page's language, and sends in place. No globals, no third parties. */
(function () {
  "use strict";
  // Kept in a draft on this device. Not the e-mail address or order number:
  // a shared computer should not keep those.
  var FIELDS = ["rating", "p", "title", "text", "name", "lang", "resolved"];

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  function setup(form) {
    var params = new URLSearchParams(window.location.search);
    var draftKey = "redress-draft:" + window.location.pathname;
    var status = form.querySelector(".form-status");
    var key = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();

    // The invitation link carries t (token), p (product) and r (review). 1024 is the
    // longest token the inbox reads (TOKEN_MAX in tokens.py): an order's own link that
    // names its products may be longer than 512, and cut short it would not verify.
    ["t", "r"].forEach(function (name) {
      var input = form.elements.namedItem(name);
      if (input && !input.value && params.get(name)) input.value = params.get(name).slice(0, 1024);
    });
    // A follow-up answers one review: with neither the link's review nor its token, nothing
    // ties it to one, so the form is not offered and the note says to open the link.
    if (form.getAttribute("data-redress-form") === "follow-up") {
      var tied = ["t", "r"].some(function (name) {
        var input = form.elements.namedItem(name);
        return input && input.value;
      });
      var note = document.getElementById("needs-link");
      if (note) note.hidden = tied;
      if (!tied) { form.hidden = true; return; }
    }
    var product = form.elements.namedItem("p");
    if (product && product.tagName === "SELECT" && params.get("p")) {
      each(product.options, function (option) { if (option.value === params.get("p")) product.value = option.value; });
    }

    // A draft survives a closed tab.
    function field(name) { return form.elements.namedItem(name); }
    function read() {
      var draft = {};
      FIELDS.forEach(function (name) {
        var el = field(name);
        if (!el) return;
        if (el.length !== undefined && el.tagName !== "SELECT") {
          each(el, function (radio) { if (radio.checked) draft[name] = radio.value; });
        } else if (el.type !== "hidden") {
          draft[name] = el.value;
        }
      });
      return draft;
    }
    function restore() {
      var draft;
      try { draft = JSON.parse(window.localStorage.getItem(draftKey) || "null"); } catch (e) { draft = null; }
      if (!draft) return;
      FIELDS.forEach(function (name) {
        var el = field(name), value = draft[name];
        if (!el || value === undefined || value === "") return;
        if (el.length !== undefined && el.tagName !== "SELECT") {
          each(el, function (radio) { if (!form.querySelector("[name=" + name + "]:checked")) radio.checked = radio.value === value; });
        } else if (!el.value || el.tagName === "SELECT") {
          el.value = value;
        }
      });
    }
    var timer = null, sent = false;
    function store() {
      if (sent) return;
      try { window.localStorage.setItem(draftKey, JSON.stringify(read())); } catch (e) { /* storage may be off */ }
    }
    function save() {
      clearTimeout(timer);
      timer = setTimeout(store, 300);
    }
    function forget() {
      sent = true;
      clearTimeout(timer);  // a save still waiting would bring the sent draft back
      try { window.localStorage.removeItem(draftKey); } catch (e) { /* ignore */ }
    }
    restore();
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    // A tab closed within the 300 ms still keeps the last keystrokes.
    window.addEventListener("pagehide", function () { clearTimeout(timer); store(); });

    // The phone keyboard's "Next" key (enterkeyhint="next") sends Enter, which would
    // send the form: go to the next field instead.
    form.addEventListener("keydown", function (event) {
      var el = event.target;
      if (event.key !== "Enter" || event.isComposing || el.getAttribute("enterkeyhint") !== "next") return;
      var fields = Array.prototype.filter.call(form.elements, function (f) {
        return f.type !== "hidden" && !f.disabled && f.tabIndex >= 0 && !f.closest("[aria-hidden=true]");
      });
      var next = fields[fields.indexOf(el) + 1];
      if (next) { event.preventDefault(); next.focus(); }
    });

    // A character counter under the text.
    var text = field("text"), counter = form.querySelector("#text-counter");
    function count() {
      if (!text || !counter || !text.maxLength || text.maxLength < 0) return;
      counter.hidden = false;
      var lang = document.documentElement.lang || undefined;
      counter.textContent = form.getAttribute("data-counter")
        .replace("%(count)s", text.value.length.toLocaleString(lang))
        .replace("%(max)s", text.maxLength.toLocaleString(lang));
    }
    if (text) { text.addEventListener("input", count); count(); }

    // Errors next to each field, in the page's language.
    function show(name, message) {
      var box = form.querySelector("#" + name + "-error");
      var el = field(name);
      var target = (el && el.length !== undefined && el.tagName !== "SELECT") ? el[0].closest("fieldset") : el;
      if (box) { box.textContent = message || ""; box.hidden = !message; }
      if (target) { if (message) target.setAttribute("aria-invalid", "true"); else target.removeAttribute("aria-invalid"); }
    }
    function check() {
      var first = null;
      each(form.querySelectorAll("[data-msg-required],[data-msg-short],[data-msg-type]"), function (el) {
        var v = el.validity, message = "";
        if (v.valueMissing) message = el.getAttribute("data-msg-required");
        else if (v.tooShort || (el.minLength > 0 && el.value.trim().length < el.minLength)) message = el.getAttribute("data-msg-short");
        else if (v.typeMismatch) message = el.getAttribute("data-msg-type");
        show(el.name, message);
        if (message && !first) first = el;
      });
      if (first) first.focus();
      return !first;
    }
    form.noValidate = true;

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!check()) return;
      var body = new URLSearchParams(new FormData(form));
      body.set("key", key);
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      status.textContent = form.getAttribute("data-sending");
      fetch(form.action, {
        method: "POST",
        body: body,
        headers: { "Accept": "application/json" },
        credentials: "omit"
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (response.ok) {
            forget();
            var thanks = document.createElement("div");
            thanks.className = "thanks";
            thanks.setAttribute("tabindex", "-1");
            var heading = document.createElement("h2");
            heading.textContent = data.title || form.getAttribute("data-thanks-title");
            var p = document.createElement("p");
            p.textContent = data.message || form.getAttribute("data-thanks-text");
            thanks.appendChild(heading);
            thanks.appendChild(p);
            form.replaceWith(thanks);
            thanks.focus();
            return;
          }
          var errors = data.errors || {};
          Object.keys(errors).forEach(function (name) { show(name, String(errors[name])); });
          status.textContent = data.message || form.getAttribute("data-failed");
          button.disabled = false;
        });
      }).catch(function () {
        status.textContent = form.getAttribute("data-failed");
        button.disabled = false;
      });
    });
  }

  each(document.querySelectorAll("form[data-redress-form]"), setup);
})();
