"""`curate calibrate OUT`: per-language filter thresholds that remove as large a share of each
language as the reference language's thresholds remove of the reference (curate.statistics.calibrate)."""

from __future__ import annotations

import argparse
from pathlib import Path

from curate.atomic import write_atomically
from curate.cli.options import finished_run, output_file, positive_int
from curate.errors import UsageError
from curate.statistics import signals
from curate.statistics.calibrate import CALIBRATED, MIN_DOCS, calibrate, format_table, overrides_toml
from curate.statistics.sources import load_outputs


def add_calibrate_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "calibrate",
        help="propose per-language filter thresholds that treat each language as the reference (en)",
        description=(
            "Calibrate the filters' thresholds for languages they were not tuned on, from a finished "
            f"run in OUT (the FineWeb-2 idea). For each numeric threshold (min_*/max_*) of "
            f"{', '.join(CALIBRATED)}, the share of the reference language's documents that its "
            "threshold removes on that signal is measured; for every other language with at least "
            "--min-docs documents, the threshold proposed is the quantile of that language's own "
            "values of the signal at the same share (min_*: the share-quantile, max_*: the "
            "(1 - share)-quantile), so that it removes about the same share of the language. Only "
            "thresholds that come out looser than the one the run applied are proposed; tighter "
            "ones are printed as notes, never written. Only the documents that reached a filter "
            "count (kept, or removed by it or a later filter): those removed earlier have no value "
            "of its signals. Prints a table (language, documents, filter.field, default, proposed, "
            "the reference's share, the language's removed share before -> after); with -o, writes "
            "the [filters.per_language.<lang>.<filter>] tables (with the run's own per-language "
            "overrides) as a TOML file for `curate run --config`."
        ),
    )
    parser.add_argument(
        "output", type=finished_run, metavar="OUT", help="the output directory of a finished `curate run`"
    )
    parser.add_argument(
        "-o",
        "--overrides",
        type=output_file,
        metavar="TOML",
        help="write the proposed per-language thresholds here (a config file `curate run --config` reads)",
    )
    parser.add_argument(
        "--reference",
        metavar="LANG",
        help="the language whose removal shares the others match (default: en, or the language with "
        "most documents if the run has no en)",
    )
    parser.add_argument(
        "--min-docs",
        type=positive_int,
        default=MIN_DOCS,
        metavar="N",
        help=f"calibrate only languages with at least N documents reaching a filter (default: {MIN_DOCS})",
    )


def cmd_calibrate(args: argparse.Namespace) -> int:
    run = load_outputs(Path(args.output), list(signals.numeric_signals()))
    calibration = calibrate(run, args.reference, args.min_docs)
    print(format_table(calibration))
    if args.overrides:
        text = overrides_toml(calibration, run, args.output)
        path = Path(args.overrides)
        try:
            write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        except OSError as exc:
            raise UsageError(f"-o {path}: cannot write it: {exc.strerror or exc}") from None
        languages = len(calibration.overrides())
        print(f"\n{len(calibration.rows)} threshold(s) for {languages} language(s) written to {path}")
    elif calibration.rows:
        print("\nwrite them as a config file with -o FILE")
    return 0
