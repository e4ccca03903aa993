/* 需求凝练: the need form's assistant (templates/assistant/_panel.html). As the need is typed it posts
   the form's fields to /assistant/need.json (after a pause, one request at a time, the latest text
   winning) and shows the suggested field, the provider count, the experts' terms (a click adds one to
   the description), what is missing and similar needs. Without JavaScript the panel's 检查 button
   posts the same form to a page of the same suggestions. All text comes from the panel's data-text-*
   attributes (translated on the server); nothing here writes HTML. */
(function () {
  "use strict";
  var panel = document.getElementById("need-assistant");
  if (!panel || !window.fetch || !window.FormData) {
    return;
  }
  var form = panel.closest("form");
  if (!form) {
    return;
  }
  var PAUSE_MS = 400;
  var WATCHED = ["title", "description", "field_code", "budget_min", "budget_max", "deadline"];
  var result = panel.querySelector("[data-role=result]");
  var status = panel.querySelector("[data-role=status]");
  var timer = null;
  var inFlight = null;
  var pending = false;
  var sequence = 0;

  function text(name, values) {
    var template = panel.getAttribute("data-text-" + name) || "";
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return values && key in values ? String(values[key]) : whole;
    });
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content !== undefined) {
      node.textContent = content;
    }
    return node;
  }

  function link(url, label) {
    if (!url) {
      return document.createTextNode(label);
    }
    var a = element("a", "", label);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  function control(name) {
    return form.elements.namedItem(name);
  }

  function chooseField(code) {
    var select = control("field_code");
    if (!select) {
      return;
    }
    if (select.tomselect) {
      select.tomselect.setValue(code);
    } else {
      select.value = code;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
    schedule(0);
  }

  function addTerm(term) {
    var box = control("description");
    if (!box) {
      return;
    }
    var line = text("terms-line");
    var value = box.value.replace(/\s+$/, "");
    var lines = value.split("\n");
    var last = lines[lines.length - 1];
    if (last.indexOf(line) === 0) {
      lines[lines.length - 1] = last + "、" + term;
      value = lines.join("\n");
    } else {
      value = (value ? value + "\n" : "") + line + term;
    }
    box.value = value;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function showField(data) {
    var slot = panel.querySelector("[data-role=field]");
    slot.replaceChildren();
    if (!data.field) {
      slot.appendChild(element("span", "text-muted", text("no-field")));
      return;
    }
    slot.appendChild(document.createTextNode(data.field.name + " (" + Math.round(data.field.share * 100) + "%) "));
    var select = control("field_code");
    if (select && select.value !== data.field.code) {
      var use = element("button", "btn btn-sm btn-outline-primary py-0", text("use-field"));
      use.type = "button";
      use.setAttribute("data-testid", "assistant-use-field");
      use.addEventListener("click", function () {
        chooseField(data.field.code);
      });
      slot.appendChild(use);
    }
  }

  function showProviders(data) {
    var slot = panel.querySelector("[data-role=providers]");
    slot.replaceChildren(document.createTextNode(text("providers", { count: data.providers.count })));
    data.providers.top.forEach(function (p, i) {
      slot.appendChild(document.createTextNode(i === 0 ? "：" : "、"));
      slot.appendChild(link(p.url, p.name));
    });
  }

  function showTerms(data) {
    var slot = panel.querySelector("[data-role=terms]");
    slot.replaceChildren();
    data.terms.forEach(function (term) {
      var button = element("button", "btn btn-sm btn-outline-secondary py-0 me-1 mb-1", "+ " + term);
      button.type = "button";
      button.title = text("add-term");
      button.setAttribute("data-term", term);
      button.addEventListener("click", function () {
        addTerm(term);
        button.remove();
      });
      slot.appendChild(button);
    });
    if (!data.terms.length) {
      slot.appendChild(element("span", "text-muted", "—"));
    }
  }

  function showChecklist(data) {
    var list = panel.querySelector("[data-role=checklist]");
    list.replaceChildren();
    data.checklist.forEach(function (item) {
      var li = element("li");
      li.setAttribute("data-key", item.key);
      li.setAttribute("data-done", item.done ? "yes" : "no");
      if (item.done) {
        li.appendChild(element("span", "text-success", "✓ "));
        li.appendChild(document.createTextNode(item.label));
      } else {
        li.appendChild(element("span", "text-warning", "○ "));
        li.appendChild(element("strong", "", item.label));
        li.appendChild(document.createTextNode("：" + item.hint));
      }
      list.appendChild(li);
    });
  }

  function showSimilar(data) {
    var list = panel.querySelector("[data-role=similar]");
    list.replaceChildren();
    data.similar.forEach(function (past) {
      var li = element("li", "mb-1");
      var badge = past.solved ? ["text-bg-success", "solved"] : ["text-bg-secondary", "open"];
      li.appendChild(element("span", "badge " + badge[0] + " me-1", text(badge[1])));
      li.appendChild(link(past.url, past.title));
      if (past.solvers.length) {
        li.appendChild(document.createTextNode(" — " + text("solvers")));
        past.solvers.forEach(function (p, i) {
          if (i) {
            li.appendChild(document.createTextNode("、"));
          }
          li.appendChild(link(p.url, p.name));
        });
      }
      list.appendChild(li);
    });
    if (!data.similar.length) {
      list.appendChild(element("li", "text-muted", text("none")));
    }
  }

  function show(data) {
    showField(data);
    showProviders(data);
    showTerms(data);
    showChecklist(data);
    showSimilar(data);
    status.textContent = data.notice || status.getAttribute("data-idle") || status.textContent;
    result.hidden = false;
    panel.setAttribute("data-state", "ready");
    panel.setAttribute("data-sequence", String(sequence));
  }

  function ask() {
    if (inFlight) {
      pending = true; // the answer on its way is already stale: ask again once it is in
      return;
    }
    var body = new FormData();
    WATCHED.forEach(function (name) {
      var field = control(name);
      if (field && typeof field.value === "string") {
        body.append(name, field.value);
      }
    });
    var token = control("csrf_token");
    if (token) {
      body.append("csrf_token", token.value);
    }
    if (panel.getAttribute("data-need-id")) {
      body.append("need_id", panel.getAttribute("data-need-id"));
    }
    panel.setAttribute("data-state", "loading");
    inFlight = fetch(panel.getAttribute("data-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (response) {
        return response.json().then(function (data) {
          if (!response.ok) {
            throw { said: data.error }; // the server's own message (a 4xx says what is wrong)
          }
          sequence += 1;
          show(data);
        });
      })
      .catch(function (error) {
        status.textContent = (error && error.said) || text("error"); // not JSON: a login page, a proxy
        panel.setAttribute("data-state", "error");
      })
      .then(function () {
        inFlight = null;
        if (pending) {
          pending = false;
          ask();
        }
      });
  }

  function schedule(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, delay === undefined ? PAUSE_MS : delay);
  }

  status.setAttribute("data-idle", status.textContent);
  WATCHED.forEach(function (name) {
    var field = control(name);
    if (field && field.addEventListener) {
      field.addEventListener("input", function () {
        schedule();
      });
      field.addEventListener("change", function () {
        schedule();
      });
    }
  });
  var check = panel.querySelector("[data-role=check]");
  if (check) {
    check.hidden = true; // the live panel replaces the page; the button is the no-JavaScript way
  }
  if ((control("title") && control("title").value) || (control("description") && control("description").value)) {
    schedule(0);
  }
})();
