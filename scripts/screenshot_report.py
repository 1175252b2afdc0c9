"""Picture the report of a finished run: `python scripts/screenshot_report.py OUT docs/report.png`.

Renders OUT's report with the current code (into a temporary file: OUT is not touched) and saves
the top 1400 x 1000 pixels as seen in headless Chromium (/usr/bin/chromium, through Playwright)."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from curate.statistics import compute_stats
from curate.statistics.report import render
from curate.statistics.screenshot import screenshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the output directory of `curate run`")
    parser.add_argument("png", type=Path, help="where to write the screenshot")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "report.html"
        page.write_text(render(compute_stats(args.out)), encoding="utf-8")
        screenshot(page, args.png, args.width, args.height)
    print(f"{args.png}: {args.png.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
