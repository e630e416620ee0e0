// Two small layout enhancements for phones (no framework; CSP allows no inline script).
//
// 1. The compact menu: a disclosure button that shows and hides the
// site's navigation (templates/base.html). Without this script the button stays
// hidden and the navigation open; the stylesheet folds it only once the header
// carries "menu-ready". Escape closes the menu and returns focus to the button.
(function () {
  "use strict";
  // 2. A <details data-open-wide> (the lesson outline) is served closed, folded on a
  //    phone; on a wider screen, where it sits in its own column, it opens.
  if (window.matchMedia && window.matchMedia("(min-width: 801px)").matches) {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-open-wide]"), function (d) {
      d.open = true;
    });
  }

  var button = document.querySelector(".menu-toggle");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) return;
  var header = button.closest(".site-header");

  function set(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }

  header.classList.add("menu-ready");
  set(false);
  button.addEventListener("click", function () {
    set(button.getAttribute("aria-expanded") !== "true");
  });
  header.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
})();
