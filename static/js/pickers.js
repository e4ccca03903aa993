/* Searchable pickers: every <select data-searchable> becomes a Tom Select box (type to filter, pick
   several, remove with ×). Without JavaScript, or before this runs, it stays a plain select that
   submits the same values. Loaded by templates/_pickers.html with the vendored Tom Select. */
(function () {
  "use strict";
  if (typeof window.TomSelect === "undefined") {
    return;
  }
  function enhance(select) {
    if (select.tomselect) {
      return;
    }
    var options = {
      maxOptions: null,
      hidePlaceholder: true,
      closeAfterSelect: !select.multiple,
      placeholder: select.getAttribute("data-placeholder") || "",
      plugins: select.multiple ? ["remove_button"] : [],
      maxItems: select.multiple ? Number(select.getAttribute("data-max-items")) || null : 1,
      render: {
        no_results: function () {
          var div = document.createElement("div");
          div.className = "no-results";
          div.textContent = select.getAttribute("data-no-results") || "—";
          return div;
        }
      }
    };
    new window.TomSelect(select, options);
  }
  document.querySelectorAll("select[data-searchable]").forEach(enhance);
})();
