// Accessibility fixes of the theme's buttons, found by axe-core (tests/test_site.py, issue #21).
// label-content-name-mismatch: a button's accessible name must contain its visible text.
function courseA11yFixes() {
  // The search buttons show "Search Ctrl+K" but are labelled "Search": let the visible text name
  // them.
  document.querySelectorAll(".search-button-field[aria-label]").forEach(function (button) {
    button.removeAttribute("aria-label");
  });
  // The colour-mode button's icons (Font Awesome turns each <i> into an <svg>) carry titles
  // ("Light", "Dark", "System Settings") that axe reads as its text: they are decoration, the
  // button is named "Color mode".
  document.querySelectorAll(".theme-switch-button .theme-switch").forEach(function (icon) {
    icon.removeAttribute("title");
    icon.removeAttribute("aria-labelledby");
    icon.removeAttribute("role");
    icon.setAttribute("aria-hidden", "true");
    icon.querySelectorAll("title").forEach(function (title) { title.remove(); });
  });
}
document.addEventListener("DOMContentLoaded", courseA11yFixes);
window.addEventListener("load", courseA11yFixes);
