// Progressive enhancement for /sparql: Ctrl/Cmd+Enter runs the query, Tab indents.
(function () {
  "use strict";
  var form = document.getElementById("sparql-form");
  var editor = document.getElementById("query");
  if (!form || !editor) { return; }
  editor.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.submit();
    } else if (event.key === "Tab" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey
               && editor.dataset.tabIndents === "true") {
      event.preventDefault();
      var start = editor.selectionStart;
      editor.setRangeText("  ", start, editor.selectionEnd, "end");
    }
  });
  // Tab indents only after the user clicks into the editor, and Escape gives Tab back to the page
  // (so keyboard users are never trapped in the text area).
  editor.addEventListener("mousedown", function () { editor.dataset.tabIndents = "true"; });
  editor.addEventListener("keyup", function (event) {
    if (event.key === "Escape") { editor.dataset.tabIndents = "false"; }
  });
  editor.addEventListener("blur", function () { editor.dataset.tabIndents = "false"; });
})();
