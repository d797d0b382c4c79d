/*
 * The create/edit form of an item (templates/submissions/form.html): autosave, and photos dropped
 * or chosen, uploaded one by one with their progress.
 *
 * Everything goes through the form's own views, which answer JSON when asked (Accept:
 * application/json): the first save creates the draft (the address becomes its edit page, so a
 * reload finds it), each later save is an edit carrying the version the page last saw, so a change
 * by someone else is a conflict shown here, never overwritten. Files go to the item's upload view,
 * which runs the same content checks as without JavaScript. Without JavaScript the form posts as a
 * plain form, its file input included.
 */
(function () {
  "use strict";
  var DELAY_MS = 3000;
  var form = document.querySelector("form[data-draft-form]");
  if (!form) { return; }
  var text = JSON.parse(form.getAttribute("data-text"));
  var status = document.getElementById("save-status");
  var versionField = form.querySelector("input[name=version]");
  var token = form.querySelector("input[name=csrf_token]");
  var autosave = form.getAttribute("data-autosave") === "on";
  var saveUrl = form.getAttribute("data-save-url");
  var changes = 0, savedChanges = 0, saving = null, timer = null, stopped = false, submitting = false;
  var detailUrl = null;  // set by an autosave: the item page to open when Save finds nothing new

  function say(message, kind) {
    status.textContent = message;
    status.className = "mb-0 small save-status" + (kind ? " text-" + kind : "");
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) { return values[key]; });
  }
  function dirty() { return changes !== savedChanges; }

  function body() {
    var data = new FormData(form);
    data.delete("files");  // files go up one by one (upload), never with the text
    if (!data.get("version") && versionField) { data.set("version", versionField.value); }
    return data;
  }

  // One save at a time; a save asked for during another runs after it (with the newer version),
  // if there is still something to save then.
  function save() {
    if (saving) { return saving.then(function (answer) { return dirty() ? save() : answer; }); }
    if (stopped) { return Promise.reject(new Error("stopped")); }
    var upTo = changes;
    say(text.saving);
    saving = fetch(saveUrl, { method: "POST", body: body(), credentials: "same-origin",
                              headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().catch(function () { return { message: String(response.status) }; })
          .then(function (answer) { return { ok: response.ok, status: response.status, answer: answer }; });
      }, function () { return { ok: false, status: 0, answer: { message: text.offline } }; })
      .then(function (result) {
        saving = null;
        var answer = result.answer;
        if (!result.ok) {
          if (result.status === 409 || result.status === 403) { stopped = true; }  // reload to see the other change
          say(fill(text.failed, { reason: answer.message || result.status }), "danger");
          status.setAttribute("role", "alert");
          throw new Error(answer.message);
        }
        status.setAttribute("role", "status");
        if (versionField) { versionField.value = answer.version; }
        if (answer.edit_url && saveUrl !== answer.edit_url) {
          // The draft exists now: this page is its edit page (a reload opens it, not a new one).
          saveUrl = answer.edit_url;
          form.setAttribute("action", answer.edit_url);
          form.setAttribute("data-upload-url", answer.upload_url);
          window.history.replaceState(null, "", answer.edit_url);
        }
        savedChanges = upTo;
        detailUrl = answer.detail_url;
        say(dirty() ? text.unsaved : fill(text.saved, { time: answer.saved_at }), dirty() ? "" : "success");
        return answer;
      });
    return saving;
  }

  function changed() {
    changes += 1;
    if (stopped) { return; }
    say(text.unsaved);
    if (autosave) {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { save().catch(function () {}); }, DELAY_MS);
    }
  }

  form.addEventListener("input", function (event) { if (event.target.type !== "file") { changed(); } });
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT" || event.target.type === "radio") { changed(); }
  });
  // Leaving a field (or the editor) saves at once what changed.
  function saveNow() {
    if (autosave && dirty() && !stopped) { window.clearTimeout(timer); save().catch(function () {}); }
  }
  form.addEventListener("focusout", function (event) { if (event.target.type !== "file") { saveNow(); } });
  form.addEventListener("blur-editor", saveNow);

  function finish() {
    if (detailUrl && !dirty() && !stopped) { window.location.assign(detailUrl); } else { form.submit(); }
  }
  // Settled when no save runs or waits: the last one has set the version the form must post.
  function idle() {
    return saving ? saving.then(idle, idle) : Promise.resolve();
  }
  form.addEventListener("submit", function (event) {
    window.clearTimeout(timer);
    if (saving) {
      // Post with the version the running saves return, not the one they are replacing.
      event.preventDefault();
      idle().then(function () { submitting = true; finish(); });
      return;
    }
    if (detailUrl && !dirty()) {
      // Everything is saved already: another post would only write the same revision again.
      event.preventDefault();
    }
    submitting = true;
    if (event.defaultPrevented) { finish(); }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty() && !submitting) { event.preventDefault(); event.returnValue = ""; }
  });

  // --- photos and files -------------------------------------------------------------
  var zone = form.querySelector("[data-dropzone]");
  var list = form.querySelector("[data-attachment-list]");
  var input = zone && zone.querySelector("input[type=file]");
  if (!zone || !input) { return; }
  input.removeAttribute("name");  // chosen files are uploaded at once, not posted again with the text
  zone.classList.add("dropzone-active");

  function ensureItem() {
    if (form.getAttribute("data-upload-url")) { return Promise.resolve(); }
    return save();
  }

  function row(answer) {
    var li = document.createElement("li");
    li.className = "list-group-item attachment-row";
    li.setAttribute("data-attachment", answer.id);
    var box = document.createElement("div");
    box.className = "d-flex gap-2 align-items-start";
    if (answer.preview_url) {
      var img = document.createElement("img");
      img.src = answer.preview_url;
      img.alt = "";
      img.className = "thumb-sm";
      box.appendChild(img);
    }
    var fields = document.createElement("div");
    fields.className = "flex-grow-1 min-w-0";
    var name = document.createElement("div");
    name.className = "small text-break attachment-name";
    name.textContent = answer.filename;
    fields.appendChild(name);
    var label = document.createElement("label");
    label.className = "visually-hidden";
    label.htmlFor = "caption-" + answer.id;
    label.textContent = fill(text.caption, { name: answer.filename });
    var caption = document.createElement("input");
    caption.type = "text";
    caption.className = "form-control form-control-sm";
    caption.id = "caption-" + answer.id;
    caption.name = "caption-" + answer.id;
    caption.maxLength = 500;
    caption.placeholder = text.captionPlaceholder;
    fields.appendChild(label);
    fields.appendChild(caption);
    if (answer.kind === "image") {
      var check = document.createElement("div");
      check.className = "form-check mt-1";
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.className = "form-check-input";
      radio.name = "feature";
      radio.value = answer.id;
      radio.id = "feature-" + answer.id;
      var radioLabel = document.createElement("label");
      radioLabel.className = "form-check-label small";
      radioLabel.htmlFor = radio.id;
      radioLabel.textContent = text.feature;
      check.appendChild(radio);
      check.appendChild(radioLabel);
      fields.appendChild(check);
    }
    if (answer.notice) {
      var notice = document.createElement("div");
      notice.className = "small text-body-secondary";
      notice.textContent = answer.notice;
      fields.appendChild(notice);
    }
    box.appendChild(fields);
    li.appendChild(box);
    return li;
  }

  function upload(file) {
    var li = document.createElement("li");
    li.className = "list-group-item upload-row";
    var name = document.createElement("div");
    name.className = "small text-break";
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.className = "w-100";
    bar.setAttribute("aria-label", fill(text.uploading, { name: file.name }));
    li.appendChild(name);
    li.appendChild(bar);
    list.appendChild(li);
    return new Promise(function (resolve) {
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.getAttribute("data-upload-url"));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) { bar.value = Math.round(100 * event.loaded / event.total); }
      });
      xhr.addEventListener("load", function () {
        var answer = {};
        try { answer = JSON.parse(xhr.responseText); } catch (e) { answer = { message: String(xhr.status) }; }
        if (xhr.status === 201) {
          list.replaceChild(row(answer), li);
          say(fill(text.uploaded, { name: answer.filename }), "success");
        } else {
          bar.remove();
          var error = document.createElement("div");
          error.className = "small text-danger";
          error.setAttribute("role", "alert");
          error.textContent = answer.message || String(xhr.status);
          li.appendChild(error);
        }
        resolve();
      });
      xhr.addEventListener("error", function () {
        bar.remove();
        var error = document.createElement("div");
        error.className = "small text-danger";
        error.setAttribute("role", "alert");
        error.textContent = text.offline;
        li.appendChild(error);
        resolve();
      });
      var data = new FormData();
      data.append("file", file);
      if (token) { data.append("csrf_token", token.value); }
      xhr.send(data);
    });
  }

  function take(files) {
    var chosen = Array.prototype.slice.call(files || []);
    if (!chosen.length) { return; }
    ensureItem().then(function () {
      // In parallel: each file has its own bar; the server stores each on its own.
      return Promise.all(chosen.map(upload));
    }).catch(function () {});
  }

  input.addEventListener("change", function () { take(input.files); input.value = ""; });
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("dropzone-over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("dropzone-over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    take(event.dataTransfer && event.dataTransfer.files);
  });
}());
