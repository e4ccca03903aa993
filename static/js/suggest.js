// Suggestions as you type for search boxes marked <input data-suggest="needs|providers|services">.
// The ARIA 1.2 combobox pattern: the input is the combobox, the list a listbox of options; ArrowDown /
// ArrowUp move through the options, Enter takes the highlighted one, Escape closes the list (a second
// Escape clears the box). No inline script or style: the page's CSP stays as it is. The endpoint is
// GET /api/v1/suggest (docs/search.md, "Suggestions"); its URL comes from this script tag's data-endpoint.
(function () {
  "use strict";
  var script = document.currentScript;
  var endpoint = (script && script.getAttribute("data-endpoint")) || "/api/v1/suggest";
  var DELAY = 120; // ms after the last key before asking
  var counter = 0;

  function attach(input) {
    var kind = input.getAttribute("data-suggest") || "needs";
    var id = "kc-suggest-" + (++counter);
    var list = document.createElement("ul");
    var options = [];
    var active = -1;
    var timer = null;
    var controller = null;
    var lastAsked = null;

    list.id = id;
    list.className = "dropdown-menu kc-suggest w-100";
    list.setAttribute("role", "listbox");
    list.setAttribute("data-bs-popper", "static"); // Bootstrap's rule that puts the menu under its parent
    list.setAttribute("aria-label", input.getAttribute("placeholder") || input.name);
    input.parentNode.classList.add("position-relative");
    input.parentNode.appendChild(list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", id);
    input.setAttribute("autocomplete", "off");

    function close() {
      list.classList.remove("show");
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      options.forEach(function (option, i) {
        var on = i === index;
        option.element.setAttribute("aria-selected", on ? "true" : "false");
        option.element.classList.toggle("active", on);
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].element.id);
        options[index].element.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = options[index].item;
      input.value = item.text;
      close();
      if (item.url) {
        window.location.assign(item.url);
      } else if (input.form) {
        if (input.form.requestSubmit) { input.form.requestSubmit(); } else { input.form.submit(); }
      }
    }

    function show(items) {
      list.textContent = "";
      options = items.map(function (item, i) {
        var element = document.createElement("li");
        element.id = id + "-" + i;
        element.className = "dropdown-item kc-suggest-" + item.type;
        element.setAttribute("role", "option");
        element.setAttribute("aria-selected", "false");
        element.setAttribute("data-type", item.type);
        element.textContent = item.text;
        // mousedown, not click: choosing must happen before the input's blur closes the list.
        element.addEventListener("mousedown", function (event) { event.preventDefault(); choose(i); });
        list.appendChild(element);
        return { element: element, item: item };
      });
      active = -1;
      if (options.length) {
        list.classList.add("show");
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
    }

    function ask() {
      var typed = input.value.trim();
      if (typed === lastAsked) { return; }
      lastAsked = typed;
      if (!typed) { show([]); return; }
      if (controller) { controller.abort(); }
      controller = window.AbortController ? new AbortController() : null;
      var url = endpoint + "?kind=" + encodeURIComponent(kind) + "&q=" + encodeURIComponent(typed);
      fetch(url, { headers: { Accept: "application/json" }, signal: controller ? controller.signal : undefined })
        .then(function (response) { return response.ok ? response.json() : { items: [] }; })
        .then(function (body) { if (input.value.trim() === typed) { show(body.items || []); } })
        .catch(function () { /* aborted or offline: the box still works as a plain search */ });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      var open = list.classList.contains("show");
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!options.length) { return; }
        event.preventDefault();
        if (!open) {
          list.classList.add("show");
          input.setAttribute("aria-expanded", "true");
        }
        var step = event.key === "ArrowDown" ? 1 : -1;
        var next = active + step;
        if (next >= options.length) { next = 0; }
        if (next < 0) { next = options.length - 1; }
        highlight(next);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
          lastAsked = null;
        }
      }
    });
    input.addEventListener("blur", close);
    input.addEventListener("focus", function () {
      if (options.length && input.value.trim() === lastAsked) {
        list.classList.add("show");
        input.setAttribute("aria-expanded", "true");
      }
    });
  }

  document.querySelectorAll("input[data-suggest]").forEach(attach);
})();
