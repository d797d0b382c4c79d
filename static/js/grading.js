/*
 * The royalty grading in the forward/approve forms (templates/royalties/_grading_form.html).
 * Without JavaScript the form posts as it is and the server checks it. With it: parts and
 * payee rows are added and removed in place, a genre preselects its default coefficient,
 * and the amount is shown live from POST /api/v1/royalty/quote — the server computes it
 * with the same domain functions as the royalty sheet; nothing here knows the rules.
 */
(function () {
  "use strict";
  var DEBOUNCE_MS = 350;

  // A number as typed or shown in either language ("1,5" in Vietnamese, "1.5" in English; "1.234,5"
  // and "1,234.5": the last separator is the decimal one) as the API takes it: "1.5". What is not a
  // number is sent as typed, for the server to say so. The same rule as domain/decimal_input.py.
  function apiDecimal(text) {
    var value = String(text || "").replace(/[\s\u00a0\u202f]/g, "");
    var comma = value.lastIndexOf(","), dot = value.lastIndexOf(".");
    if (comma !== -1 && dot !== -1) {
      value = comma > dot ? value.split(".").join("").replace(",", ".") : value.split(",").join("");
    } else if (comma !== -1 && value.indexOf(",") === comma) {
      value = value.replace(",", ".");
    }
    return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(value) ? value : String(text || "").trim();
  }

  function decimal(text) {
    var value = apiDecimal(text);
    return value === "" || isNaN(Number(value)) ? null : Number(value);
  }

  // The publication time typed as dd/mm/yyyy hh:mm (or yyyy-mm-dd...) → its day as yyyy-mm-dd; null if unreadable.
  function isoDay(text) {
    var value = String(text || "").trim();
    var dmy = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(value);
    if (dmy) { return dmy[3] + "-" + ("0" + dmy[2]).slice(-2) + "-" + ("0" + dmy[1]).slice(-2); }
    var ymd = /^(\d{4})-(\d{1,2})-(\d{1,2})/.exec(value);
    if (ymd) { return ymd[1] + "-" + ("0" + ymd[2]).slice(-2) + "-" + ("0" + ymd[3]).slice(-2); }
    return null;
  }

  function locale() { return document.documentElement.lang === "vi" ? "vi-VN" : "en-US"; }

  function money(amount) {
    return new Intl.NumberFormat(locale()).format(amount) + " đ";
  }

  function renameAll(root, from, to) {
    // from/to: "g-3-" → "g-4-" (or "g-1-p-2-" → "g-1-p-5-"), in name, id, for and aria-describedby.
    root.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach(function (el) {
      ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value && value.indexOf(from) !== -1) { el.setAttribute(attr, value.split(from).join(to)); }
      });
    });
  }

  function partIndex(part) {
    var select = part.querySelector("[data-genre]");
    return Number(select.name.split("-")[1]);
  }

  function setUp(box) {
    var form = box.closest("form");
    var text = JSON.parse(box.getAttribute("data-text"));
    var errorBox = box.querySelector(".grading-error");
    var partsBox = box.querySelector(".grading-parts");
    var pending = null;
    var sequence = 0;
    // A blank payee row to copy (every part is rendered with blank rows at the end).
    var blankRow = null;
    box.querySelectorAll("[data-payee]").forEach(function (row) {
      if (!blankRow && !row.querySelector("input[name$='-payee_id']") && !row.querySelector("input[name$='-username']").value &&
          !row.querySelector("input[name$='-name']").value) { blankRow = row.cloneNode(true); }
    });
    var blankPart = partsBox.querySelector("[data-part]").cloneNode(true);

    function parts() { return Array.prototype.slice.call(partsBox.querySelectorAll("[data-part]")); }

    function rowIsEmpty(row) {
      var id = row.querySelector("input[name$='-payee_id']");
      var user = row.querySelector("input[name$='-username']");
      var name = row.querySelector("input[name$='-name']");
      return !(id || (user && user.value.trim()) || (name && name.value.trim()));
    }

    function value(row, suffix) {
      var input = row.querySelector("input[name$='-" + suffix + "']");
      return input ? input.value : "";
    }

    function grading() {
      var data = { parts: [] };
      parts().forEach(function (part) {
        var item = { genre: part.querySelector("[data-genre]").value,
                     coefficient: apiDecimal(part.querySelector("[data-coefficient]").value), factors: [], payees: [] };
        part.querySelectorAll("[data-factor]").forEach(function (row) {
          var on = row.querySelector("input[type=checkbox]");
          if (on.checked) {
            item.factors.push({ code: row.getAttribute("data-factor"), value: apiDecimal(value(row, "value")),
                                reason: value(row, "reason") });
          }
        });
        part.querySelectorAll("[data-payee]").forEach(function (row) {
          if (rowIsEmpty(row)) { return; }
          var ref;
          var id = value(row, "payee_id");
          if (id) { ref = { payee_id: Number(id) }; }
          else if (value(row, "username").trim()) { ref = { username: value(row, "username").trim() }; }
          else { ref = { name: value(row, "name").trim(), pen_name: value(row, "pen_name").trim() }; }
          ref.share = apiDecimal(value(row, "share"));
          item.payees.push(ref);
        });
        data.parts.push(item);
      });
      var providerUser = form.querySelector("[name='g-provider-username']");
      var providerName = form.querySelector("[name='g-provider-name']");
      var providerPen = form.querySelector("[name='g-provider-pen_name']");
      if (providerUser && providerUser.value.trim()) { data.provider = { username: providerUser.value.trim() }; }
      else if (providerName && providerName.value.trim()) {
        data.provider = { name: providerName.value.trim(), pen_name: providerPen ? providerPen.value.trim() : "" };
      }
      return data;
    }

    function day() {
      var publish = form.querySelector("input[name=publish_at]");
      // Typed as dd/mm/yyyy hh:mm; the API takes the day as yyyy-mm-dd (until it is readable, the day of the form).
      return (publish && isoDay(publish.value)) || box.getAttribute("data-on");
    }

    function showError(message) {
      errorBox.textContent = message || "";
      errorBox.hidden = !message;
    }

    function clearAmounts() {
      box.querySelectorAll("[data-part-amount],[data-payee-amount],[data-total]").forEach(function (out) { out.textContent = ""; });
    }

    function showQuote(quote) {
      clearAmounts();
      parts().forEach(function (part, i) {
        var priced = quote.parts[i];
        if (!priced) { return; }
        part.querySelector("[data-part-amount]").textContent = money(priced.amount);
        var rows = Array.prototype.filter.call(part.querySelectorAll("[data-payee]"), function (row) { return !rowIsEmpty(row); });
        rows.forEach(function (row, j) {
          if (!priced.payees[j]) { return; }
          row.querySelector("[data-payee-amount]").textContent = money(priced.payees[j].amount);
          // Who a user name or a name turned out to be (the server resolved it).
          var label = row.querySelector("[data-payee-label]");
          if (!row.querySelector("input[name$='-payee_id']")) { label.textContent = priced.payees[j].full_name; }
        });
      });
      box.querySelector("[data-total]").textContent = money(quote.total);
    }

    function quote() {
      var mine = ++sequence;
      var token = form.querySelector("input[name=csrf_token]");
      fetch(box.getAttribute("data-quote-url"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json",
                   "X-CSRFToken": token ? token.value : "" },
        body: JSON.stringify({ site: box.getAttribute("data-site"), on: day(), grading: grading() })
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          if (mine !== sequence) { return; }
          if (response.ok) { showError(""); showQuote(body); return; }
          clearAmounts();
          showError(body && body.error ? body.error.message : text.failed);
        });
      }).catch(function () {
        if (mine === sequence) { clearAmounts(); showError(text.failed); }
      });
    }

    function refresh() {
      parts().forEach(function (part, i) {
        part.querySelector("[data-part-number]").textContent = String(i + 1);
        var total = 0;
        part.querySelectorAll("[data-payee]").forEach(function (row) {
          if (!rowIsEmpty(row)) { total += decimal(value(row, "share")) || 0; }
        });
        part.querySelector("[data-share-total]").textContent = new Intl.NumberFormat(locale(), { maximumFractionDigits: 2 }).format(total) + "%";
        var remove = part.querySelector("[data-remove-part]");
        if (remove) { remove.hidden = parts().length < 2; }
      });
      clearTimeout(pending);
      pending = setTimeout(quote, DEBOUNCE_MS);
    }

    function showRange(part, resetCoefficient) {
      var option = part.querySelector("[data-genre]").selectedOptions[0];
      if (!option) { return; }
      if (resetCoefficient) { part.querySelector("[data-coefficient]").value = option.getAttribute("data-default"); }
      // The server formatted the bounds for the page's language (1,5 in Vietnamese).
      part.querySelector("[data-range]").textContent = text.allowed
        .replace("%(low)s", option.getAttribute("data-min-text")).replace("%(high)s", option.getAttribute("data-max-text"));
    }

    function addPayeeRow(part) {
      var body = part.querySelector("[data-payees]");
      var index = partIndex(part);
      var next = 0;
      body.querySelectorAll("[data-payee] input[name$='-share']").forEach(function (input) {
        next = Math.max(next, Number(input.name.split("-")[3]) + 1);
      });
      var row = blankRow.cloneNode(true);
      row.querySelectorAll("input").forEach(function (input) {
        input.name = input.name.replace(/^g-\d+-p-\d+-/, "g-" + index + "-p-" + next + "-");
        input.value = "";
      });
      row.querySelector("[data-payee-label]").textContent = "";
      body.appendChild(row);
      return row;
    }

    function enhancePart(part) {
      part.querySelector("[data-genre]").addEventListener("change", function () { showRange(part, true); });
      // The "remove" checkbox becomes a button; the part disappears at once.
      var check = part.querySelector("[data-remove]");
      if (check) {
        var field = check.closest(".field");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "link danger";
        button.setAttribute("data-remove-part", "");
        button.textContent = text.remove_part;
        button.addEventListener("click", function () {
          // A grading has at least one part: the last one stays.
          if (parts().length < 2) { return; }
          part.remove();
          refresh();
        });
        field.parentNode.replaceChild(button, field);
      }
      if (!blankRow) { return; }
      var add = document.createElement("button");
      add.type = "button";
      add.className = "link";
      add.textContent = text.add_payee;
      add.addEventListener("click", function () {
        var row = addPayeeRow(part);
        row.querySelector("input[name$='-username']").focus();
      });
      part.querySelector("table.payees").insertAdjacentElement("afterend", add);
    }

    function addPart() {
      var next = 0;
      parts().forEach(function (part) { next = Math.max(next, partIndex(part) + 1); });
      var part = blankPart.cloneNode(true);
      var old = partIndex(part);
      renameAll(part, "g-" + old + "-", "g-" + next + "-");
      part.querySelectorAll("input[type=text]").forEach(function (input) { input.value = ""; });
      part.querySelectorAll("input[type=checkbox]").forEach(function (input) { input.checked = false; });
      part.querySelectorAll("[data-factor]").forEach(function (row) {
        var input = row.querySelector("input[name$='-value']");
        input.value = input.getAttribute("data-default");
      });
      part.querySelectorAll("[data-payee]").forEach(function (row) { row.remove(); });
      part.querySelectorAll("output").forEach(function (out) { out.textContent = ""; });
      var select = part.querySelector("[data-genre]");
      select.selectedIndex = 0;
      partsBox.appendChild(part);
      addPayeeRow(part);
      addPayeeRow(part);
      enhancePart(part);
      showRange(part, true);
      select.focus();
      refresh();
    }

    parts().forEach(enhancePart);
    var addButton = box.querySelector("[data-add-part]");
    addButton.type = "button";
    addButton.removeAttribute("name");
    addButton.addEventListener("click", addPart);
    form.addEventListener("input", refresh);
    form.addEventListener("change", refresh);
    refresh();
  }

  document.querySelectorAll("[data-grading]").forEach(function (box) {
    if (box.querySelector(".grading-parts")) { setUp(box); }
  });
})();
