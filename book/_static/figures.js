// Figures legible on a phone (issue #21): at 390 px a notebook figure is shown at a third of its
// size or less. Each one becomes a link to its full-size PNG, which a phone's browser opens and
// lets the reader zoom (tests/test_site.py checks it). Animation frames (data: URLs) are left
// alone.
function courseFigureLinks() {
  document.querySelectorAll(".cell_output img").forEach(function (img) {
    var src = img.getAttribute("src") || "";
    if (img.closest("a") || src.startsWith("data:")) return;
    var link = document.createElement("a");
    link.href = src;
    link.className = "figure-zoom";
    link.title = "Open the full-size figure";
    img.parentNode.insertBefore(link, img);
    link.appendChild(img);
  });
}
document.addEventListener("DOMContentLoaded", courseFigureLinks);
