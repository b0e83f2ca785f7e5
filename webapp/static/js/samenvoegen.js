// Beheer, conflict screen: choosing "hun versie" or "mijn versie" for a field puts that side's value in
// the case form below, so the form shows what will be saved. Typing in such a field afterwards makes it
// the editor's own again ("mijn versie"). Without JavaScript the server applies the choices itself
// (webapp/beheer/conflict.py); with it, the form and the choices simply agree.
(function () {
  "use strict";

  var form = document.getElementById("casusformulier");
  var blocks = document.querySelectorAll("fieldset.verschil[data-veld]");
  if (!form || !blocks.length) return;
  var syncing = false;

  function values(raw) {
    try {
      var value = JSON.parse(raw);
      return Array.isArray(value) ? value : [value == null ? "" : String(value)];
    } catch (e) {
      return [""];
    }
  }

  function put(name, wanted) {
    syncing = true;
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name) return;
      if (el.type === "checkbox") {
        el.checked = wanted.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = wanted.indexOf(o.value) !== -1; });
        if (!el.multiple && !wanted[0]) el.value = "";
      } else if (el.tagName === "TEXTAREA" || el.tagName === "INPUT") {
        el.value = wanted[0] || "";
      } else {
        return;
      }
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
    syncing = false;
  }

  var byName = {};
  Array.prototype.forEach.call(blocks, function (block) {
    var name = block.getAttribute("data-veld");
    var sides = { mijn: values(block.getAttribute("data-mijn")), hun: values(block.getAttribute("data-hun")) };
    var radios = block.querySelectorAll('input[type="radio"]');
    byName[name] = radios;
    Array.prototype.forEach.call(radios, function (radio) {
      radio.addEventListener("change", function () { if (radio.checked) put(name, sides[radio.value]); });
      if (radio.checked && radio.value === "hun") put(name, sides.hun); // preset: only they changed it
    });
  });

  // The editor's own edit of a field wins over a choice made above it.
  form.addEventListener("input", function (event) {
    var radios = byName[event.target.name];
    if (syncing || !radios) return;
    Array.prototype.forEach.call(radios, function (r) { r.checked = r.value === "mijn"; });
  });
})();
