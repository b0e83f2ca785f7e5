// Beheer: never lose typed text. Every <form data-bewaren="{soort}/{adres}" data-bewaren-account="{id}">
// is kept in localStorage while you type (per account and per form, so two editors on one machine do
// not mix), offered back after a reload, a crash or an expired session, and forgotten once the server
// says it was saved (an element with data-bewaren-opgeslagen on the next page). Leaving a form with
// unsaved changes asks first. Without JavaScript, or without storage, the forms work as before.
// Load it before beheer.js: a copy put back on page load is then in place before the pickers are built.
(function () {
  "use strict";

  var PREFIX = "toolbox-bewaren:";
  var SENT = "toolbox-bewaren-verstuurd"; // sessionStorage: the form sent last, until it is saved
  var MAX_AGE = 30 * 24 * 3600 * 1000; // copies older than this are removed
  var DELAY = 700; // ms after the last keystroke

  function usable(name) {
    try {
      var store = window[name];
      store.setItem(PREFIX + "test", "1");
      store.removeItem(PREFIX + "test");
      return store;
    } catch (e) {
      return null;
    }
  }

  var local = usable("localStorage");
  var session = usable("sessionStorage");
  if (!local) return;

  function read(key) {
    try {
      var copy = JSON.parse(local.getItem(key) || "null");
      return copy && Array.isArray(copy.fields) && typeof copy.saved === "number" ? copy : null;
    } catch (e) {
      return null;
    }
  }

  function kept(name) { // fields that are not the editor's text: tokens, buttons, merge choices
    return name && name !== "csrf_token" && name !== "actie" && name !== "samenvoegen" &&
      name.indexOf("keuze-") !== 0;
  }

  function snapshot(form) {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el.name) || el.disabled) return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) fields.push([el.name, el.value]);
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { if (o.selected && o.value) fields.push([el.name, o.value]); });
      } else if (el.tagName === "TEXTAREA" || el.tagName === "INPUT") {
        if (el.type !== "submit" && el.type !== "button") fields.push([el.name, el.value]);
      }
    });
    return fields;
  }

  function text(fields) { // what counts as a difference: everything but the version token
    return JSON.stringify(fields.filter(function (f) { return f[0] !== "versie"; }));
  }

  function restore(form, fields) {
    var values = {};
    fields.forEach(function (f) { (values[f[0]] = values[f[0]] || []).push(f[1]); });
    var used = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!kept(el.name)) return;
      var wanted = values[el.name] || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = wanted.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = wanted.indexOf(o.value) !== -1; });
        if (el.multiple && el.hasAttribute("data-order")) {  // the kept order is the ranking: put it back
          wanted.slice().reverse().forEach(function (value) {
            var o = Array.prototype.find.call(el.options, function (x) { return x.value === value; });
            if (o) o.parentNode.insertBefore(o, o.parentNode.firstChild);
          });
        }
        if (!el.multiple && !wanted.length) el.value = "";
      } else if (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type !== "submit" && el.type !== "button")) {
        var i = used[el.name] || 0;
        used[el.name] = i + 1;
        if (el.name === "versie" && i >= wanted.length) return;
        el.value = i < wanted.length ? wanted[i] : "";
      } else {
        return;
      }
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function when(ms) {
    try {
      return new Date(ms).toLocaleString("nl-NL", { day: "numeric", month: "long", year: "numeric",
        hour: "2-digit", minute: "2-digit" });
    } catch (e) {
      return new Date(ms).toISOString();
    }
  }

  function tidy(account) {
    var now = Date.now();
    for (var i = local.length - 1; i >= 0; i -= 1) {
      var key = local.key(i);
      if (!key || key.indexOf(PREFIX + account + ":") !== 0) continue;
      var copy = read(key);
      if (!copy || now - copy.saved > MAX_AGE) local.removeItem(key);
    }
  }

  // After a save the server marks the page; the copy of the form that was sent can go.
  function pending() {
    try {
      return session && JSON.parse(session.getItem(SENT) || "null");
    } catch (e) {
      return null;
    }
  }

  var sent = pending();
  if (sent && document.querySelector("[data-bewaren-opgeslagen]")) {
    local.removeItem(sent.key);
    session.removeItem(SENT);
  }

  // A submit of another form (archive, log out, restore a version) is not a save of this text.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!session || form.hasAttribute("data-bewaren")) return;
    var last = pending();
    if (last && last.action !== form.action) session.removeItem(SENT);
  });

  function notice(form, kind, message) {
    var box = document.createElement("div");
    box.className = "utrecht-alert utrecht-alert--" + kind + " bewaren-aanbod";
    box.setAttribute("role", "status");
    var inner = document.createElement("div"); // one block: the alert's own layout puts children side by side
    var p = document.createElement("p");
    p.className = "utrecht-paragraph";
    p.textContent = message;
    inner.appendChild(p);
    box.appendChild(inner);
    form.parentNode.insertBefore(box, form);
    return { box: box, inner: inner, text: p };
  }

  function button(label, primary) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "utrecht-button utrecht-button--" + (primary ? "primary-action" : "secondary-action");
    b.textContent = label;
    return b;
  }

  function keep(form) {
    var account = form.getAttribute("data-bewaren-account");
    if (!account) return;
    tidy(account);
    var key = PREFIX + account + ":" + form.getAttribute("data-bewaren");
    var posted = form.hasAttribute("data-bewaren-onopgeslagen"); // a refused save: the form is unsaved
    var initial = text(snapshot(form));
    var dirty = posted;
    var paused = false;
    var submitting = false;
    var timer = null;

    function store() {
      timer = null;
      if (paused) return;
      var fields = snapshot(form);
      dirty = posted || text(fields) !== initial;
      if (!dirty) {
        local.removeItem(key);
        return;
      }
      try {
        local.setItem(key, JSON.stringify({ saved: Date.now(), url: location.pathname, fields: fields }));
      } catch (e) { /* storage full: the warning before leaving still protects the text */ }
    }

    function later() {
      dirty = true;
      if (timer) window.clearTimeout(timer);
      timer = window.setTimeout(store, DELAY);
    }

    var copy = read(key);
    var resuming = form.hasAttribute("data-bewaren-herstel");
    if (resuming) {
      // Back after an expired session: the server may have put the posted text back already (then the copy
      // is the same). Either way the flag leaves the address, so a reload does not put it back a second time.
      if (document.getElementById("tekst-terug")) dirty = true;
      if (window.history && history.replaceState) {
        history.replaceState(null, "", location.pathname + location.search.replace(/([?&])herstel=1(&|$)/, "$1")
          .replace(/[?&]$/, ""));
      }
    }
    if (copy && text(copy.fields) !== initial) {
      if (resuming) {
        restore(form, copy.fields);
        dirty = true;
        notice(form, "ok", "Je sessie was verlopen. De tekst die je op " + when(copy.saved) +
          " had getypt, staat weer in het formulier; er is nog niets opgeslagen. Controleer hem en sla op.");
      } else {
        paused = true; // the copy stays as it is until the editor chooses
        var shown = notice(form, "warning", "Er is niet-opgeslagen tekst van " + when(copy.saved) +
          " in deze browser bewaard.");
        var row = document.createElement("div");
        row.className = "button-row-inline";
        var back = button("Terugzetten", true);
        var drop = button("Weggooien", false);
        row.appendChild(back);
        row.appendChild(drop);
        shown.inner.appendChild(row);
        back.addEventListener("click", function () {
          restore(form, copy.fields);
          paused = false;
          store();
          shown.inner.removeChild(row);
          shown.text.textContent = "De tekst van " + when(copy.saved) + " staat weer in het formulier. " +
            "Er is nog niets opgeslagen.";
          shown.box.className = "utrecht-alert utrecht-alert--ok bewaren-aanbod";
        });
        drop.addEventListener("click", function () {
          local.removeItem(key);
          paused = false;
          store();
          shown.inner.removeChild(row);
          shown.text.textContent = "De bewaarde tekst is weggegooid.";
        });
      }
    } else if (copy && !posted) {
      local.removeItem(key); // the same as what the server has
    }

    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function () {
      submitting = true;
      if (timer) window.clearTimeout(timer);
      paused = false;
      store();
      if (!dirty) local.setItem(key, JSON.stringify({ saved: Date.now(), url: location.pathname,
        fields: snapshot(form) }));
      if (session) session.setItem(SENT, JSON.stringify({ key: key, action: form.action }));
      window.setTimeout(function () { submitting = false; }, 1000); // if the submit did not leave the page
    });
    window.addEventListener("pagehide", function () { if (timer) store(); });
    window.addEventListener("beforeunload", function (event) {
      if (submitting || !dirty) return;
      if (timer) store();
      event.preventDefault();
      event.returnValue = "";
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-bewaren]"), keep);
})();
