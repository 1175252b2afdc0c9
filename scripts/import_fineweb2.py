"""FineWeb-2's published per-language thresholds -> curate's `fineweb2` filter profile (issue #20).

    python scripts/import_fineweb2.py [--mirror PATH] [--rev HEAD]

Reads `configs/{iso3}_{script}.yml` (1,929 files) and `fineweb2-language-distribution.csv` from a
git checkout or bare mirror of huggingface/fineweb-2 (Apache-2.0) and writes, for each language
code as curate names languages (`langid.normalize_code`: ISO 639-1 where it exists, individual
languages folded into their macrolanguage, cmn -> zh, arb -> ar):

- filters/data/fineweb2.json: the curate filter overrides each config implies, with
  `language_score` and the config file it came from; FineWeb-2's pipeline constants (the values
  its pipeline passes the same for every language) once under `pipeline`;
- langid/data/fineweb2_language_scores.json: the language scores alone, for langid's `fineweb2`
  threshold profile (langid imports neither filters nor curate, so it owns its copy).

Only published figures are read (no code is copied). Where several configs give one code (one
language in several scripts, or individual languages folded into one macrolanguage) the entry is
the config in the language's usual script (CLDR's likely script, as langid/labels.py uses; Hani
counts for Hans and Hant), then the one with the most documents in FineWeb-2 (swh_Latn, not
swc_Latn, for sw), then the first by name; the others are listed under `not_used`.

How FineWeb-2 applies each key (fineweb-2-pipeline.py passes them to datatrove's filters) and what
curate field it becomes:

| FineWeb-2 key        | datatrove drops a document when       | curate field; conversion                   |
|----------------------|---------------------------------------|--------------------------------------------|
| dup_line_frac        | repeated lines / lines > x (a count   | gopher_repetition.max_dup_line_ratio;      |
|                      | of lines, not of chars; falsy: off)   | 0 -> false; > 1 -> 1.0 (the same: never    |
|                      |                                       | exceeded)                                  |
| top_n_grams [[n, x]] | chars of the top n-gram's occurrences | gopher_repetition.max_top_{n}gram_char_    |
|                      | / chars > x (n = 2, 3, 4)             | ratio; > 1 -> 1.0, the field's top (notes) |
| dup_n_grams [[n, x]] | chars in repeated n-grams / chars > x | gopher_repetition.max_dup_{n}gram_char_    |
|                      | (n = 5..10; 0 is strict, not off)     | ratio; > 1 -> 1.0 (the same: never         |
|                      |                                       | exceeded)                                  |
| min_avg_word_length  | mean length of non-symbol words < x   | gopher_quality.min_mean_word_len;          |
|                      | (falsy: off)                          | 0 -> false                                 |
| max_avg_word_length  | mean length of non-symbol words > x   | gopher_quality.max_mean_word_len;          |
|                      |                                       | > 1000 -> 1000 (the field's top)           |
| max_non_alpha_words_ | words with an alphabetic char / words | gopher_quality.min_alpha_words_ratio, as   |
| ratio                | < x: a MINIMUM share of alphabetic    | is                                         |
|                      | words, as Gopher's 0.8, despite the   |                                            |
|                      | name                                  |                                            |
| stopwords            | distinct stop words among the words < | gopher_quality.stop_words: those curate    |
|                      | min_stop_words, which the pipeline    | splits as one word; fewer than 2 left: no  |
|                      | sets to 2 for every language          | list (the rule is off, as for a language   |
|                      |                                       | without one); min_stop_words = 2           |
| line_punct_thr       | non-empty lines ending in terminal    | fineweb.min_punct_lines_ratio;             |
|                      | punctuation / lines < x (-1, 0: never)| <= 0 -> false (the same)                   |
| new_line_ratio       | newlines / words > x                  | fineweb.max_newline_word_ratio, as is      |
| language_score       | GlotLID score < x (kept when >=)      | language_score (langid's `fineweb2`)       |

FineWeb-2's pipeline constants, the same for every language (`pipeline` in the JSON):

| FineWeb-2's pipeline                              | curate field                                 |
|---------------------------------------------------|----------------------------------------------|
| GopherRepetitionFilter dup_para_frac=0,           | gopher_repetition.max_dup_para_ratio,        |
| dup_para_char_frac=0, dup_line_char_frac=0 (off)  | max_dup_para_char_ratio,                     |
|                                                   | max_dup_line_char_ratio: false               |
| FineWebQualityFilter short_line_thr=999 (off)     | fineweb.max_short_lines_ratio: false         |
| FineWebQualityFilter char_duplicates_ratio=0.1    | fineweb.max_dup_line_char_ratio: 0.1         |
| GopherQualityFilter min_stop_words=2              | gopher_quality.min_stop_words: 2             |
| C4 filters not applied                            | c4: every rule off                           |

The other Gopher quality bounds (50..100,000 words, '#' and ellipsis per word 0.1, bullet lines
0.9, ellipsis lines 0.3) are datatrove's defaults there, as curate's are.

Notes:
- A field curate's filter already switches off for a language (`LANGUAGE_DEFAULTS`: the mean word
  length of unspaced languages, whose words curate splits one character each) is not overridden:
  FineWeb-2 measured word lengths with a word segmenter, and its bounds (th: 2..10) would drop
  every such document of curate's.
- Top n-gram bounds above 1 (in 828 configs, 802 of those used; mostly low-resource languages,
  where the rule is effectively off) become 1.0: the top n-gram's overlapping occurrences can
  cover more characters than the text has only on runs of one repeated word, which the duplicate
  n-gram bounds drop anyway.
- FineWeb-2's words come from datatrove's per-language tokenizers, curate's from its own splitter
  (one character a word for Han, kana and Thai): the n-gram fractions of unspaced languages are of
  characters here, of words there. Stop words are judged by `split_words`, which every install
  has: a word segmenter, where one is installed, may split more of them as words, but one kept
  that only a segmenter finds would remove every document of its language without it.
- datatrove counted stop-word occurrences until 2025-01-30 (commit f9bbe09, "fixes stopwords
  implementation"), distinct stop words since; curate counts distinct ones.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import subprocess
import sys
import typing
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from filters import FILTERS  # noqa: E402
from filters.ranges import ALLOWED  # noqa: E402
from filters.words import split_words  # noqa: E402
from langid.labels import likely_script, normalize_code  # noqa: E402

DEFAULT_MIRROR = Path("/work/.mirror/huggingface+fineweb-2/repo")
REPOSITORY = "https://github.com/huggingface/fineweb-2"
LICENSE = "Apache-2.0"
FILTERS_OUT = REPO / "filters" / "data" / "fineweb2.json"
LANGID_OUT = REPO / "langid" / "data" / "fineweb2_language_scores.json"
MIN_STOP_WORDS = 2  # fineweb-2-pipeline.py, for every language
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# What fineweb-2-pipeline.py passes the same for every language.
PIPELINE: dict[str, dict[str, Any]] = {
    "gopher_repetition": {
        "max_dup_para_ratio": None,
        "max_dup_para_char_ratio": None,
        "max_dup_line_char_ratio": None,
    },
    "gopher_quality": {"min_stop_words": MIN_STOP_WORDS},
    "fineweb": {"max_short_lines_ratio": None, "max_dup_line_char_ratio": 0.1},
    "c4": {
        "require_terminal_punct": False,
        "min_words_per_line": None,
        "min_sentences": None,
        "max_word_len": None,
        "remove_citations": False,
        "drop_lorem_ipsum": False,
        "drop_javascript_lines": False,
        "drop_curly_bracket": False,
        "drop_policy_lines": False,
    },
}


def git(mirror: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(mirror), *args], check=True, capture_output=True).stdout


def read_blobs(mirror: Path, rev: str, paths: list[str]) -> dict[str, bytes]:
    """The contents of `paths` at `rev`, read in one `git cat-file --batch`."""
    request = "".join(f"{rev}:{path}\n" for path in paths).encode()
    out = subprocess.run(
        ["git", "-C", str(mirror), "cat-file", "--batch"], input=request, check=True, capture_output=True
    ).stdout
    blobs, pos = {}, 0
    for path in paths:
        header_end = out.index(b"\n", pos)
        _, kind, size = out[pos:header_end].split()
        if kind != b"blob":
            raise SystemExit(f"{rev}:{path} is a {kind.decode()}, not a file")
        start = header_end + 1
        blobs[path] = out[start : start + int(size)]
        pos = start + int(size) + 1
    return blobs


def documents_by_subset(csv_text: str) -> dict[str, int]:
    """Training documents per `{iso3}_{script}` subset, from fineweb2-language-distribution.csv."""
    counts = {}
    for row in csv.DictReader(io.StringIO(csv_text)):
        if row["split"] == "train" and row["documents"].isdigit():
            counts[row["subset"]] = int(row["documents"])
    return counts


def _field_type(filter_name: str, key: str) -> Any:
    hint = typing.get_type_hints(FILTERS[filter_name].Thresholds)[key]
    options = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    return options[0]


def _top(filter_name: str, key: str) -> float | None:
    spec = {f.name: f for f in dataclasses.fields(FILTERS[filter_name].Thresholds)}[key]
    allowed = spec.metadata.get(ALLOWED)
    return allowed.high if allowed else None


def _number(filter_name: str, key: str, value: float, off_at_or_below: float | None = None) -> Any:
    """`value` as the field's type; None (off) at or below `off_at_or_below`; the field's top above it."""
    if off_at_or_below is not None and value <= off_at_or_below:
        return None
    top = _top(filter_name, key)
    if top is not None and value > top:
        value = top
    return _field_type(filter_name, key)(value)


def stop_words_for(words: list[str], lang: str) -> list[str] | None:
    """The stop words curate's splitter sees as one word, in order, once each; None below the minimum."""
    kept = list(dict.fromkeys(w for w in words if split_words(w, lang) == [w]))
    return kept if len(kept) >= MIN_STOP_WORDS else None


def overrides_for(config: dict[str, Any], lang: str) -> dict[str, dict[str, Any]]:
    """The curate filter overrides one FineWeb-2 config implies for language `lang`."""
    repetition = {
        "max_dup_line_ratio": _number("gopher_repetition", "max_dup_line_ratio", config["dup_line_frac"], 0)
    }
    for n, bound in config["top_n_grams"]:
        key = f"max_top_{n}gram_char_ratio"
        repetition[key] = _number("gopher_repetition", key, bound)
    for n, bound in config["dup_n_grams"]:
        key = f"max_dup_{n}gram_char_ratio"
        repetition[key] = _number("gopher_repetition", key, bound)
    quality: dict[str, Any] = {
        "min_mean_word_len": _number("gopher_quality", "min_mean_word_len", config["min_avg_word_length"], 0),
        "max_mean_word_len": _number("gopher_quality", "max_mean_word_len", config["max_avg_word_length"]),
        "min_alpha_words_ratio": _number(
            "gopher_quality", "min_alpha_words_ratio", config["max_non_alpha_words_ratio"]
        ),
    }
    stop_words = stop_words_for(config["stopwords"], lang)
    if stop_words is not None:
        quality["stop_words"] = stop_words
    fineweb = {
        "min_punct_lines_ratio": _number("fineweb", "min_punct_lines_ratio", config["line_punct_thr"], 0),
        "max_newline_word_ratio": _number("fineweb", "max_newline_word_ratio", config["new_line_ratio"]),
    }
    by_filter = {"gopher_repetition": repetition, "gopher_quality": quality, "fineweb": fineweb}
    for name, overrides in by_filter.items():
        curate_off = FILTERS[name].LANGUAGE_DEFAULTS.get(lang, {})
        for key in [k for k in overrides if k in curate_off]:
            del overrides[key]
    return by_filter


def _usual_script(script: str, lang: str) -> bool:
    likely = likely_script(lang)
    return script == likely or (script == "Hani" and likely in ("Hans", "Hant"))


def choose(candidates: list[tuple[str, str]], lang: str, documents: dict[str, int]) -> list[tuple[str, str]]:
    """`(iso3, script)` configs of one code, the one to use first."""
    return sorted(
        candidates,
        key=lambda c: (not _usual_script(c[1], lang), -documents.get(f"{c[0]}_{c[1]}", 0), f"{c[0]}_{c[1]}"),
    )


def build(mirror: Path, rev: str) -> tuple[dict[str, Any], dict[str, Any]]:
    commit = git(mirror, "rev-parse", f"{rev}^{{commit}}").decode().strip()
    commit_date = git(mirror, "log", "-1", "--format=%cs", commit).decode().strip()
    paths = [
        p
        for p in git(mirror, "ls-tree", "-r", "--name-only", commit, "configs/").decode().split()
        if p.endswith(".yml")
    ]
    blobs = read_blobs(mirror, commit, [*paths, "fineweb2-language-distribution.csv"])
    documents = documents_by_subset(blobs.pop("fineweb2-language-distribution.csv").decode())
    by_code: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for path in paths:
        iso3, _, script = Path(path).stem.partition("_")
        by_code[normalize_code(iso3)].append((iso3, script))
    languages: dict[str, Any] = {}
    for lang in sorted(by_code):
        chosen, *others = choose(by_code[lang], lang, documents)
        name = f"{chosen[0]}_{chosen[1]}"
        config = yaml.load(blobs[f"configs/{name}.yml"], Loader=YAML_LOADER)
        entry: dict[str, Any] = {
            "config": f"configs/{name}.yml",
            "language_score": float(config["language_score"]),
            "overrides": overrides_for(config, lang),
        }
        if others:
            entry["not_used"] = [f"configs/{iso3}_{script}.yml" for iso3, script in others]
        languages[lang] = entry
    source = {
        "repository": REPOSITORY,
        "commit": commit,
        "commit_date": commit_date,
        "license": LICENSE,
        "files": "configs/{iso3}_{script}.yml",
        "configs": len(paths),
        "generated_by": "python scripts/import_fineweb2.py",
        "notes": "filters/data/FINEWEB2_SOURCE.md",
    }
    profile = {
        "source": source,
        "pipeline": PIPELINE,
        "undetermined": undetermined_overrides(languages),
        "languages": languages,
    }
    scores = {
        "source": {
            **source,
            "notes": "language_score of filters/data/fineweb2.json; filters/data/FINEWEB2_SOURCE.md",
        },
        "scores": {lang: entry["language_score"] for lang, entry in languages.items()},
    }
    return profile, scores


def undetermined_overrides(languages: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The thresholds of FineWeb-2's typical language, for documents whose language is `und`: each
    numeric field the median of the languages' values (null, the rule off, where most languages
    have it off); no stop words, since the language is not known."""
    values: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for entry in languages.values():
        for name, fields in entry["overrides"].items():
            for key, value in fields.items():
                if key != "stop_words":
                    values[name, key].append(value)
    medians: dict[str, dict[str, Any]] = defaultdict(dict)
    for (name, key), found in sorted(values.items()):
        numbers = sorted(v for v in found if v is not None)
        typed = _field_type(name, key)
        medians[name][key] = typed(numbers[len(numbers) // 2]) if len(numbers) * 2 > len(found) else None
    return dict(medians)


def dump(data: dict[str, Any], table: str) -> str:
    """JSON with one line per entry of `data[table]` (and per other key): small diffs when a figure
    changes."""

    def line(key: str, value: Any) -> str:
        return f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False, sort_keys=True)}"

    head = [f" {line(k, v)}," for k, v in sorted(data.items()) if k != table]
    entries = ",\n".join(f"  {line(k, v)}" for k, v in sorted(data[table].items()))
    return "\n".join(["{", *head, f' "{table}": {{', entries, " }", "}"]) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR, help="huggingface/fineweb-2 git dir")
    parser.add_argument("--rev", default="HEAD")
    args = parser.parse_args(argv)
    profile, scores = build(args.mirror, args.rev)
    for path, data, table in ((FILTERS_OUT, profile, "languages"), (LANGID_OUT, scores, "scores")):
        path.parent.mkdir(parents=True, exist_ok=True)
        text = dump(data, table)
        json.loads(text)  # well-formed
        path.write_text(text, encoding="utf-8")
        print(f"{path.relative_to(REPO)}: {len(data[table])} languages")


if __name__ == "__main__":
    main()
