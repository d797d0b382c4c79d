/*
 * Date-time inputs marked data-datetime get flatpickr's calendar (vendored, Vietnamese when the
 * page is), showing and typing dd/mm/yyyy HH:MM whatever the browser's locale. The input stays a
 * text field the server parses as before (formatting.parse_local_datetime): without JavaScript,
 * or when someone types, the same text goes to the server.
 */
(function () {
  "use strict";
  if (!window.flatpickr) { return; }
  var vi = document.documentElement.lang === "vi";
  document.querySelectorAll("input[data-datetime]").forEach(function (input) {
    window.flatpickr(input, {
      enableTime: true, time_24hr: true, allowInput: true, dateFormat: "d/m/Y H:i",
      locale: vi && window.flatpickr.l10ns.vn ? window.flatpickr.l10ns.vn : "default",
      minuteIncrement: 5, disableMobile: true,
      // Typed text is parsed the server's way (dd/mm/yyyy hh:mm), not flatpickr's guess.
      parseDate: function (text) {
        var m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T]+(\d{1,2}):(\d{2}))?\s*$/.exec(text);
        return m ? new Date(+m[3], +m[2] - 1, +m[1], +(m[4] || 0), +(m[5] || 0)) : undefined;
      },
      onChange: function () { input.dispatchEvent(new Event("input", { bubbles: true })); }
    });
  });
}());
