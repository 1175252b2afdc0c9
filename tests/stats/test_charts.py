"""The report's SVG charts: well-formed, one bar per value, bars proportional to the values."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import polars as pl
import pytest

from curate.statistics import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(uri: str) -> ET.Element:
    prefix = "data:image/svg+xml;base64,"
    assert uri.startswith(prefix)
    return ET.fromstring(base64.b64decode(uri[len(prefix) :]))


def bars_of(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("fill") == charts.COLORS["kept"]]


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [(0, 100, [0, 50, 100]), (0, 7, [0, 2, 4, 6]), (0.013, 0.048, [0.02, 0.03, 0.04]), (3, 3, [3])],
)
def test_nice_ticks(low, high, expected):
    assert charts.nice_ticks(low, high) == pytest.approx(expected)


def test_funnel_has_one_bar_per_step_proportional_to_documents():
    table = pl.DataFrame({"lang": ["all"] * 3, "step": ["read", "langid", "final"], "docs": [400, 200, 100]})
    root = parse(charts.funnel(table))
    heights = [float(r.get("height")) for r in bars_of(root)]
    assert len(heights) == 3
    assert heights[0] == pytest.approx(2 * heights[1], rel=0.01) == pytest.approx(4 * heights[2], rel=0.01)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert {"read", "langid", "final", "documents"} <= set(labels)


def test_language_names_are_escaped_and_log_scale_shows_single_clusters():
    languages = pl.DataFrame({"lang": ["en", "<x&y>"], "chars_share": [0.75, 0.25]})
    root = parse(charts.language_shares(languages))  # parses: the label was escaped
    assert "<x&y>" in [t.text for t in root.iter(f"{SVG}text")]
    clusters = pl.DataFrame({"cluster_size": [1, 2], "clusters": [100, 1]})
    heights = [float(r.get("height")) for r in bars_of(parse(charts.cluster_sizes(clusters)))]
    assert heights[1] > 0 and heights[0] == pytest.approx(3 * heights[1], rel=0.01)  # 10^2 vs 10^0


def test_signal_panels_stack_kept_under_removed_and_draw_thresholds():
    rows = [
        {"signal": "s", "outcome": outcome, "bin_start": float(i), "bin_end": float(i + 1), "count": count}
        for outcome, counts in (("kept", [4, 0]), ("removed", [0, 2]))
        for i, count in enumerate(counts)
    ]
    histogram = pl.DataFrame(rows)
    root = parse(charts.signals([(histogram, {"max_s": 1.0}), (histogram, {})]))
    titles = [t.text for t in root.iter(f"{SVG}text")]
    assert titles.count("s") == 2
    dashed = [line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray")]
    assert len(dashed) == 1
    removed = [
        float(r.get("height")) for r in root.iter(f"{SVG}rect") if r.get("fill") == charts.COLORS["removed"]
    ]
    kept = [float(r.get("height")) for r in bars_of(root)]
    assert max(kept) == pytest.approx(2 * max(removed))


def test_language_shares_draw_a_share_over_nothing_as_no_bar():
    # A run whose kept documents hold no characters: the share is null, not NaN.
    languages = pl.DataFrame(
        {"lang": ["en"], "chars_share": [None]}, schema={"lang": pl.String, "chars_share": pl.Float64}
    )
    widths = [float(r.get("width")) for r in bars_of(parse(charts.language_shares(languages)))]
    assert widths == [0.0]


def test_bars_carry_their_values_and_long_labels_end_in_an_ellipsis():
    table = pl.DataFrame({"lang": ["all"] * 2, "step": ["read", "s" * 40], "docs": [1500, 7]})
    root = parse(charts.funnel(table))
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "1.5k" in labels and "7" in labels  # each bar's value
    assert "s" * (charts.MAX_LABEL - 1) + "\u2026" in labels and "s" * 40 not in labels
    # The value sits above its bar, under the plot's top edge, which is under the title.
    heights = {float(r.get("height")): r for r in bars_of(root)}
    tallest = heights[max(heights)]
    value = next(t for t in root.iter(f"{SVG}text") if t.text == "1.5k")
    assert float(value.get("y")) < float(tallest.get("y")) and float(value.get("y")) > 16 + 13


def test_language_shares_name_the_languages_and_write_each_share_beside_its_bar():
    languages = pl.DataFrame({"lang": ["fr", "sr"], "chars_share": [0.625, 0.375]})
    root = parse(charts.language_shares(languages))
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert {"fr French", "sr Serbian", "62.5%", "37.5%"} <= set(labels)
    ends = [float(r.get("x")) + float(r.get("width")) for r in bars_of(root)]
    shares = [t for t in root.iter(f"{SVG}text") if t.text.endswith("%") and t.text[0].isdigit()]
    assert [float(t.get("x")) for t in shares] == pytest.approx([end + 4 for end in ends], abs=0.11)


def test_a_chart_is_as_wide_as_its_title():
    root = parse(charts.cluster_sizes(pl.DataFrame({"cluster_size": [1], "clusters": [13]})))
    title = next(root.iter(f"{SVG}text"))
    assert float(root.get("width")) >= charts.text_width(title.text, charts.TITLE_SIZE)
