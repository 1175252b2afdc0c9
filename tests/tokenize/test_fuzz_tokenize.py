"""Fuzzing `curate tokenize` (#21): hostile shards, mixtures, determinism, kills, locks, arguments
and the window loader.

1. Hostile documents (empty, whitespace-only, NUL, RTL marks, emoji ZWJ sequences, a 100k-character
   text, a null text; null or odd lang and domain values, ids repeated within and across shards,
   empty shards): every document of every shard is written exactly once, in its shard folder's
   language, as `tokenizers` encodes it plus the end token (after the start token with --bos), in
   the documented shuffled order; the record's and token_counts' totals are the files' totals;
   nothing is written outside TOKENS (and OUT's token_counts/); the same command again writes the
   same bytes.
2. Mixtures: each language's written tokens are its weight's share of T = max(tokens / weight)
   within one of its documents, every document whole, repeated floor or ceil of its factor;
   a language without documents and a bad weight are refused (exit 2) before anything is written.
3. Determinism: byte-identical files for the same command, for --workers 1 and 2; another --seed:
   another order, the same documents.
4. SIGKILL while encoding parts or while writing outputs, then the same command: the files of an
   uninterrupted run, no temporary left, and no tokenize.json while the run is unfinished.
5. Two at once: a second tokenize into the same TOKENS, or on an OUT whose lock is held: exit 2,
   nothing written.
6. Hostile arguments: exit 2, one `error:` line, no traceback, nothing written.
7. `TokenWindows`: the windows of the spec for random documents, file bounds and contexts.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curate.cli import main
from curate.pipeline.ownership import run_lock
from curate.tokenize import formats
from curate.tokenize.order import shuffle_key
from curate.tokenize.parts import part_key
from curate.tokenize.windows import TokenWindows
from tests.random_texts import SETTINGS, TEXTS
from tests.tokenize.test_formats import SPEC_READERS

tokenizers = pytest.importorskip("tokenizers")
END, START = "<|endoftext|>", "<s>"
SHARD_SCHEMA = pa.schema(
    [("id", pa.string()), ("text", pa.string()), ("lang", pa.string()), ("domain", pa.string())]
)
LONG_TEXT = "wörd ünd " * 11_112  # 100k characters
HOSTILE_TEXTS = [
    "",
    " ",
    "\n\t \u3000\u00a0",
    "\u200f\u202eשלום abc\u202c\u200e",
    "\x00\x00a\x00",
    "👨‍👩‍👧‍👦 🏳️‍🌈 👍🏽",
    "e\u0301\u0301\u0301\u0301",
    "\ufeff\u200b\u2028\u2029",
    "\U0010fffd\ue000",
    LONG_TEXT,
]
FOLDER = "=folder"  # a row's lang: its shard folder's language
ODD_LANGS = ["EN", "x/../..", "", "lang-en", "../victim", "und", "a b"]


# --- fixtures and helpers ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz-tokenize")


@pytest.fixture(scope="module")
def tokenizer(scratch) -> Path:
    """A small byte-level BPE with the end token and a start token, saved as tokenizer.json."""
    from curate.train.tokenizer import train_tokenizer

    texts = [*HOSTILE_TEXTS[:-1], *(f"the cat sat on the mat {i} der Hund läuft" for i in range(50))]
    model = train_tokenizer(texts, 400)
    model.add_special_tokens([START])
    path = scratch / "tok" / "tokenizer.json"
    path.parent.mkdir()
    model.save(str(path))
    return path


@pytest.fixture(scope="module")
def encoder(tokenizer):
    return tokenizers.Tokenizer.from_file(str(tokenizer))


@pytest.fixture(scope="module")
def run_record(scratch) -> bytes:
    """A real run.json of `curate run` (the pipeline over a JSONL file, reading layer only)."""
    from tests.conftest import run

    source = scratch / "docs.jsonl"
    source.write_text(json.dumps({"id": "1", "text": "hello there", "lang": "en"}) + "\n")
    run([source], scratch / "real-out")
    return (scratch / "real-out" / "run.json").read_bytes()


def write_out(out: Path, run_json: bytes, shards: dict[str, list[list[dict]]]) -> None:
    """An OUT holding `shards`: folder language -> shards -> rows (id, text, lang, domain)."""
    out.mkdir(parents=True)
    (out / "run.json").write_bytes(run_json)
    for lang, files in shards.items():
        folder = out / "shards" / f"lang-{lang}"
        folder.mkdir(parents=True)
        for number, rows in enumerate(files):
            columns = {name: [row.get(name) for row in rows] for name in SHARD_SCHEMA.names}
            columns["lang"] = [lang if value == FOLDER else value for value in columns["lang"]]
            pq.write_table(pa.table(columns, schema=SHARD_SCHEMA), folder / f"shard-{number:05d}.parquet")


def tokenize(out: Path, tokens: Path, tokenizer: Path | str, *extra: str) -> tuple[int, str]:
    """`curate tokenize` in-process: (exit code, stderr)."""
    err = io.StringIO()
    args = ["tokenize", str(out), "-o", str(tokens), "--tokenizer", str(tokenizer), *extra]
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(args)
    return code, err.getvalue()


def read_folder(folder: Path, fmt: str) -> list[list[int]]:
    """Every document of a folder's file sets in order, by the formats test's spec readers."""
    suffix = formats.DATA_SUFFIX[fmt]
    return [doc for file in sorted(folder.glob(f"*{suffix}")) for doc in SPEC_READERS[fmt](file)]


def encode(encoder, text: str | None, bos: bool = False) -> list[int]:
    start = [encoder.token_to_id(START)] if bos else []
    return [*start, *encoder.encode(text or "", add_special_tokens=False).ids, encoder.token_to_id(END)]


def tree(root: Path, skip_parts: bool = False) -> dict[str, bytes]:
    """Every file under `root` (but locks) -> its bytes."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".curate.lock" and not (skip_parts and "parts" in p.parts)
    }


def temporaries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if ".tmp" in p.name]


def check_order(written: list[list[int]], rows: list[tuple[int, list[int]]]) -> None:
    """`written` is `rows` (shuffle key, document) sorted by key; documents of equal keys (an id
    repeated within a shard) in any order among themselves."""
    rows = sorted(rows, key=lambda row: row[0])
    position = 0
    for key in sorted({key for key, _ in rows}):
        group = Counter(tuple(doc) for k, doc in rows if k == key)
        size = sum(group.values())
        assert Counter(tuple(doc) for doc in written[position : position + size]) == group
        position += size
    assert position == len(written)


# --- 1. hostile documents ------------------------------------------------------------------------

ROWS = st.fixed_dictionaries(
    {
        "id": st.sampled_from(["a", "b", "a#1", "", "é", "x" * 40]),
        "text": st.sampled_from(HOSTILE_TEXTS) | TEXTS | st.none(),
        "lang": st.just(FOLDER) | st.none() | st.sampled_from(ODD_LANGS),
        "domain": st.none() | st.sampled_from(["", "a.com", "é.例え.jp", "x|y\n", "a.com"]),
    }
)
SHARDS = st.dictionaries(
    st.sampled_from(["en", "de", "und", "zh_Hant", "tiny"]),
    st.lists(st.lists(ROWS, max_size=5), min_size=1, max_size=3),
    min_size=1,
    max_size=3,
)


@settings(SETTINGS, max_examples=40)
@given(
    shards=SHARDS,
    fmt=st.sampled_from(formats.FORMATS),
    bos=st.booleans(),
    seed=st.integers(-(2**40), 2**40),
    max_bytes=st.sampled_from([1, 9, 100, 1 << 30]),
)
def test_every_hostile_document_is_written_once_as_tokenizers_encodes_it(
    scratch, tokenizer, encoder, run_record, shards, fmt, bos, seed, max_bytes
):
    root = Path(tempfile.mkdtemp(dir=scratch))
    try:
        out, tokens = root / "out", root / "tokens"
        write_out(out, run_record, shards)
        shards_before = tree(out / "shards")
        extra = ["--format", fmt, "--seed", str(seed), "--max-file-bytes", str(max_bytes)]
        code, err = tokenize(out, tokens, tokenizer, *extra, *(["--bos"] if bos else []))
        assert code == 0, err
        assert sorted(p.name for p in root.iterdir()) == ["out", "tokens"]  # nothing outside TOKENS
        assert tree(out / "shards") == shards_before and not temporaries(root)
        record = json.loads((tokens / "tokenize.json").read_text())
        present = {lang for lang, files in shards.items() if any(files)}
        assert set(record["outputs"]) == {f"lang-{lang}" for lang in present}
        assert sorted(p.name for p in tokens.iterdir()) == sorted(
            [".curate.lock", "parts", "token_counts.parquet", "tokenize.json", *record["outputs"]]
        )
        total_docs = total_tokens = 0
        for lang in present:
            folder = tokens / f"lang-{lang}"
            written = read_folder(folder, fmt)
            keyed = [
                (
                    shuffle_key(seed, 0, part_key(shard, out / "shards"), row["id"]),
                    encode(encoder, row["text"], bos),
                )
                for number, rows in enumerate(shards[lang])
                for shard in [out / "shards" / f"lang-{lang}" / f"shard-{number:05d}.parquet"]
                for row in rows
            ]
            check_order(written, keyed)  # each document once, in the shuffled order
            output = record["outputs"][f"lang-{lang}"]
            tokens_here = sum(len(doc) for doc in written)
            assert (output["documents"], output["tokens"]) == (len(written), tokens_here)
            assert sorted(output["files"]) == sorted(str(p.relative_to(tokens)) for p in folder.iterdir())
            for data in folder.glob(f"*{formats.DATA_SUFFIX[fmt]}"):  # bounded, or one document alone
                assert data.stat().st_size <= max_bytes or len(read_folder_file(data, fmt)) == 1
            total_docs, total_tokens = total_docs + len(written), total_tokens + tokens_here
        rows = sum(len(rows) for files in shards.values() for rows in files)
        assert (record["documents"], record["tokens"]) == (rows, total_tokens) and total_docs == rows
        counts = pq.read_table(tokens / "token_counts.parquet").to_pydict()
        assert (sum(counts["documents"]), sum(counts["tokens"])) == (rows, total_tokens)
        assert set(counts["lang"]) == present
        again = root / "again"
        assert tokenize(out, again, tokenizer, *extra, *(["--bos"] if bos else []))[0] == 0
        assert tree(again) == tree(tokens)  # the same command, the same bytes
    finally:
        shutil.rmtree(root, ignore_errors=True)


def read_folder_file(data: Path, fmt: str) -> list[list[int]]:
    return SPEC_READERS[fmt](data)


def test_a_real_runs_documents_with_a_named_end_token_and_bos(scratch, tokenizer, encoder, tmp_path):
    """Through the pipeline (JSONL with langs, reading layer only): every kept document once."""
    from tests.conftest import run

    source = tmp_path / "docs.jsonl"
    docs = [
        {"id": str(i), "text": text, "lang": "en" if i % 3 else "de"} for i, text in enumerate(HOSTILE_TEXTS)
    ]
    docs.append({"id": "tiny", "text": "ok", "lang": "fr"})
    source.write_text("\n".join(json.dumps(doc) for doc in docs))
    out = tmp_path / "out"
    run([source], out)
    code, err = tokenize(out, tmp_path / "t", tokenizer, "--eos-token", END, "--bos", "--format", "megatron")
    assert code == 0, err
    kept = pq.read_table(sorted((out / "shards").rglob("*.parquet"))).to_pylist()
    assert {row["lang"] for row in kept} == {"en", "de", "fr"}
    for lang in ("en", "de", "fr"):
        expected = Counter(tuple(encode(encoder, row["text"], True)) for row in kept if row["lang"] == lang)
        assert Counter(map(tuple, read_folder(tmp_path / "t" / f"lang-{lang}", "megatron"))) == expected


# --- 2. mixtures ---------------------------------------------------------------------------------


def mixture_out(root: Path, run_json: bytes, sizes: dict[str, list[int]]) -> None:
    """Documents `{lang}{i}` followed by `size` words; the language "tt" gets empty texts."""
    shards = {
        lang: [[{"id": str(i), "text": mixture_text(lang, i, n), "lang": FOLDER} for i, n in enumerate(docs)]]
        for lang, docs in sizes.items()
    }
    write_out(root, run_json, shards)


def mixture_text(lang: str, number: int, words: int) -> str:
    return "" if lang == "tt" else f"{lang}{number}" + " cat" * words


def check_mixture(tokens: Path, encoder, sizes: dict[str, list[int]], weights: dict[str, float]) -> None:
    record = json.loads((tokens / "tokenize.json").read_text())
    assert set(record["outputs"]) == {"mixture"}
    docs = {
        lang: [tuple(encode(encoder, mixture_text(lang, i, n))) for i, n in enumerate(d)]
        for lang, d in sizes.items()
    }
    language_of = {doc: lang for lang, ds in docs.items() for doc in ds}
    assert len(language_of) == sum(len(ds) for ds in docs.values())  # documents tell their language
    written = Counter(map(tuple, read_folder(tokens / "mixture", "datatrove")))
    assert set(written) <= set(language_of)  # whole documents only: none cut
    have = {lang: sum(map(len, ds)) for lang, ds in docs.items()}
    total = max(have[lang] / weight for lang, weight in weights.items())
    output = record["outputs"]["mixture"]
    for lang, weight in weights.items():
        counts = [written[doc] for doc in docs[lang]]
        assert min(counts) >= 1 and max(counts) - min(counts) <= 1  # none dropped, repeats even
        tokens_written = sum(written[doc] * len(doc) for doc in docs[lang])
        target, longest = weight * total, max(map(len, docs[lang]))
        assert target - longest < tokens_written <= target * (1 + 1e-9) + 1e-6, (lang, tokens_written, target)
        assert output["repeats"][lang] == round(tokens_written / have[lang], 4)
    heaviest = max(weights, key=lambda lang: have[lang] / weights[lang])
    assert output["repeats"][heaviest] == 1.0
    assert output["documents"] == sum(written.values())
    assert output["tokens"] == sum(count * len(doc) for doc, count in written.items())
    assert (record["documents"], record["tokens"]) == (len(language_of), sum(have.values()))


@settings(SETTINGS, max_examples=25)
@given(
    sizes=st.dictionaries(
        st.sampled_from(["en", "de", "fr"]), st.lists(st.integers(0, 40), min_size=1, max_size=6), min_size=1
    ),
    weights=st.lists(st.sampled_from([0.25, 1 / 3, 0.5, 1.0, 2.0, 4.5]) | st.floats(0.2, 5), min_size=3),
    equal=st.booleans(),
    tiny=st.none() | st.integers(1, 2000),
)
def test_a_mixture_reaches_each_weight_within_a_document(
    scratch, tokenizer, encoder, run_record, sizes, weights, equal, tiny
):
    """`tiny`: a language of one single-token document, repeated about that many times."""
    mix = {lang: 1.0 if equal else weight for lang, weight in zip(sorted(sizes), weights)}
    if tiny is not None:
        have = {
            lang: sum(len(encode(encoder, mixture_text(lang, i, n))) for i, n in enumerate(d))
            for lang, d in sizes.items()
        }
        total = max(have[lang] / weight for lang, weight in mix.items())
        sizes, mix = {**sizes, "tt": [0]}, {**mix, "tt": 1.0 if equal else tiny / total}
    root = Path(tempfile.mkdtemp(dir=scratch))
    try:
        mixture_out(root / "out", run_record, sizes)
        weights_arg = ",".join(f"{lang}={weight!r}" for lang, weight in mix.items())
        code, err = tokenize(root / "out", root / "t", tokenizer, "--weights", weights_arg, "--seed", "3")
        assert code == 0, err
        check_mixture(root / "t", encoder, sizes, mix)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_mixture_edges_a_huge_repeat_a_single_language_and_refusals(tokenizer, encoder, run_record, tmp_path):
    sizes = {"en": [40] * 20, "tt": [0]}  # tt: a single token against ~1000
    mixture_out(tmp_path / "out", run_record, sizes)
    out = tmp_path / "out"
    assert tokenize(out, tmp_path / "huge", tokenizer, "--weights", "en=0.5,tt=0.5")[0] == 0
    check_mixture(tmp_path / "huge", encoder, sizes, {"en": 0.5, "tt": 0.5})
    assert (
        json.loads((tmp_path / "huge" / "tokenize.json").read_text())["outputs"]["mixture"]["repeats"]["tt"]
        > 500
    )
    assert tokenize(out, tmp_path / "one", tokenizer, "--weights", "en=3")[0] == 0  # a single language
    check_mixture(tmp_path / "one", encoder, {"en": sizes["en"]}, {"en": 3.0})
    finished = tree(tmp_path / "one")
    for weights in [
        "en=0.5,xx=0.5",
        "xx=1",
        "en=nan",
        "en=inf",
        "en=0",
        "en=-1",
        "en=1e400",
        "en=1,en=2",
        "en",
        "=1",
    ]:
        for tokens in (tmp_path / "fresh", tmp_path / "one"):
            code, err = tokenize(out, tokens, tokenizer, "--weights", weights)
            assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, (weights, err)
            assert "Traceback" not in err
        assert not (tmp_path / "fresh").exists(), weights  # nothing half-written
        assert tree(tmp_path / "one") == finished, weights  # the finished tokenization intact
    assert "no documents in xx" in tokenize(out, tmp_path / "fresh", tokenizer, "--weights", "en=1,xx=1")[1]


# --- 3. determinism ------------------------------------------------------------------------------


def varied_out(root: Path, run_json: bytes, docs: int = 30) -> None:
    shards = {
        lang: [
            [
                {
                    "id": f"{s}-{i}",
                    "text": f"{lang} {i} " + "cat sat " * (i % 7),
                    "lang": FOLDER,
                    "domain": f"d{i % 3}",
                }
                for i in range(docs)
            ]
            for s in range(3)
        ]
        for lang in ("en", "de")
    }
    shards["tiny"] = [[{"id": "only", "text": "x", "lang": FOLDER, "domain": None}]]
    write_out(root, run_json, shards)


def test_the_same_command_gives_the_same_bytes_whatever_the_workers(tokenizer, run_record, tmp_path):
    out = tmp_path / "out"
    varied_out(out, run_record)
    for extra in (
        ["--format", "megatron", "--max-file-bytes", "300"],
        ["--weights", "en=0.2,de=0.3,tiny=0.5"],
    ):
        runs = {}
        for name, workers in (("a", "1"), ("b", "1"), ("c", "2")):
            assert tokenize(out, tmp_path / name, tokenizer, *extra, "--workers", workers)[0] == 0
            runs[name] = tree(tmp_path / name)
        assert runs["a"] == runs["b"] == runs["c"]
        assert tokenize(out, tmp_path / "a", tokenizer, *extra)[0] == 0  # again in place: unchanged
        assert tree(tmp_path / "a") == runs["a"]
        for name in runs:
            shutil.rmtree(tmp_path / name)
    assert tokenize(out, tmp_path / "s0", tokenizer, "--seed", "0")[0] == 0
    assert tokenize(out, tmp_path / "s1", tokenizer, "--seed", "1")[0] == 0
    for lang in ("en", "de"):
        first, second = (read_folder(tmp_path / s / f"lang-{lang}", "datatrove") for s in ("s0", "s1"))
        assert first != second and sorted(first) == sorted(second)


# --- 4. killed in each phase, and 5. two at once --------------------------------------------------

WORDS = list("abcdefghij") + ["the", "cat", "sat", "über", "wiese", "casa"]


@pytest.fixture(scope="module")
def big(scratch, run_record, tokenizer) -> tuple[Path, Path]:
    """An OUT whose tokenization takes a few seconds, and its uninterrupted tokenization."""
    rng = np.random.default_rng(0)
    shards = {
        lang: [
            [
                {
                    "id": f"{s}-{i}",
                    "text": " ".join(rng.choice(WORDS, int(rng.integers(3, 25)))),
                    "lang": FOLDER,
                    "domain": "x",
                }
                for i in range(2500)
            ]
            for s in range(count)
        ]
        for lang, count in (("en", 4), ("de", 2))
    }
    out = scratch / "big-out"
    write_out(out, run_record, shards)
    reference = scratch / "big-reference"
    assert subprocess.run(command(out, reference, tokenizer), capture_output=True).returncode == 0
    return out, reference


def command(out: Path, tokens: Path, tokenizer: Path, *extra: str) -> list[str]:
    return [
        *(sys.executable, "-m", "curate.cli", "tokenize", str(out), "-o", str(tokens)),
        *("--tokenizer", str(tokenizer), "--max-file-bytes", "3000", *extra),
    ]


PHASES = {
    "encoding": lambda tokens: any((tokens / "parts").glob("*.tmp-*")),
    "writing": lambda tokens: any(tokens.glob("lang-*/.*.tmp")),
}


def start_until(cmd: list[str], tokens: Path, phase: str) -> subprocess.Popen | None:
    """Start `cmd` and return it once it reaches `phase` (None if it ended first)."""
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while process.poll() is None and not PHASES[phase](tokens):
        time.sleep(0.001)
    if process.poll() is not None:
        return None
    return process


@pytest.mark.parametrize("phase", sorted(PHASES))
def test_killed_in_a_phase_the_rerun_writes_the_uninterrupted_files(phase, big, tokenizer, tmp_path):
    out, reference = big
    for attempt in range(5):  # a phase can pass between two polls on a loaded machine
        tokens = tmp_path / f"t{attempt}"
        if phase == "writing":  # over a finished tokenization of another seed: its record must go
            assert (
                subprocess.run(command(out, tokens, tokenizer, "--seed", "1"), capture_output=True).returncode
                == 0
            )
        extra = ["--workers", "2"] if phase == "encoding" else []
        process = start_until(command(out, tokens, tokenizer, *extra), tokens, phase)
        if process is not None:
            break
    assert process is not None, f"the run ended before {phase} in each of 5 attempts"
    process.send_signal(signal.SIGKILL)
    assert process.wait() == -signal.SIGKILL
    assert not (tokens / "tokenize.json").exists()  # unfinished: no record
    assert temporaries(tokens)  # killed mid-file
    rerun = subprocess.run(command(out, tokens, tokenizer, *extra), capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert tree(tokens) == tree(reference) and not temporaries(tokens)


def test_a_second_tokenize_while_one_runs_is_refused_and_writes_nothing(big, tokenizer, tmp_path):
    out, reference = big
    tokens = tmp_path / "t"
    process = start_until(command(out, tokens, tokenizer), tokens, "encoding")
    assert process is not None, "the first tokenize ended before it could be met"
    try:
        code, err = tokenize(out, tokens, tokenizer, "--max-file-bytes", "3000")
        assert code == 2 and "another curate run is writing here" in err and err.count("\n") == 1
        other = tmp_path / "other"  # another TOKENS, the same OUT (whose lock the first holds)
        code, err = tokenize(out, other, tokenizer)
        assert code == 2 and "another curate run is writing here" in err and not other.exists()
    finally:
        assert process.wait(timeout=120) == 0
    assert tree(tokens) == tree(reference)


def test_an_out_locked_by_curate_run_or_tokens_locked_is_refused(tokenizer, run_record, tmp_path):
    out = tmp_path / "out"
    varied_out(out, run_record, docs=3)
    before = tree(out)
    with run_lock(out):  # what `curate run` holds while it writes OUT
        code, err = tokenize(out, tmp_path / "t", tokenizer)
        assert code == 2 and "another curate run is writing here" in err and err.count("\n") == 1
        assert not (tmp_path / "t").exists() and tree(out) == before
    (tmp_path / "t").mkdir()
    with run_lock(tmp_path / "t"):  # another tokenize into the same TOKENS
        code, err = tokenize(out, tmp_path / "t", tokenizer)
        assert code == 2 and "another curate run is writing here" in err
        assert [p.name for p in (tmp_path / "t").iterdir()] == [".curate.lock"] and tree(out) == before


# --- 6. hostile arguments ------------------------------------------------------------------------


def test_hostile_arguments_exit_2_with_one_line_and_write_nothing(tokenizer, run_record, tmp_path):
    out, tokens = tmp_path / "out", tmp_path / "tokens"
    varied_out(out, run_record, docs=4)
    (tmp_path / "empty-dir").mkdir()
    (tmp_path / "not.json").write_text("{{ not json")
    (tmp_path / "list.json").write_text("[1, 2, 3]")
    (tmp_path / "obj.json").write_text('{"version": "1.0", "model": {"type": "Nope"}}')
    (tmp_path / "a-file").write_text("x")
    bare = tmp_path / "bare.json"
    tokenizers.Tokenizer(tokenizers.models.BPE()).save(str(bare))
    no_start = tmp_path / "no-start.json"
    model = tokenizers.Tokenizer.from_file(str(tokenizer))
    data = json.loads(model.to_str())
    data["added_tokens"] = [t for t in data["added_tokens"] if t["content"] != START]
    data["model"]["vocab"].pop(START, None)
    no_start.write_text(json.dumps(data))
    good = str(tokenizer)
    cases = {
        "a folder without tokenizer.json": ([str(tmp_path / "empty-dir")], "no tokenizer.json there"),
        "a missing file": ([str(tmp_path / "missing.json")], "no tokenizer.json there"),
        "a non-JSON file": ([str(tmp_path / "not.json")], "not a tokenizers file"),
        "JSON, a list": ([str(tmp_path / "list.json")], "not a tokenizers file"),
        "JSON, no tokenizer": ([str(tmp_path / "obj.json")], "not a tokenizers file"),
        "no end token": ([str(bare)], "--eos-token"),
        "an absent --eos-token": ([good, "--eos-token", "<nope>"], "--eos-token"),
        "--bos without a start token": ([str(no_start), "--bos"], "--bos"),
        "--max-file-bytes 0": ([good, "--max-file-bytes", "0"], "positive integer"),
        "--max-file-bytes -1": ([good, "--max-file-bytes", "-1"], "positive integer"),
        "--max-file-bytes x": ([good, "--max-file-bytes", "x"], "--max-file-bytes"),
        "--workers 0": ([good, "--workers", "0"], "positive integer"),
        "--format": ([good, "--format", "arrow"], "invalid choice"),
        "--langs absent": ([good, "--langs", "xx"], "no documents in xx"),
        "--langs one absent": ([good, "--langs", "en,xx"], "no documents in xx"),
        "--langs and --weights": ([good, "--langs", "en", "--weights", "de=1"], "the same languages"),
    }
    for name, (args, message) in cases.items():
        code, err = tokenize(out, tokens, *args)
        assert code == 2 and err.startswith("error: ") and err.count("\n") == 1, (name, err)
        assert message in err and "Traceback" not in err, (name, err)
        assert not tokens.exists(), name
    before = tree(out)
    for target, message in [
        (out / "t", "inside OUT"),
        (out, "inside OUT"),
        (out / "shards" / "lang-en", "inside OUT"),
        (tmp_path, "holds OUT"),  # writing lang-xx/ and parts/ there could replace OUT
        (tmp_path / "a-file", "not a directory"),
    ]:
        code, err = tokenize(out, target, good)
        assert code == 2 and message in err and err.count("\n") == 1, (target, err)
    assert tree(out) == before and sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["out", "empty-dir", "not.json", "list.json", "obj.json", "a-file", "bare.json", "no-start.json"]
    )
    code, err = tokenize(tmp_path / "empty-dir", tokens, good)
    assert code == 2 and "no curate run here" in err and not tokens.exists()


def test_one_byte_files_hold_a_document_each_and_odd_tokenizer_names_work(tokenizer, run_record, tmp_path):
    out = tmp_path / "out"
    varied_out(out, run_record, docs=4)
    assert tokenize(out, tmp_path / "t", tokenizer, "--max-file-bytes", "1")[0] == 0
    record = json.loads((tmp_path / "t" / "tokenize.json").read_text())
    for name, output in record["outputs"].items():
        sets = sorted((tmp_path / "t" / name).glob("*.ds"))
        assert len(sets) == output["documents"] and all(
            len(read_folder_file(s, "datatrove")) == 1 for s in sets
        )
    odd = tmp_path / "my|tok\nv1"  # a folder name datatrove's metadata line cannot hold as it is
    odd.mkdir()
    shutil.copy(tokenizer, odd / "tokenizer.json")
    (odd / "special_tokens_map.json").write_text(json.dumps({"eos_token": {"content": START}}))
    code, err = tokenize(out, tmp_path / "odd", odd)
    assert code == 0, err
    metadata = next((tmp_path / "odd" / "lang-en").glob("*.ds.metadata")).read_text()
    assert metadata.split("\n")[0] == "my_tok_v1|2"
    end = read_folder(tmp_path / "odd" / "lang-en", "datatrove")[0][-1]
    assert end == tokenizers.Tokenizer.from_file(str(tokenizer)).token_to_id(START)  # the folder's eos
    recorded = json.loads((tmp_path / "odd" / "tokenize.json").read_text())["tokenizer"]["path"]
    assert Path(recorded).is_absolute() and Path(recorded).is_file()


# --- 7. the window loader ------------------------------------------------------------------------


@settings(SETTINGS, max_examples=60)
@given(
    sets=st.lists(
        st.tuples(
            st.sampled_from(formats.FORMATS),
            st.lists(st.lists(st.integers(0, 999), min_size=1, max_size=30), max_size=12),
            st.integers(1, 120),
        ),
        min_size=1,
        max_size=3,
    ),
    context=st.integers(1, 40),
    probes=st.lists(st.integers(-5, 5), max_size=6),
)
def test_windows_are_the_specs_and_indexes_past_them_raise(scratch, sets, context, probes):
    folder = Path(tempfile.mkdtemp(dir=scratch))
    try:
        streams = {fmt: [] for fmt in formats.FORMATS}
        for number, (fmt, docs, max_bytes) in enumerate(sets):
            writer = formats.open_writer(fmt, folder, f"w{number}", 1000, max_bytes)
            for doc in docs:
                writer.add(doc)
            for data in writer.close():
                if data.name.endswith(formats.DATA_SUFFIX[fmt]):
                    reader = read_folder_file(data, fmt)
                    streams[fmt].append((data.name, [i for doc in reader for i in doc]))
        expected = [
            stream[k : k + context + 1]
            for fmt in formats.FORMATS  # datatrove's sets, then Megatron's, each by name
            for _, stream in sorted(streams[fmt])
            for k in range(0, len(stream) - context, context + 1)
        ]
        if not any(streams.values()):
            with pytest.raises(FileNotFoundError):
                TokenWindows(folder, context)
            return
        windows = TokenWindows(folder, context)
        assert len(windows) == len(expected)
        assert [windows[i].tolist() for i in range(len(windows))] == expected
        assert all(windows[i].dtype == np.int64 for i in range(min(len(windows), 3)))
        for probe in probes:
            index = probe if probe < 0 else len(windows) + probe
            with pytest.raises(IndexError):
                windows[index]
        with pytest.raises(ValueError):
            TokenWindows(folder, 0)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_documents_ride_with_the_weights_not_with_the_floats(tokenizer, encoder, run_record, tmp_path):
    """Weights that are not exact binary fractions, and weights that sum to far from 1."""
    sizes = {"en": [5, 9, 13], "de": [2, 30], "fr": [1]}
    mixture_out(tmp_path / "out", run_record, sizes)
    for weights in ({"en": 0.1, "de": 0.2, "fr": 0.7}, {"en": 700.0, "de": 200.0, "fr": 100.0}):
        tokens = tmp_path / f"t{len(list(tmp_path.iterdir()))}"
        arg = ",".join(f"{lang}={weight!r}" for lang, weight in weights.items())
        assert tokenize(tmp_path / "out", tokens, tokenizer, "--weights", arg)[0] == 0
        check_mixture(tokens, encoder, sizes, weights)
    assert math.isclose(
        sum(json.loads((tokens / "tokenize.json").read_text())["settings"]["weights"].values()), 1000
    )
