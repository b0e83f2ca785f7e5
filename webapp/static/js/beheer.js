// Beheer: search-as-you-type pickers over <select multiple data-picker>, and focus on errors.
// Without JavaScript the plain multiple-choice lists work as they are; this only enhances them.
// The original <select> stays in the form (hidden) and remains what is submitted.
(function () {
  "use strict";

  function fold(text) {
    return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  var counter = 0;

  function enhance(select) {
    counter += 1;
    var label = document.querySelector('label[for="' + select.id + '"]');
    var name = select.getAttribute("data-label") || (label ? label.textContent : "keuze");
    var max = parseInt(select.getAttribute("data-max") || "0", 10);
    var baseId = select.id;
    var options = Array.prototype.slice.call(select.options).map(function (o) {
      var group = o.parentNode && o.parentNode.tagName === "OPTGROUP" ? o.parentNode.label : "";
      return { option: o, label: o.textContent, group: group, key: fold(o.textContent + " " + group) };
    });

    var wrap = document.createElement("div");
    wrap.className = "picker";

    var chosen = document.createElement("ul");
    chosen.className = "picker-chosen";
    chosen.setAttribute("aria-label", "Gekozen: " + name);

    var input = document.createElement("input");
    input.type = "text";
    input.className = "utrecht-textbox utrecht-textbox--html-input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    var listId = baseId + "-lijst";
    input.setAttribute("aria-controls", listId);
    var hintId = baseId + "-uitleg";
    var described = [select.getAttribute("aria-describedby"), hintId].filter(Boolean).join(" ");
    input.setAttribute("aria-describedby", described);
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
    if (select.getAttribute("aria-required")) input.setAttribute("aria-required", "true");
    input.placeholder = "Typ om te zoeken";

    var hint = document.createElement("p");
    hint.className = "visually-hidden";
    hint.id = hintId;
    hint.textContent = "Typ een deel van de naam; kies met pijltjes en Enter. Gekozen waarden staan erboven, met een knop om ze te verwijderen.";

    var list = document.createElement("ul");
    list.className = "picker-list";
    list.id = listId;
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", name);
    list.hidden = true;

    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");

    // The label now names the search box; the select keeps its name for the form.
    select.id = baseId + "-select";
    input.id = baseId;
    select.hidden = true;
    select.setAttribute("aria-hidden", "true");
    select.tabIndex = -1;

    wrap.appendChild(chosen);
    wrap.appendChild(input);
    wrap.appendChild(hint);
    wrap.appendChild(list);
    wrap.appendChild(status);
    select.parentNode.insertBefore(wrap, select.nextSibling);

    var active = -1;
    var shown = [];

    function renderChosen() {
      chosen.innerHTML = "";
      options.forEach(function (item) {
        if (!item.option.selected) return;
        var li = document.createElement("li");
        var text = document.createElement("span");
        text.textContent = item.label;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", "Verwijder " + item.label);
        remove.addEventListener("click", function () {
          item.option.selected = false;
          renderChosen();
          status.textContent = item.label + " verwijderd.";
          input.focus();
        });
        li.appendChild(text);
        li.appendChild(remove);
        chosen.appendChild(li);
      });
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function setActive(index) {
      var items = list.querySelectorAll("li");
      items.forEach(function (li) { li.setAttribute("aria-selected", "false"); });
      if (index < 0 || index >= items.length) { active = -1; input.removeAttribute("aria-activedescendant"); return; }
      active = index;
      items[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({ block: "nearest" });
    }

    function choose(item) {
      var count = options.filter(function (o) { return o.option.selected; }).length;
      if (max && count >= max) {
        status.textContent = "Je kunt hier hooguit " + max + " kiezen.";
        return;
      }
      item.option.selected = true;
      renderChosen();
      input.value = "";
      status.textContent = item.label + " gekozen.";
      close();
      input.focus();
    }

    function update() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      shown = options.filter(function (item) {
        if (item.option.selected) return false;
        return words.every(function (w) { return item.key.indexOf(w) !== -1; });
      }).slice(0, 60);
      list.innerHTML = "";
      shown.forEach(function (item, i) {
        var li = document.createElement("li");
        li.id = baseId + "-optie-" + counter + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = item.label;
        if (item.group) {
          var group = document.createElement("span");
          group.className = "group";
          group.textContent = " · " + item.group;
          li.appendChild(group);
        }
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
        list.appendChild(li);
      });
      var open = shown.length > 0 && (words.length > 0 || document.activeElement === input);
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      active = -1;
      status.textContent = shown.length ? shown.length + " mogelijkheden." : "Niets gevonden.";
    }

    input.addEventListener("input", update);
    input.addEventListener("focus", function () { if (input.value) update(); });
    input.addEventListener("blur", function () { window.setTimeout(close, 150); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) update();
        setActive(Math.min(active + 1, shown.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        setActive(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        // Never submit the form from the search box.
        event.preventDefault();
        if (active >= 0 && shown[active]) choose(shown[active]);
        else if (shown.length === 1) choose(shown[0]);
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
      }
    });

    // Another script set the choices (bewaren.js putting a kept copy back, samenvoegen.js): show them.
    select.addEventListener("change", renderChosen);
    renderChosen();
  }

  Array.prototype.forEach.call(document.querySelectorAll("select[multiple][data-picker]"), enhance);

  // After a failed save, move focus to the list of problems so it is read out first.
  var errors = document.getElementById("foutmeldingen") || document.getElementById("conflict");
  if (errors) {
    if (!errors.hasAttribute("tabindex")) errors.setAttribute("tabindex", "-1");
    errors.focus();
  }
})();
