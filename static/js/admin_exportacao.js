/* Admin export page: "Select all" toggles every field checkbox (replaces the package's inline onchange). */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var todos = document.querySelector("input.select-toggle");
    if (!todos) return;
    todos.addEventListener("change", function () {
      document.querySelectorAll('.selectable-field-export-row input[type="checkbox"]').forEach(function (caixa) {
        caixa.checked = todos.checked;
      });
    });
  });
})();
