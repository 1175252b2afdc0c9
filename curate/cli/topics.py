"""`curate topics train|eval|predict`: the topic classifier, trained on seed-labelled text."""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

from curate.cli.options import output_file, positive_int
from curate.errors import UsageError
from curate.inputs import open_text_lines
from curate.topics.corpus import LabelledDocument, label_documents, read_documents, split
from curate.topics.evaluate import cross_validate, evaluate, format_accuracy
from curate.topics.model import TopicModel, train_topic_model

PREDICT_BATCH = 1000


def add_topics_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "topics",
        help="train, evaluate and run the topic classifier",
        description=(
            "A fastText classifier of 22 content topics (curate/topics/taxonomy.py), trained on "
            "documents the seed lexicons label (curate/topics/labels.py). Inputs: run folders (their "
            "shards), JSONL/Parquet with a text field, WARC/WET, or plain text (one document a line). "
            "10% of the labelled documents, chosen by a hash of the text, are held out."
        ),
    )
    actions = parser.add_subparsers(dest="action", required=True)
    train = actions.add_parser("train", help="label the inputs, train and save a model")
    train.add_argument("inputs", nargs="+", metavar="INPUT")
    train.add_argument(
        "-o", "--output", required=True, type=output_file, metavar="MODEL", help="where to save the model"
    )
    evaluation = actions.add_parser(
        "eval",
        help="accuracy of a model on the inputs' held-out documents, or cross-validated (--folds)",
    )
    evaluation.add_argument("model", nargs="?", metavar="MODEL", help="the model (not with --folds)")
    evaluation.add_argument("inputs", nargs="+", metavar="INPUT")
    evaluation.add_argument("--all", action="store_true", help="every labelled document, not only held-out")
    evaluation.add_argument(
        "--folds",
        type=positive_int,
        metavar="K",
        help="no model: train K models, each predicting the fold it did not see, and score every "
        "labelled document (for a small labelled set)",
    )
    for action in (train, evaluation):
        action.add_argument("--epoch", type=positive_int, default=25, help="training epochs (default: 25)")
        action.add_argument("--text-field", default="text", help="the text field of JSONL/Parquet inputs")
        action.add_argument("--lid-model", metavar="PATH", help="language ID for inputs without a language")
    predict = actions.add_parser("predict", help="print `topic<TAB>score<TAB>text` for each line")
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("file", nargs="?", help="text file (default: stdin)")


def _labelled(args: argparse.Namespace) -> list[LabelledDocument]:
    labelled = label_documents(read_documents(args.inputs, args.text_field, args.lid_model))
    if not labelled:
        raise UsageError(f"topics {args.action}: the seeds label no document of the inputs")
    return labelled


def _print_counts(labelled: list[LabelledDocument]) -> None:
    for title, counts in (
        ("topic", Counter(doc.topic for doc in labelled)),
        ("language", Counter(doc.lang for doc in labelled)),
    ):
        print(f"\n| {title} | labelled documents |\n|---|---:|")
        print("\n".join(f"| {name} | {n:,} |" for name, n in counts.most_common()))


def cmd_topics(args: argparse.Namespace) -> int:
    if args.action == "predict":
        return _predict(TopicModel.load(args.model, option="MODEL"), args.file)
    if args.action == "eval":
        return _evaluate(args)
    labelled = _labelled(args)
    train, held_out = split(labelled)
    print(f"labelled {len(labelled):,} documents: {len(train):,} to train on, {len(held_out):,} held out")
    _print_counts(labelled)
    model = train_topic_model([(doc.text, doc.topic) for doc in train], args.output, epochs=args.epoch)
    print()
    print(format_accuracy(evaluate(model, held_out)) if held_out else "no held-out documents")
    print(f"\nmodel: {args.output}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    if args.folds:
        if args.model:  # argparse read the first input as MODEL: without a model, it is an input
            args.inputs = [args.model, *args.inputs]
        labelled = _labelled(args)
        with tempfile.TemporaryDirectory() as workdir:
            accuracy = cross_validate(labelled, args.folds, Path(workdir), epochs=args.epoch)
        print(format_accuracy(accuracy, f"{args.folds}-fold cross-validated accuracy (seeds masked)"))
        return 0
    if not args.model:
        raise UsageError("topics eval: name a MODEL, or give --folds")
    model = TopicModel.load(args.model, option="MODEL")
    labelled = _labelled(args)
    print(format_accuracy(evaluate(model, labelled if args.all else split(labelled)[1])))
    return 0


def _predict(model: TopicModel, path: str | None) -> int:
    lines = open_text_lines(path) if path else sys.stdin
    batch: list[str] = []
    for line in [*lines, None]:
        if line is not None:
            batch.append(line.rstrip("\n"))
        if batch and (line is None or len(batch) >= PREDICT_BATCH):
            for text, (topic, score) in zip(batch, model.predict(batch)):
                print(f"{topic}\t{score:.4f}\t{text[:60]}")
            batch = []
    return 0


__all__ = ["add_topics_parser", "cmd_topics"]
