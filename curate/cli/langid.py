"""`curate langid`: tag text from stdin or a file, or evaluate on labelled JSONL."""

from __future__ import annotations

import argparse
import json
import operator
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from curate.atomic import strict_dumps
from curate.errors import UsageError
from curate.inputs import open_text_lines
from langid import DEFAULT_PREFIX_CHARS, LanguageIdentifier, ModelNotFoundError
from langid.evaluate import Evaluation, evaluate, raw_fasttext_accuracy

COMPARISONS = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}
WHERE = re.compile(r"^\s*([\w.]+)\s*(>=|<=|==|!=|>|<)\s*(.+?)\s*$")


def add_langid_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "langid",
        help="identify the language of text, or evaluate language ID on labelled JSONL",
        description=(
            "Without --eval: print `lang<TAB>score<TAB>script<TAB>text` for each line of FILE "
            "(or stdin), or one result for the whole input with --whole. With --eval: accuracy, "
            "macro F1, per-language precision/recall, the most confused pairs and docs/s on a "
            "labelled JSONL file, next to raw fastText on the same texts."
        ),
    )
    parser.add_argument("file", nargs="?", help="text file (default: stdin); .gz and .zst are read too")
    parser.add_argument("--whole", action="store_true", help="the whole input is one document")
    parser.add_argument("--json", action="store_true", help="JSON lines out, with the alternatives")
    parser.add_argument(
        "--top-k", type=int, default=1, metavar="K", help="also report the next K-1 languages"
    )
    parser.add_argument(
        "--lid-model",
        metavar="PATH",
        help="lid.176.bin or a GlotLID model (default: the shipped lid.176.ftz; env CURATE_LID_MODEL)",
    )
    parser.add_argument(
        "--prefix-chars",
        type=int,
        default=DEFAULT_PREFIX_CHARS,
        metavar="N",
        help=f"characters read per document, 0 for all (default: {DEFAULT_PREFIX_CHARS})",
    )
    parser.add_argument("--eval", metavar="FILE.jsonl", help="evaluate on this labelled JSONL file")
    parser.add_argument("--text-field", default="text", help="with --eval: the text field (default: text)")
    parser.add_argument(
        "--label-field", default="lang", help="with --eval: the language-code field (default: lang)"
    )
    parser.add_argument(
        "--where",
        action="append",
        default=[],
        metavar="EXPR",
        help="with --eval: keep rows where FIELD OP VALUE holds, e.g. 'stage>=4' (repeatable)",
    )
    parser.add_argument(
        "--show", type=int, default=20, metavar="N", help="with --eval: rows of each table (default: 20)"
    )


def _identifier(args: argparse.Namespace) -> LanguageIdentifier:
    try:
        return LanguageIdentifier(
            args.lid_model, prefix_chars=args.prefix_chars or None, top_k=max(1, args.top_k)
        )
    except ModelNotFoundError as exc:
        raise UsageError(str(exc)) from None


def _parse_where(expression: str) -> tuple[str, Any, Any]:
    match = WHERE.match(expression)
    if not match:
        raise UsageError(
            f"--where {expression!r}: expected FIELD OP VALUE with OP one of {' '.join(COMPARISONS)}"
        )
    name, op, raw = match.groups()
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return name, COMPARISONS[op], value


def _matches(row: dict, conditions: list[tuple[str, Any, Any]]) -> bool:
    try:
        return all(row.get(name) is not None and op(row[name], value) for name, op, value in conditions)
    except TypeError:  # e.g. comparing a string field with a number
        return False


def read_labelled(
    path: str, text_field: str, label_field: str, where: list[str]
) -> tuple[list[str], list[str]]:
    conditions = [_parse_where(expression) for expression in where]
    texts, labels = [], []
    for number, line in enumerate(open_text_lines(path), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except ValueError:
            raise UsageError(f"--eval {path}: line {number} is not JSON") from None
        if text_field not in row or label_field not in row:
            raise UsageError(f"--eval {path}: line {number} has no {text_field!r} or {label_field!r} field")
        if _matches(row, conditions):
            texts.append(row[text_field])
            labels.append(row[label_field])
    return texts, labels


def format_evaluation(evaluation: Evaluation, raw_accuracy: float, show: int) -> str:
    lines = [
        f"documents: {evaluation.documents:,} "
        f"(skipped {evaluation.skipped_unknown:,} in languages the model does not know)",
        f"accuracy: {evaluation.accuracy:.4f}   (raw fastText on the same texts: {raw_accuracy:.4f})",
        f"macro F1: {evaluation.macro_f1:.4f}",
        f"docs/s:   {evaluation.docs_per_s:,.0f}",
        "",
        f"{'lang':<8}{'support':>8}{'precision':>11}{'recall':>8}{'F1':>7}   (lowest F1 first)",
    ]
    for s in sorted(evaluation.per_language, key=lambda s: (s.f1, s.lang))[:show]:
        lines.append(f"{s.lang:<8}{s.support:>8}{s.precision:>11.3f}{s.recall:>8.3f}{s.f1:>7.3f}")
    lines += ["", "most confused (true -> predicted: count)"]
    lines += [f"  {t} -> {p}: {n}" for t, p, n in evaluation.confused[:show]]
    return "\n".join(lines)


def _documents(args: argparse.Namespace) -> Iterator[str]:
    lines = open_text_lines(args.file) if args.file else sys.stdin
    if args.whole:
        yield "".join(lines)
    else:
        yield from (line.rstrip("\n") for line in lines)


def cmd_langid(args: argparse.Namespace) -> int:
    identifier = _identifier(args)
    if args.eval:
        if not Path(args.eval).is_file():
            raise UsageError(f"--eval: no such file: {args.eval}")
        texts, labels = read_labelled(args.eval, args.text_field, args.label_field, args.where)
        evaluation = evaluate(identifier, texts, labels)
        print(
            format_evaluation(evaluation, raw_fasttext_accuracy(identifier.model, texts, labels), args.show)
        )
        return 0
    batch: list[str] = []
    for document in _documents(args):
        batch.append(document)
        if len(batch) >= 1000:
            _print_predictions(identifier, batch, args.json)
            batch = []
    _print_predictions(identifier, batch, args.json)
    return 0


def _print_predictions(identifier: LanguageIdentifier, texts: list[str], as_json: bool) -> None:
    for text, p in zip(texts, identifier.predict(texts)):
        if as_json:
            alternatives = [{"lang": lang, "score": score} for lang, score in p.alternatives]
            print(
                strict_dumps(
                    {
                        "lang": p.lang,
                        "script": p.script,
                        "score": round(p.score, 4),
                        "alternatives": alternatives,
                    },
                    indent=None,
                    ensure_ascii=False,
                )
            )
        else:
            print(f"{p.lang}\t{p.score:.4f}\t{p.script or '-'}\t{text[:60]}")
