"""`curate quality train`: a fastText quality classifier from reference-quality and crawl text."""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from pathlib import Path

from curate.cli.options import output_file
from curate.config import ReadConfig
from curate.errors import UsageError
from curate.inputs import expand_inputs, open_text_lines
from curate.readers import read_input
from filters.quality import POSITIVE, QualityClassifier, QualityThresholds, train_classifier

HOLDOUT_FRACTION = 0.1


def add_quality_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "quality",
        help="train the fastText quality classifier",
        description=(
            "Train a fastText classifier that tells reference-quality text (--positive: e.g. "
            "Wikipedia, books, curated shards) from random crawl text (--negative), as GPT-3 and "
            "DCLM did. Inputs: JSONL(.gz/.zst) or Parquet with a text field, or plain text files "
            "(one document a line). 10% of each side is held out and the accuracy on it printed. "
            "Use the model with [filters.quality] model = PATH and 'quality' in filters.order."
        ),
    )
    actions = parser.add_subparsers(dest="action", required=True)
    train = actions.add_parser("train", help="train and save a model", description=parser.description)
    train.add_argument("--positive", nargs="+", required=True, metavar="INPUT", help="reference-quality text")
    train.add_argument("--negative", nargs="+", required=True, metavar="INPUT", help="random crawl text")
    train.add_argument(
        "-o",
        "--output",
        required=True,
        type=output_file,
        metavar="MODEL",
        help="where to save the model (.bin)",
    )
    train.add_argument("--text-field", default="text", help="the text field of JSONL/Parquet inputs")
    train.add_argument("--limit", type=int, metavar="N", help="at most N documents per side")
    train.add_argument("--epoch", type=int, default=5, help="training epochs (default: 5)")
    train.add_argument("--seed", type=int, default=0, help="shuffle and training seed (default: 0)")


def read_texts(inputs: list[str], text_field: str, limit: int | None) -> list[str]:
    texts: list[str] = []
    for location in expand_inputs(inputs, base_url=""):
        texts.extend(_texts_of(location, text_field))
        if limit and len(texts) >= limit:
            return texts[:limit]
    return texts


def _texts_of(location: str, text_field: str) -> Iterator[str]:
    if location.endswith((".txt", ".txt.gz")):
        with open_text_lines(location) as lines:
            yield from (line.strip() for line in lines if line.strip())
        return
    with read_input(location, ReadConfig(text_field=text_field)) as opened:
        yield from (record.text for record in opened.records if record.text)


def cmd_quality(args: argparse.Namespace) -> int:
    positive = read_texts(args.positive, args.text_field, args.limit)
    negative = read_texts(args.negative, args.text_field, args.limit)
    if not positive or not negative:
        raise UsageError("quality train: --positive and --negative must each hold at least one document")
    rng = random.Random(args.seed)
    rng.shuffle(positive)
    rng.shuffle(negative)
    held_positive = positive[: int(len(positive) * HOLDOUT_FRACTION)]
    held_negative = negative[: int(len(negative) * HOLDOUT_FRACTION)]
    summary = train_classifier(
        positive[len(held_positive) :],
        negative[len(held_negative) :],
        args.output,
        epoch=args.epoch,
        seed=args.seed,
    )
    print(f"trained on {summary['positive']:,} positive and {summary['negative']:,} negative documents")
    if held_positive and held_negative:
        classifier = QualityClassifier(thresholds=QualityThresholds(model=str(args.output)))
        scores = classifier.scores(held_positive + held_negative)
        truth = [True] * len(held_positive) + [False] * len(held_negative)
        recall = {
            side: sum((score >= 0.5) == side for score, label in zip(scores, truth) if label == side)
            / sum(label == side for label in truth)
            for side in (True, False)
        }
        print(
            f"held-out: {len(held_positive):,} positive, {len(held_negative):,} negative; recall "
            f"{recall[True]:.3f} / {recall[False]:.3f}; balanced accuracy {sum(recall.values()) / 2:.3f}"
            f" (label {POSITIVE})"
        )
    print(f"model: {Path(args.output)}")
    return 0


__all__ = ["add_quality_parser", "cmd_quality"]
