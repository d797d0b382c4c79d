/*
 * Rich-text editing for the textareas marked data-rich-text, with Quill (vendored in
 * static/vendor). The textarea stays the form field: the editor writes its HTML back
 * on submit, and the server sanitizes whatever arrives, so the form also works without
 * JavaScript. The toolbar offers only what the server's HTML allow-list keeps.
 * Content Quill cannot represent (tables, figures, images) opens in the HTML view,
 * so editing never drops it silently.
 * The textarea follows every change (the draft's autosave reads the form), and HTML pasted from
 * Word or a web page is first cleaned by the server's own allow-list (data-clean-url), so what
 * the editor shows is what will be saved.
 */
(function () {
  "use strict";
  var UNSUPPORTED = /<(table|figure|img)\b/i;
  var FORMATS = ["header", "bold", "italic", "underline", "strike", "link", "blockquote", "list"];
  var TOOLBAR = [[{ header: [2, 3, 4, false] }], ["bold", "italic", "underline", "strike"],
                 ["link", "blockquote"], [{ list: "ordered" }, { list: "bullet" }], ["clean"]];

  function setUp(area) {
    var text = JSON.parse(area.getAttribute("data-rich-text"));
    var wrap = document.createElement("div");
    wrap.className = "editor-wrap";
    var mount = document.createElement("div");
    wrap.appendChild(mount);
    area.parentNode.insertBefore(wrap, area);
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "editor-toggle";
    area.parentNode.insertBefore(toggle, area.nextSibling);
    var note = document.createElement("p");
    note.className = "hint";
    note.setAttribute("role", "status");
    toggle.parentNode.insertBefore(note, toggle.nextSibling);

    // Tab and Shift+Tab leave the editor (Quill's default inserts a tab or indents: a keyboard trap, WCAG 2.1.2).
    var leave = function () { return true; };
    var keyboard = { bindings: { tab: { key: "Tab", handler: leave }, indent: { key: "Tab", format: ["blockquote", "indent", "list"], handler: leave },
                                 outdent: { key: "Tab", shiftKey: true, format: ["blockquote", "indent", "list"], handler: leave } } };
    var quill = new Quill(mount, { theme: "snow", formats: FORMATS, modules: { toolbar: TOOLBAR, keyboard: keyboard } });
    var editable = mount.querySelector(".ql-editor");
    editable.setAttribute("aria-label", text.label);
    editable.setAttribute("aria-multiline", "true");
    editable.setAttribute("role", "textbox");
    wrap.querySelectorAll(".ql-toolbar button, .ql-toolbar .ql-picker-label").forEach(function (el) {
      // A picker's label is named after its picker (span.ql-header.ql-picker), not "ql-picker-label".
      var owner = el.classList.contains("ql-picker-label") ? el.parentNode : el;
      var key = (owner.className.match(/ql-(\w+)/) || [])[1];
      var name = text.buttons[key + (el.value ? ":" + el.value : "")] || text.buttons[key];
      if (name) { el.setAttribute("aria-label", name); el.setAttribute("title", name); }
    });
    // Heading names: Quill shows an item's data-label in place of its English name.
    wrap.querySelectorAll(".ql-header .ql-picker-item, .ql-header .ql-picker-label").forEach(function (el) {
      el.setAttribute("data-label", text.headings[el.getAttribute("data-value") || "normal"]);
    });
    // The link tooltip's words come from CSS (attr()), so they follow the page's language.
    var tooltip = wrap.querySelector(".ql-tooltip");
    if (tooltip) {
      ["visit", "enter", "edit", "remove", "save"].forEach(function (key) {
        tooltip.setAttribute("data-" + key, text.link[key]);
      });
    }
    var label = document.querySelector("label[for='" + area.id + "']");
    if (label) { label.addEventListener("click", function () { if (rich) { quill.focus(); } }); }

    var rich = false;
    function html() {
      if (quill.getText().trim() === "") { return ""; }
      return quill.getSemanticHTML().replace(/&nbsp;/g, " ");
    }
    function showRich() {
      quill.setContents(quill.clipboard.convert({ html: area.value }), "silent");
      rich = true;
      wrap.hidden = false;
      area.hidden = true;
      toggle.textContent = text.showHtml;
      note.textContent = "";
    }
    function showHtml(message) {
      if (rich) { area.value = html(); }
      rich = false;
      wrap.hidden = true;
      area.hidden = false;
      toggle.textContent = text.showRich;
      note.textContent = message || "";
    }
    toggle.addEventListener("click", function () {
      if (rich) { showHtml(); area.focus(); return; }
      if (UNSUPPORTED.test(area.value)) { note.textContent = text.unsupported; return; }
      showRich();
      quill.focus();
    });
    area.form.addEventListener("submit", function () { if (rich) { area.value = html(); } });
    quill.on("text-change", function (delta, old, source) {
      if (!rich) { return; }
      area.value = html();
      if (source === "user") { area.dispatchEvent(new Event("input", { bubbles: true })); }
    });
    editable.addEventListener("blur", function () { area.dispatchEvent(new Event("blur-editor", { bubbles: true })); });
    var cleanUrl = area.getAttribute("data-clean-url");
    var token = area.form.querySelector("input[name=csrf_token]");
    // On the wrapper, capturing: before Quill's own paste handler on the editable area.
    wrap.addEventListener("paste", function (event) {
      var data = event.clipboardData;
      var pasted = data && data.types && Array.prototype.indexOf.call(data.types, "text/html") !== -1
        ? data.getData("text/html") : "";
      if (!cleanUrl || !pasted) { return; }  // plain text: Quill pastes it as it is
      event.preventDefault();
      event.stopPropagation();
      var range = quill.getSelection(true);
      var body = new FormData();
      body.append("html", pasted);
      if (token) { body.append("csrf_token", token.value); }
      fetch(cleanUrl, { method: "POST", body: body, credentials: "same-origin",
                        headers: { "Accept": "application/json" } })
        .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
        .then(function (answer) {
          if (UNSUPPORTED.test(answer.html)) {
            // A table (or an image): the editor would drop it, so the HTML view gets it whole.
            showHtml(text.unsupported);  // writes the editor's HTML into the textarea…
            area.value += answer.html;   // …then the paste goes at its end
          } else {
            if (range.length) { quill.deleteText(range.index, range.length, "user"); }
            quill.clipboard.dangerouslyPasteHTML(range.index, answer.html, "user");
            note.textContent = text.pasted;
          }
          area.dispatchEvent(new Event("input", { bubbles: true }));
        })
        .catch(function () {
          quill.insertText(range.index, data.getData("text/plain") || "", "user");
        });
    }, true);
    if (UNSUPPORTED.test(area.value)) { showHtml(text.unsupported); } else { showRich(); }
  }

  document.querySelectorAll("textarea[data-rich-text]").forEach(setUp);
}());
