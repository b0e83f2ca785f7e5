// "Mijn aanpak": keeps the plan's link up to date while you tick and type, and remembers the last
// plan in this browser (localStorage). Without JavaScript the form's "Plan bijwerken" does the same.
(function () {
  var KEY = "mijn-aanpak";
  var form = document.getElementById("aanpak");
  var resume = document.getElementById("verder-met-aanpak");
  var saved = null;
  try { saved = window.localStorage.getItem(KEY); } catch (e) { saved = null; }
  if (resume && saved) {
    resume.href = resume.dataset.base + "?" + saved;
    resume.parentNode.hidden = false;
  }
  if (!form) return;
  var link = document.getElementById("plan-link");
  var md = document.getElementById("export-md");
  var csv = document.getElementById("export-csv");
  var print = document.getElementById("afdrukken");
  function update() {
    var query = new URLSearchParams(new FormData(form));
    Array.from(query.keys()).forEach(function (k) { if (!query.get(k) && k !== "stap") query.delete(k); });
    var text = query.toString();
    var path = form.getAttribute("action") + "?" + text;
    window.history.replaceState(null, "", path);
    try { window.localStorage.setItem(KEY, text); } catch (e) { /* private mode */ }
    if (link) link.value = window.location.origin + path;
    if (md) md.href = path + "&format=md";
    if (csv) csv.href = path + "&format=csv";
  }
  form.addEventListener("change", update);
  form.addEventListener("input", update);
  if (print) {
    print.hidden = false;
    print.addEventListener("click", function () { window.print(); });
  }
  update();
})();
