// A landing page's lead form, sent without leaving the page (a landing page's script only).
(function () {
  "use strict";

  // A lead form is sent without leaving the page: on success its thanks (`data-thanks`, in the
  // site's language) replace it; on anything else the form is sent as it would be without
  // this script, so the server's page says what was wrong, beside each field.
  var leads = document.querySelectorAll("form.lead-form");
  for (var l = 0; l < leads.length; l++) {
    leads[l].addEventListener("submit", function (event) {
      var form = event.target;
      if (form.getAttribute("data-plain") || !window.fetch || !window.URLSearchParams) {
        return;
      }
      event.preventDefault();
      var body = new URLSearchParams(new FormData(form));
      window.fetch(form.action, {
        method: "POST",
        headers: { Accept: "application/json" },
        body: body
      }).then(function (answer) {
        if (answer.status !== 201) {
          throw new Error("refused");
        }
        var thanks = document.createElement("p");
        thanks.className = "lead form-thanks";
        thanks.setAttribute("role", "status");
        thanks.setAttribute("tabindex", "-1");
        thanks.textContent = form.getAttribute("data-thanks");
        form.parentNode.replaceChild(thanks, form);
        thanks.focus();
      }).catch(function () {
        form.setAttribute("data-plain", "1");
        form.submit();
      });
    });
  }
})();
