/* A calendar on date inputs (data-datepicker="date" or "datetime") that always writes the board's
   format, dd/mm/yyyy [hh:mm], whatever the browser's locale (issue 14). The server parses the text
   (formatting.parse_date); typing stays allowed, and without JavaScript the input is a plain text input. */
(function () {
  "use strict";
  if (typeof window.flatpickr !== "function") { return; }
  var vietnamese = document.documentElement.lang === "vi";
  document.querySelectorAll("input[data-datepicker]").forEach(function (input) {
    var withTime = input.getAttribute("data-datepicker") === "datetime";
    window.flatpickr(input, {
      allowInput: true,
      clickOpens: true,
      disableMobile: true,  // the native mobile picker would show the phone's format again
      dateFormat: withTime ? "d/m/Y H:i" : "d/m/Y",
      enableTime: withTime,
      time_24hr: true,
      locale: vietnamese && window.flatpickr.l10ns.vn ? window.flatpickr.l10ns.vn : "default"
    });
  });
}());
