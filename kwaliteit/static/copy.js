// Progressive enhancement: a "Kopieer" button beside every read-only field marked data-copy-source.
// Without JavaScript the field can still be selected and copied by hand.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy-source]").forEach(function (input) {
    var button = document.createElement("button");
    var status = document.createElement("span");
    button.type = "button";
    button.className = "button secondary copy-button";
    button.textContent = "Kopieer de link";
    status.className = "copy-status";
    status.setAttribute("role", "status");
    input.insertAdjacentElement("afterend", status);
    input.insertAdjacentElement("afterend", button);
    function done(message) {
      status.textContent = message;
    }
    button.addEventListener("click", function () {
      input.focus();
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(
          function () { done("De link is gekopieerd."); },
          function () { done("Kopiëren lukte niet: gebruik Ctrl+C."); }
        );
      } else {
        done(document.execCommand("copy") ? "De link is gekopieerd." : "Kopiëren lukte niet: gebruik Ctrl+C.");
      }
    });
  });
})();
