"""Command-line options shared by several commands, and the config they make."""

from __future__ import annotations

import argparse
import math
import os

from curate.cli.verbosity import NORMAL, QUIET, VERBOSE, configure_stderr
from curate.config import Config, load_config, presets
from curate.errors import UsageError
from curate.executors import EXECUTORS
from curate.pipeline.progress import PROGRESS_EVERY_S
from curate.storage import StoreError, is_store_url, parse_storage_options
from curate.storage.store import checked_url


def positive_int(value: str) -> int:
    number = int(value)
    if number <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return number


def language_weights(value: str) -> dict[str, float]:
    """`en=0.7,de=0.3`: each language once, each weight a finite number above 0."""
    weights: dict[str, float] = {}
    for item in (piece.strip() for piece in value.split(",")):
        lang, _, number = item.partition("=")
        try:
            weight = float(number)
        except ValueError:
            weight = math.nan
        if (
            not item
            or not lang.strip()
            or not math.isfinite(weight)
            or weight <= 0
            or lang.strip() in weights
        ):
            raise argparse.ArgumentTypeError(
                f"expected lang=weight pairs like en=0.7,de=0.3, each language once, weight > 0: {value!r}"
            )
        weights[lang.strip()] = weight
    return weights


def _output_name(value: str, kind: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError(f"needs a {kind} name, got an empty one")
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        raise argparse.ArgumentTypeError(f"control character in the {kind} name {value!r}")
    return value


def output_dir(value: str) -> str:
    """An -o directory: named (an empty name would write into the working directory), with no
    control characters, and not an existing file."""
    if is_store_url(_output_name(value, "directory")):
        raise argparse.ArgumentTypeError(
            f"{value}: this command writes to a local or shared filesystem; only `curate run` writes to "
            "object storage"
        )
    value = value.removeprefix("file://")
    if os.path.lexists(_output_name(value, "directory")) and not os.path.isdir(value):
        raise argparse.ArgumentTypeError(f"{value} exists and is not a directory")
    return value


def finished_run(value: str) -> str:
    """The OUT of a finished `curate run`, read here: a local or shared folder. A run in an object
    store is refused with how to read it (its report is there already)."""
    if is_store_url(value):
        raise argparse.ArgumentTypeError(
            f"{value}: this command reads a run from a folder; the run's report is at "
            f"{value.rstrip('/')}/report/, or copy the run first (e.g. aws s3 sync {value} out/)"
        )
    return value.removeprefix("file://")


def output_location(value: str) -> str:
    """`curate run`'s -o: a directory (see output_dir), or the fsspec URL of an object store."""
    if is_store_url(_output_name(value, "directory")):
        try:
            return checked_url(value)
        except StoreError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
    return output_dir(value)


def storage_option(value: str) -> str:
    """One `--storage-option key=value` (parsed with the others by storage.parse_storage_options)."""
    try:
        parse_storage_options([value])
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return value


def seconds(value: str) -> float:
    number = float(value)
    if not math.isfinite(number) or not 0 <= number <= 24 * 3600:
        raise argparse.ArgumentTypeError(f"expected seconds from 0 to 86400, got {value}")
    return number


def add_store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--storage-option",
        action="append",
        default=[],
        type=storage_option,
        metavar="KEY=VALUE",
        help=(
            "an option of OUT's fsspec filesystem when OUT is a URL (repeatable; a.b=v nests, JSON "
            "values parse): e.g. client_kwargs.endpoint_url=http://host:8333. Credentials and the "
            "endpoint also come from the store's usual places (AWS_* variables, AWS_ENDPOINT_URL, "
            "~/.aws, fsspec's config)"
        ),
    )
    parser.add_argument(
        "--randomize-start",
        type=seconds,
        default=0.0,
        metavar="SECONDS",
        help=(
            "each task first waits a random time up to SECONDS, so that many workers do not hit the "
            "store at once (as FineWeb's randomize_start_duration; default 0)"
        ),
    )


def output_file(value: str) -> str:
    """An -o file: named, with no control characters, and not an existing directory."""
    if os.path.isdir(_output_name(value, "file")):
        raise argparse.ArgumentTypeError(f"{value} is a directory, not a file name")
    return value


def add_executor_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="local: a process pool on this machine (default); ray: a Ray cluster (the ray extra)",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="processes (local) or CPUs of a local Ray (default: one per 8 MB of input, at most one "
        "per input and per CPU)",
    )
    parser.add_argument(
        "--ray-address", metavar="ADDR", help="join this Ray cluster (default: start a local one for the run)"
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help=(
            "redo every input, and replace what OUT holds from a run over other inputs "
            "(default: skip inputs whose completion marker matches the input and config)"
        ),
    )
    parser.add_argument(
        "--add",
        action="store_true",
        help="add these inputs to the run OUT holds (its earlier inputs stay; the shards cover all)",
    )


def run_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of `run_pipeline` that come from the executor and progress options."""
    return {
        "show_progress": show_progress(args),
        "workers": args.workers,
        "progress_every_s": getattr(args, "progress_every", PROGRESS_EVERY_S),
        "executor": args.executor,
        "ray_address": args.ray_address,
        "force": args.force,
        "add": args.add,
    }


def store_options(args: argparse.Namespace) -> dict:
    """The keyword arguments of `run_pipeline` that come from add_store_options."""
    return {
        "storage_options": parse_storage_options(args.storage_option),
        "randomize_start_s": args.randomize_start,
    }


def status_codes(value: str) -> list[int]:
    try:
        return [int(code) for code in value.split(",") if code.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated HTTP codes, got {value!r}") from None


def language_list(value: str) -> list[str]:
    """`en,de`: the codes, blanks dropped."""
    return [code.strip() for code in value.split(",") if code.strip()]


def add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="TOML", help="thresholds and settings (see README)")
    parser.add_argument(
        "--preset",
        choices=presets(),
        help="a built-in configuration under --config's values: multilingual (FineWeb-2's "
        "per-language thresholds; nothing removed for language-ID doubt or badwords; see README)",
    )
    parser.add_argument(
        "--extractor",
        choices=["resiliparse", "trafilatura"],
        help="HTML to text (default: resiliparse)",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bars or progress lines")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument(
        "-q",
        "--quiet",
        dest="verbosity",
        action="store_const",
        const=QUIET,
        default=NORMAL,
        help="print only warnings, errors and the summary at the end (no progress)",
    )
    verbosity.add_argument(
        "-v",
        "--verbose",
        dest="verbosity",
        action="store_const",
        const=VERBOSE,
        help="log every step and every input as it finishes (OUT/logs/curate.log has them always)",
    )
    parser.add_argument(
        "--keep-removed",
        action="store_true",
        help="keep removed documents' text: OUT/excluded/reason-xx/ shards and examples in the report",
    )
    parser.add_argument(
        "--lid-model",
        metavar="PATH",
        help="language-ID model: lid.176.bin or GlotLID (default: $CURATE_LID_MODEL, else lid.176.ftz)",
    )
    parser.add_argument(
        "--langs", type=language_list, metavar="CODES", help="keep only these languages, e.g. en,de"
    )
    parser.add_argument(
        "--badwords-dir",
        metavar="DIR",
        help="LDNOOBW lists, one file per language (default: $CURATE_BADWORDS_DIR, the cache, a download)",
    )


def show_progress(args: argparse.Namespace) -> bool | None:
    """run_pipeline's show_progress: None (bars on a terminal, plain lines elsewhere) or False."""
    return False if args.no_progress or getattr(args, "verbosity", NORMAL) == QUIET else None


def start_logging(args: argparse.Namespace) -> None:
    """The log on stderr at the verbosity of --quiet / --verbose; --no-progress alone: as --quiet."""
    verbosity = getattr(args, "verbosity", NORMAL)
    configure_stderr(QUIET if args.no_progress and verbosity == NORMAL else verbosity)


def config_from_args(args: argparse.Namespace) -> Config:
    config = load_config(args.config, args.preset)
    if getattr(args, "extractor", None):
        config.extract.extractor = args.extractor
    if getattr(args, "base_url", None):
        config.read.cc_base_url = args.base_url
    if getattr(args, "http_status", None):
        config.read.http_status = args.http_status
    if args.lid_model:
        config.langid.model = args.lid_model
    if args.langs:
        config.langid.langs = args.langs
    if args.badwords_dir:
        config.filters.badwords_dir = args.badwords_dir
    if args.keep_removed:
        config.output.keep_removed = True
    return config.validate()
