// Keeps ticked checklist items in the browser (localStorage), per checklist.
// Without JavaScript the form still works: ticks travel in the URL for print and export.
(function () {
  var form = document.getElementById("checklist");
  if (!form) return;
  var key = form.dataset.key;
  var boxes = Array.prototype.slice.call(form.querySelectorAll('input[type="checkbox"]'));
  var progress = document.getElementById("voortgang");
  var clear = document.getElementById("wis");
  var fromUrl = new URLSearchParams(window.location.search).getAll("v");
  var saved = [];
  try { saved = JSON.parse(window.localStorage.getItem(key) || "[]"); } catch (e) { saved = []; }
  var ticked = fromUrl.length ? fromUrl : saved;
  boxes.forEach(function (box) { box.checked = ticked.indexOf(box.value) !== -1; });
  function update() {
    var values = boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    try { window.localStorage.setItem(key, JSON.stringify(values)); } catch (e) { /* private mode */ }
    progress.textContent = values.length + " van " + boxes.length + " vragen afgevinkt";
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  if (clear) {
    clear.hidden = false;
    clear.addEventListener("click", function () { boxes.forEach(function (b) { b.checked = false; }); update(); });
  }
  update();
})();

// The print view: a button that opens the browser's print dialog (shown only when JavaScript runs).
(function () {
  var button = document.getElementById("afdrukken");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
