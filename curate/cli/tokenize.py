"""`curate tokenize OUT -o TOKENS --tokenizer T`: the final shards as token files trainers read."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from curate.cli.options import finished_run, language_list, language_weights, output_dir, positive_int
from curate.errors import UsageError
from curate.executors import EXECUTORS
from curate.pipeline.ownership import run_lock
from curate.statistics.mixture import parse_topic_weights
from curate.tokenize import formats
from curate.tokenize.job import (
    DEFAULT_MAX_FILE_BYTES,
    TokenizeSettings,
    checked_settings,
    read_record,
    tokenize_run,
)
from curate.tokenize.tokenizer_files import find_tokenizer

DATA_SUFFIXES = tuple(formats.DATA_SUFFIX.values())  # one per file set: .ds, .bin


def add_tokenize_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "tokenize",
        help="encode a run's final shards into token files (datatrove .ds or Megatron .bin/.idx)",
        description=(
            "Encode the final shards of the run in OUT with a tokenizer on disk and write them in a "
            "format trainers read: datatrove's (.ds token ids, .ds.index document ends, .ds.metadata; "
            "nanotron and datatrove's DatatroveFolderDataset read it) or Megatron-LM's indexed dataset "
            "(.bin + .idx, MMIDIDX version 1; Megatron, NeMo and OLMo-style loaders read it). Every "
            "document ends with the end token (and starts with the start token with --bos). The "
            "documents are shuffled with --seed, the same way whatever the worker count; one output "
            "per language (TOKENS/lang-xx/), or with --weights one mixture (TOKENS/mixture/) whose "
            "token shares are the weights: no document is dropped, and a language short of its share "
            "is repeated whole (then in part) until it reaches it. --topic-weights mixes by topic "
            "instead, the same way: the topics it names in those token shares, the documents of the "
            "others left out (`curate stats` with the same --topic-weights previews it). Files are "
            "bounded by "
            "--max-file-bytes. Token counts per language and domain go to TOKENS/token_counts.parquet "
            "and to OUT, where the report and `curate budget --shards` use them. Run the same command "
            "again after an interruption: shards already encoded are not encoded again."
        ),
    )
    parser.add_argument(
        "output", type=finished_run, metavar="OUT", help="the output directory of a finished `curate run`"
    )
    parser.add_argument(
        "-o", "--tokens", required=True, type=output_dir, metavar="TOKENS", help="where to write"
    )
    parser.add_argument(
        "--tokenizer",
        required=True,
        metavar="PATH",
        help="a tokenizer.json (tokenizers library) or a Hugging Face tokenizer folder on disk",
    )
    parser.add_argument("--format", choices=formats.FORMATS, default="datatrove", help="(default: datatrove)")
    parser.add_argument("--seed", type=int, default=0, help="document shuffle seed (default: 0)")
    parser.add_argument(
        "--weights", type=language_weights, metavar="MIX", help="one mixture by language, e.g. en=0.7,de=0.3"
    )
    parser.add_argument(
        "--topic-weights",
        type=parse_topic_weights,
        metavar="MIX",
        help=(
            "one mixture by topic, e.g. health_medicine=0.2,sports=0.1 (a cluster by its prefix: "
            "c03=0.5); documents of other topics left out; not with --weights"
        ),
    )
    parser.add_argument(
        "--langs",
        metavar="CODES",
        help="only these languages, e.g. en,de (default: all); with --topic-weights: its topics in these",
    )
    parser.add_argument(
        "--eos-token", metavar="TOKEN", help="the end-of-document token, where the tokenizer names none"
    )
    parser.add_argument("--bos", action="store_true", help="also start every document with the start token")
    parser.add_argument(
        "--max-file-bytes",
        type=positive_int,
        default=DEFAULT_MAX_FILE_BYTES,
        metavar="N",
        help=f"bound on each token file (default: {DEFAULT_MAX_FILE_BYTES:,}); one document never splits",
    )
    parser.add_argument(
        "--workers", type=positive_int, default=1, help="processes encoding shards (default: 1)"
    )
    parser.add_argument(
        "--executor",
        choices=EXECUTORS,
        default="local",
        help="local: a process pool (default); ray: a Ray cluster",
    )
    parser.add_argument(
        "--ray-address", metavar="ADDR", help="join this Ray cluster (default: start a local one)"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace a tokenization of another run in TOKENS"
    )


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def cmd_tokenize(args: argparse.Namespace) -> int:
    out, tokens = Path(args.output), Path(args.tokens)
    if tokens.resolve() == out.resolve() or out.resolve() in tokens.resolve().parents:
        raise UsageError(f"-o {tokens}: inside OUT; write the tokens elsewhere")
    if tokens.resolve() in out.resolve().parents:  # TOKENS' outputs and parts are replaced whole
        raise UsageError(f"-o {tokens}: holds OUT ({out}); write the tokens elsewhere")
    langs = language_list(args.langs or "")
    weights = args.weights or {}
    if weights and langs and set(weights) != set(langs):
        raise UsageError("--weights and --langs: name the same languages (or give only --weights)")
    langs = langs or sorted(weights)
    settings = TokenizeSettings(
        args.format, args.seed, weights, langs, args.max_file_bytes, args.topic_weights or {}
    )
    checked_settings(out, settings)  # OUT holds the languages and topics named: before any file is made
    tokenizer = find_tokenizer(args.tokenizer, args.eos_token, args.bos)
    with run_lock(out):  # taken before TOKENS is made: when OUT is busy, nothing is written
        tokens.mkdir(parents=True, exist_ok=True)
        with run_lock(tokens):
            earlier = read_record(tokens)
            if earlier and earlier["source"] != str(out.resolve()) and not args.force:
                raise UsageError(
                    f"-o {tokens}: holds the tokens of another run ({earlier['source']}); "
                    "--force replaces them"
                )
            record = tokenize_run(
                out, tokens, tokenizer, settings, args.workers, _say, args.executor, args.ray_address
            )
    for name, written in record["outputs"].items():
        repeats = ", ".join(f"{lang} x{factor:g}" for lang, factor in written["repeats"].items())
        print(
            f"{name}: {written['documents']:,} documents, {written['tokens']:,} tokens in "
            f"{sum(name.endswith(DATA_SUFFIXES) for name in written['files'])} file sets ({repeats})"
        )
    print(f"{record['documents']:,} documents, {record['tokens']:,} tokens; written to {tokens}")
    return 0
