"""The report page's frame: its style, its few lines of script, the table of contents and the
collapsible sections. Everything inline, nothing from the network, so the file works offline."""

from __future__ import annotations

import html
from dataclasses import dataclass

STYLE = """
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #222; overflow-wrap: anywhere; }
.layout { display: grid; grid-template-columns: 210px minmax(0, 1fr); gap: 24px; max-width: 1400px;
  margin: 0 auto; padding: 16px; }
nav.toc { position: sticky; top: 16px; align-self: start; max-height: calc(100vh - 32px); overflow-y: auto;
  font-size: 13px; border-right: 1px solid #ddd; padding-right: 12px; }
nav.toc ol { list-style: none; margin: 0; padding: 0; }
nav.toc li { margin: 2px 0; }
nav.toc a { color: #2a5d8f; text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
main { min-width: 0; }
h1 { font-size: 20px; margin: 0 0 8px; }
details.section { border-top: 1px solid #ddd; padding: 4px 0 8px; }
details.section > summary { cursor: pointer; }
details.section > summary h2 { display: inline; font-size: 17px; margin: 0; }
h3 { font-size: 15px; margin: 14px 0 4px; }
.card { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 8px;
  margin: 8px 0; }
.card div { background: #f3f6fa; border-radius: 6px; padding: 8px 10px; }
.card b { display: block; font-size: 20px; }
.card span { color: #555; font-size: 12px; }
.scroll { overflow-x: auto; max-width: 100%; margin: 0.5em 0 1.2em; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: left; white-space: nowrap;
  vertical-align: top; }
td[data-v] { text-align: right; }
td.text { white-space: normal; min-width: 8em; max-width: 380px; overflow-wrap: anywhere; }
th { cursor: pointer; user-select: none; background: #fafafa; }
th[aria-sort="ascending"]::after { content: " \\25B2"; }
th[aria-sort="descending"]::after { content: " \\25BC"; }
tr.flagged td { background: #fde3dc; }
tr.weak td { color: #777; }
td.heat { min-width: 4em; text-align: center; }
img { max-width: 100%; height: auto; display: block; margin: 6px 0; }
.note { color: #555; }
#broken-images { color: #b00; font-weight: bold; }
@media (max-width: 900px) {
  .layout { grid-template-columns: minmax(0, 1fr); }
  nav.toc { position: static; max-height: none; border-right: 0; border-bottom: 1px solid #ddd;
    padding: 0 0 8px; }
  nav.toc ol { display: flex; flex-wrap: wrap; gap: 4px 14px; }
}
"""
# Counts images that failed to load, for a reader and for the browser test.
CHECK_IMAGES = """
window.addEventListener("load", function () {
  var images = document.images, broken = 0;
  for (var i = 0; i < images.length; i++) {
    if (!images[i].complete || images[i].naturalWidth === 0) broken++;
  }
  document.body.setAttribute("data-images", images.length);
  document.body.setAttribute("data-broken-images", broken);
  if (broken) document.getElementById("broken-images").textContent = broken + " image(s) failed to load";
});
"""
# A click on a header sorts its table by that column: numbers by data-v, the rest as text; again
# reverses. Rows without a value sort last either way.
SORT_TABLES = """
document.addEventListener("click", function (event) {
  var th = event.target.closest("table.sortable th");
  if (!th) return;
  var table = th.closest("table"), body = table.tBodies[0], column = th.cellIndex;
  var descending = th.getAttribute("aria-sort") === "ascending";
  Array.prototype.forEach.call(th.parentNode.cells, function (c) { c.removeAttribute("aria-sort"); });
  th.setAttribute("aria-sort", descending ? "descending" : "ascending");
  function key(row) {
    var cell = row.cells[column];
    var value = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
    if (value === "") return null;
    return cell.hasAttribute("data-v") ? +value : value;
  }
  var rows = Array.prototype.slice.call(body.rows);
  rows.sort(function (a, b) {
    var x = key(a), y = key(b);
    if (x === null || y === null) return (x === null) - (y === null);
    var order = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
    return descending ? -order : order;
  });
  rows.forEach(function (row) { body.appendChild(row); });
});
"""


@dataclass
class Section:
    anchor: str  # the id the table of contents links to
    title: str
    body: str  # HTML


def section_html(section: Section) -> str:
    return (
        f'<details class="section" id="{section.anchor}" open><summary><h2>{html.escape(section.title)}'
        f"</h2></summary>\n{section.body}\n</details>"
    )


def toc_html(sections: list[Section]) -> str:
    links = "".join(f'<li><a href="#{s.anchor}">{html.escape(s.title)}</a></li>' for s in sections)
    return f'<nav class="toc" aria-label="contents"><ol>{links}</ol></nav>'


def page_html(title: str, header: str, sections: list[Section]) -> str:
    """The whole page: `header` (HTML) above the sections, the table of contents beside them."""
    body = "\n".join(section_html(s) for s in sections)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
        f"<script>{CHECK_IMAGES}{SORT_TABLES}</script></head><body>\n"
        f'<div class="layout">{toc_html(sections)}<main>\n{header}\n{body}\n</main></div>\n</body></html>'
    )
