// Beheer: search-as-you-type pickers over <select multiple data-picker> (WAI-ARIA combobox with a listbox).
// Without JavaScript the plain multiple-choice lists work as they are; this only enhances them.
// The original <select> stays in the form (hidden) and remains what is submitted.
// Searches the label, the group, the alternative names (data-alt) and search words (data-zoek);
// shows a short description (data-desc). Typed text stays until an option is chosen or the text is
// cleared; text that was not chosen is never dropped silently: the field says so, and the form is not
// sent until it is resolved.
// An ordered picker (data-order: the top-3, where the order is the ranking) numbers its choices and lets
// the editor move them: buttons, arrow keys on a chosen item, or dragging. Moving reorders the <option>s,
// so the form sends them in the new order.
(function () {
  "use strict";

  function fold(text) {
    return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  var pickers = [];

  function enhance(select) {
    var label = document.querySelector('label[for="' + select.id + '"]');
    var name = select.getAttribute("data-label") || (label ? label.textContent.trim() : "keuze");
    var max = parseInt(select.getAttribute("data-max") || "0", 10);
    var ordered = select.hasAttribute("data-order");
    var baseId = select.id;
    var options = Array.prototype.slice.call(select.options).map(function (o) {
      var group = o.parentNode && o.parentNode.tagName === "OPTGROUP" ? o.parentNode.label : "";
      var alt = o.getAttribute("data-alt") || "";
      var hidden = o.getAttribute("data-zoek") || "";  // search words: found, never shown
      return {
        option: o, label: o.textContent, group: group, alt: alt, description: o.getAttribute("data-desc") || "",
        key: fold(o.textContent + " " + group + " " + alt + " " + hidden)
      };
    });
    options.forEach(function (item) { item.option.pickerItem = item; });

    var wrap = document.createElement("div");
    wrap.className = "picker";

    var chosen = document.createElement(ordered ? "ol" : "ul");
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
    var noticeId = baseId + "-melding";
    var described = [select.getAttribute("aria-describedby"), hintId].filter(Boolean).join(" ");
    input.setAttribute("aria-describedby", described);
    if (select.getAttribute("aria-invalid")) input.setAttribute("aria-invalid", "true");
    if (select.getAttribute("aria-required")) input.setAttribute("aria-required", "true");
    input.placeholder = "Typ om te zoeken";

    var hint = document.createElement("p");
    hint.className = "visually-hidden";
    hint.id = hintId;
    hint.textContent = "Typ een deel van de naam of een andere naam; de eerste treffer is gemarkeerd. " +
      "Kies met pijltjes en Enter, Escape sluit de lijst of maakt het veld leeg. " +
      "Gekozen waarden staan erboven, met een knop om ze te verwijderen." +
      (ordered ? " De volgorde is de rangorde: verplaats een gekozen waarde met de knoppen hoger en lager, " +
        "met pijl omhoog en omlaag als ze de focus heeft, of door te slepen." : "");

    // Visible notice: typed text that was not added, or the maximum reached.
    var notice = document.createElement("p");
    notice.className = "picker-notice";
    notice.id = noticeId;
    notice.hidden = true;

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
    wrap.appendChild(notice);
    wrap.appendChild(list);
    wrap.appendChild(status);
    select.parentNode.insertBefore(wrap, select.nextSibling);

    var active = -1;
    var shown = [];

    function say(text) { status.textContent = text; }

    function showNotice(text) {
      notice.textContent = text;
      notice.hidden = !text;
      var ids = described.split(" ").filter(function (id) { return id && id !== noticeId; });
      if (text) ids.push(noticeId);
      input.setAttribute("aria-describedby", ids.join(" "));
    }

    function selectedInOrder() {  // the options as the form sends them: in document order
      return Array.prototype.filter.call(select.options, function (o) { return o.selected; });
    }

    function move(item, delta) {
      var picked = selectedInOrder();
      var from = picked.indexOf(item.option);
      var to = from + delta;
      if (from < 0 || to < 0 || to >= picked.length) return;
      var target = picked[to];
      target.parentNode.insertBefore(item.option, delta < 0 ? target : target.nextSibling);
      renderChosen();
      select.dispatchEvent(new Event("input", { bubbles: true }));  // bewaren.js keeps the new order
      var moved = chosen.querySelector('[data-waarde="' + CSS.escape(item.option.value) + '"]');
      if (moved) moved.focus();
      say(item.label + " staat nu op plaats " + (to + 1) + " van " + picked.length + ".");
    }

    function moveButton(item, delta, rank, count) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "picker-move";
      b.textContent = delta < 0 ? "▲" : "▼";
      b.setAttribute("aria-label", (delta < 0 ? "Zet hoger: " : "Zet lager: ") + item.label);
      b.disabled = delta < 0 ? rank === 0 : rank === count - 1;
      b.addEventListener("click", function () { move(item, delta); });
      return b;
    }

    var dragged = null;

    function orderControls(li, item, rank, count) {
      li.tabIndex = 0;
      li.setAttribute("data-waarde", item.option.value);
      li.setAttribute("aria-label", (rank + 1) + ". " + item.label);
      li.draggable = true;
      li.addEventListener("keydown", function (event) {
        if (event.target !== li) return;
        if (event.key === "ArrowUp") { event.preventDefault(); move(item, -1); }
        else if (event.key === "ArrowDown") { event.preventDefault(); move(item, 1); }
      });
      li.addEventListener("dragstart", function (event) {
        dragged = item;
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", item.label);
      });
      li.addEventListener("dragover", function (event) { if (dragged) event.preventDefault(); });
      li.addEventListener("drop", function (event) {
        event.preventDefault();
        if (!dragged || dragged === item) return;
        var picked = selectedInOrder();
        var delta = picked.indexOf(item.option) - picked.indexOf(dragged.option);
        var from = dragged;
        dragged = null;
        move(from, delta);
      });
      li.addEventListener("dragend", function () { dragged = null; });
      li.appendChild(moveButton(item, -1, rank, count));
      li.appendChild(moveButton(item, 1, rank, count));
    }

    function renderChosen() {
      chosen.innerHTML = "";
      var picked = selectedInOrder();
      picked.forEach(function (option, rank) {
        var item = option.pickerItem;
        if (!item) return;
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
          say(item.label + " verwijderd.");
          input.focus();
        });
        li.appendChild(text);
        if (ordered) orderControls(li, item, rank, picked.length);
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
        showNotice("Je kunt hier hooguit " + max + " kiezen. Verwijder er eerst een.");
        say(notice.textContent);
        return;
      }
      item.option.selected = true;
      renderChosen();
      input.value = "";
      showNotice("");
      say(item.label + " gekozen.");
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
        li.id = baseId + "-optie-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var main = document.createElement("span");
        main.className = "picker-label";
        main.textContent = item.label;
        li.appendChild(main);
        if (item.group) {
          var group = document.createElement("span");
          group.className = "group";
          group.textContent = " · " + item.group;
          li.appendChild(group);
        }
        var inLabel = function (w) { return fold(item.label + " " + item.group).indexOf(w) !== -1; };
        var inAlt = function (w) { return fold(item.alt).indexOf(w) !== -1; };
        if (item.alt && words.length && !words.every(inLabel) && words.some(inAlt)) {
          var alt = document.createElement("span");
          alt.className = "alt";
          alt.textContent = " (ook: " + item.alt + ")";
          li.appendChild(alt);
        }
        if (item.description) {
          var desc = document.createElement("span");
          desc.className = "desc";
          desc.textContent = item.description;
          li.appendChild(desc);
        }
        li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(item); });
        list.appendChild(li);
      });
      var open = shown.length > 0 && (words.length > 0 || document.activeElement === input);
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      active = -1;
      // With text typed, the first match is highlighted: Enter takes it.
      if (open && words.length) setActive(0);
      if (open && list.scrollIntoView) list.scrollIntoView({ block: "nearest" });
      say(shown.length ? shown.length + (shown.length === 1 ? " mogelijkheid." : " mogelijkheden.")
        : "Niets gevonden voor ‘" + input.value.trim() + "’.");
    }

    function leftover() {
      var text = input.value.trim();
      if (!text) { showNotice(""); return ""; }
      showNotice("‘" + text + "’ is niet toegevoegd: kies een van de mogelijkheden uit de lijst, " +
        "of maak het zoekveld leeg.");
      return text;
    }

    input.addEventListener("input", function () { showNotice(""); update(); });
    input.addEventListener("focus", function () { if (input.value) update(); });
    input.addEventListener("blur", function () {
      window.setTimeout(function () {
        if (document.activeElement === input) return;
        close();
        leftover();
      }, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) update();
        if (!list.hidden) setActive(Math.min(active + 1, shown.length - 1));
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (!list.hidden) setActive(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        // Never submit the form from the search box.
        event.preventDefault();
        if (!list.hidden && active >= 0 && shown[active]) choose(shown[active]);
        else if (input.value.trim() && shown.length) choose(shown[0]);
        else if (input.value.trim()) { leftover(); say(notice.textContent); }
      } else if (event.key === "Escape") {
        if (!list.hidden) { event.preventDefault(); close(); }
        else if (input.value) { event.preventDefault(); input.value = ""; showNotice(""); say("Zoekveld leeg."); }
      }
    });

    // Another script set the choices (bewaren.js putting a kept copy back, samenvoegen.js): show them.
    select.addEventListener("change", renderChosen);
    renderChosen();
    pickers.push({ input: input, leftover: leftover });
  }

  Array.prototype.forEach.call(document.querySelectorAll("select[multiple][data-picker]"), enhance);

  // A form is not sent while a picker holds text that was not chosen: the editor decides.
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    form.addEventListener("submit", function (event) {
      var open = pickers.filter(function (p) { return form.contains(p.input) && p.leftover(); });
      if (open.length) {
        event.preventDefault();
        open[0].input.focus();
      }
    });
  });
})();
