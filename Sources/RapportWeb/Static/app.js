// Rapport's progressive enhancement. Every page works without it; with it:
// - buttons and forms marked data-confirm ask first;
// - a checkbox marked data-select-all ticks every checkbox named by its value;
// - an element marked data-refresh="seconds" reloads the page while it is shown (import progress);
// - a form marked data-autosubmit submits when one of its selects changes;
// - the header's menus (details marked data-menu) close when another opens, on a click outside,
//   and on Escape (focus returns to the menu's summary).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = (event.submitter && event.submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches && box.matches("input[data-select-all]")) {
      var name = box.getAttribute("data-select-all");
      var scope = box.form || document;
      scope.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (each) { each.checked = box.checked; });
    }
    if (box.matches && box.matches("form[data-autosubmit] select")) { box.form.submit(); }
  });
  var menus = document.querySelectorAll("details[data-menu]");
  menus.forEach(function (menu) {
    menu.addEventListener("toggle", function () {
      if (menu.open) { menus.forEach(function (other) { if (other !== menu) { other.open = false; } }); }
    });
  });
  document.addEventListener("click", function (event) {
    menus.forEach(function (menu) { if (menu.open && !menu.contains(event.target)) { menu.open = false; } });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    menus.forEach(function (menu) {
      if (menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
    });
  });
  var refresh = document.querySelector("[data-refresh]");
  if (refresh) {
    var seconds = Math.max(1, parseInt(refresh.getAttribute("data-refresh"), 10) || 2);
    window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
  }
})();
