/* Searchable pickers: every <select data-searchable> becomes a Tom Select box (type to filter, pick
   several, remove with ×). Without JavaScript, or before this runs, it stays a plain select that
   submits the same values. Loaded by templates/_pickers.html with the vendored Tom Select. */
(function () {
  "use strict";
  // A <select data-narrow-by="ID" data-parents='{"option value": "parent code"}'> offers only the options
  // whose parent is the value of select#ID (every option, grouped, while that is blank): the need form's
  // 细分领域 follows its 技术领域. Without JavaScript the full grouped list stays and the server checks.
  function narrower(select) {
    var parent = document.getElementById(select.getAttribute("data-narrow-by"));
    var parents;
    try {
      parents = JSON.parse(select.getAttribute("data-parents") || "{}");
    } catch (e) {
      return;
    }
    if (!parent) {
      return;
    }
    var all = Array.prototype.map.call(select.children, function (node) {
      return node.cloneNode(true);
    });
    function offered(option, field) {
      return !field || !option.value || parents[option.value] === field;
    }
    function narrow() {
      var field = parent.value;
      var value = select.value;
      while (select.firstChild) {
        select.removeChild(select.firstChild);
      }
      all.forEach(function (node) {
        var copy = node.cloneNode(true);
        var options = copy.tagName === "OPTGROUP" ? copy.querySelectorAll("option") : [copy];
        var kept = Array.prototype.some.call(options, function (o) { return offered(o, field); });
        if (kept) {
          select.appendChild(copy);
        }
      });
      select.value = value;
      if (select.value !== value) {
        select.value = "";  // another field's sub-field is no longer a choice
      }
      if (select.tomselect) {
        // Drop Tom Select's copy of the options, then read the narrowed select again.
        select.tomselect.clearOptions(function () { return false; });
        select.tomselect.sync();
      }
    }
    parent.addEventListener("change", narrow);
    narrow();
  }
  document.querySelectorAll("select[data-narrow-by]").forEach(narrower);
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
      // A single choice with a blank option ("不细分") can be set back to blank.
      allowEmptyOption: !select.multiple,
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
