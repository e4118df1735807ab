// Progressive enhancement only: every page works the same with this script off.
(function () {
  "use strict";

  // The footer's copyright year, which a static page cannot know when it is read.
  var years = document.querySelectorAll("[data-year]");
  for (var i = 0; i < years.length; i++) {
    years[i].textContent = new Date().getFullYear() + " ";
  }

  // One submission per click: the button says it is sending, in the words the page gives it
  // (`data-sending`, in the site's language), and cannot be pressed twice.
  var buttons = document.querySelectorAll("form.contact-form button[type=submit]");
  for (var j = 0; j < buttons.length; j++) {
    buttons[j].setAttribute("data-label", buttons[j].textContent);
    buttons[j].form.addEventListener("submit", function (event) {
      var button = event.target.querySelector("button[type=submit]");
      if (button && !button.disabled) {
        window.setTimeout(function () {
          button.disabled = true;
          button.textContent = button.getAttribute("data-sending") || button.textContent;
        }, 0);
      }
    });
  }

  // Coming back with the browser's Back button restores the page as it was left: sendable.
  window.addEventListener("pageshow", function () {
    for (var k = 0; k < buttons.length; k++) {
      buttons[k].disabled = false;
      buttons[k].textContent = buttons[k].getAttribute("data-label");
    }
  });
})();
