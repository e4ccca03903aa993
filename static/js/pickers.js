/* Searchable pickers: every <select data-searchable> becomes a Tom Select box (type to filter, pick
   several, remove with ×). Without JavaScript, or before this runs, it stays a plain select that
   submits the same values. Loaded by templates/_pickers.html with the vendored Tom Select. */
(function () {
  "use strict";
  // A <select data-narrow-by="ID" data-parents='{"option value": "parent code"}'> offers only the options
  // whose parent is a value of select#ID (every option, grouped, while none is chosen): the need form's
  // 细分领域 follows its 技术领域, the provider profile's 细分领域 (several) its 技术领域 (several).
  // Without JavaScript the full grouped list stays and the server checks.
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
    function chosen(node) {
      return Array.prototype.filter.call(node.options, function (o) { return o.selected && o.value; })
        .map(function (o) { return o.value; });
    }
    function offered(option, fields) {
      return !fields.length || !option.value || fields.indexOf(parents[option.value]) !== -1;
    }
    var shown = null;  // the fields the options were last narrowed to
    function narrow() {
      var fields = chosen(parent);
      if (shown !== null && fields.join(" ") === shown) {
        return;  // a change event without a new choice (Tom Select sends some): leave the picker be
      }
      shown = fields.join(" ");
      var values = chosen(select);
      if (select.tomselect) {
        // Empty Tom Select first (its items, then its options): an item whose option is gone breaks
        // its rendering. Emptying it also unselects the options, hence `values` read before.
        select.tomselect.clear(true);
        select.tomselect.clearOptions(function () { return false; });
      }
      while (select.firstChild) {
        select.removeChild(select.firstChild);
      }
      all.forEach(function (node) {
        var copy = node.cloneNode(true);
        if (copy.tagName !== "OPTGROUP") {
          if (offered(copy, fields)) {
            select.appendChild(copy);
          }
          return;
        }
        // A group (one field's sub-fields) stays with the options of it that are offered.
        Array.prototype.forEach.call(copy.querySelectorAll("option"), function (o) {
          if (!offered(o, fields)) {
            copy.removeChild(o);
          }
        });
        if (copy.querySelector("option")) {
          select.appendChild(copy);
        }
      });
      // What was chosen stays chosen while still offered; another field's sub-field is dropped.
      Array.prototype.forEach.call(select.options, function (o) {
        o.selected = values.indexOf(o.value) !== -1;
      });
      if (!select.multiple && !chosen(select).length && select.options.length && !select.options[0].value) {
        select.options[0].selected = true;  // back to the blank choice ("不细分")
      }
      if (select.tomselect) {
        select.tomselect.sync();  // read the narrowed options and what is chosen again
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
      // Filter as each key is typed: the lists are short and local, and Tom Select's default 300 ms
      // delay re-opened the list after a quick click on an option had closed it.
      refreshThrottle: 0,
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
