"""Dedup end to end: URL, exact and MinHash near duplicates, the keep rule, --verify, languages,
checksummed stage files, determinism across workers and partitions, and the ledger."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from curate.cli import main
from curate.config import Config
from curate.dedup.files import StageFileError
from curate.dedup.normalize import normalize_text
from curate.dedup.run import read_clusters, run_dedup
from curate.dedup.signatures import normalize_url
from curate.executors.local import LocalExecutor
from curate.layout import OutputLayout
from curate.pipeline.task import task_id_for
from tests.conftest import WARC_DIR, ledger, run, shards
from tests.dedup.conftest import LEVELS
from tests.generated import pair_with_jaccard, random_words


def dedup_config(**dedup: object) -> Config:
    config = Config()
    config.langid.enabled = config.filters.enabled = False
    for key, value in dedup.items():
        setattr(config.dedup, key, value)
    return config


def write_jsonl(path: Path, docs: list[dict]) -> Path:
    path.write_text("".join(json.dumps(doc) + "\n" for doc in docs))
    return path


def article(rng: np.random.Generator, words: int = 120) -> str:
    return " ".join(random_words(rng, words))


@pytest.fixture
def corpus(tmp_path) -> tuple[Path, dict[str, str]]:
    """Documents with planted duplicates of every kind; returns the file and its texts by id."""
    rng = np.random.default_rng(11)
    base = [article(rng) for _ in range(6)]
    near = base[2].split()
    near[60] = "changed"  # one word differs: Jaccard about 0.92
    docs = [
        {"id": f"d{i}", "url": f"https://site{i}.example/page", "text": text, "lang": "en"}
        for i, text in enumerate(base)
    ]
    docs += [
        # the same text, upper-cased: an exact duplicate after normalization; a tie, so the smaller id stays
        {"id": "mirror0", "url": "https://mirror.example/a", "text": base[0].upper(), "lang": "en"},
        # a near duplicate, longer by one word: the keep rule prefers it
        {"id": "near2", "url": "https://other.example/b", "text": " ".join(near) + " extra", "lang": "en"},
        # the same page crawled again later, shorter: URL dedup keeps the latest crawl anyway
        {
            "id": "d4-recrawl",
            "url": "http://WWW.site4.example/page/#top",
            "text": article(rng, 80),
            "lang": "en",
            "date": "2024-06-01T00:00:00Z",
        },
        # the same text as d5 but another language: kept unless --cross-language
        {"id": "d5-de", "url": "https://site5.example.de/seite", "text": base[5], "lang": "de"},
    ]
    docs[4]["date"] = "2023-01-01T00:00:00Z"
    path = write_jsonl(tmp_path / "docs.jsonl", docs)
    return path, {doc["id"]: doc["text"] for doc in docs}


def test_urls_normalize_to_the_page_they_name():
    assert (
        normalize_url("HTTP://www.Example.com:80/a/b/?utm_source=x&b=2&a=1#frag") == "example.com/a/b?a=1&b=2"
    )
    assert normalize_url("https://example.com") == normalize_url("http://example.com/") == "example.com/"
    assert normalize_url("https://example.com:8443/x") == "example.com:8443/x"
    assert normalize_url("https://example.com:bad/x") == "example.com/x"


def test_every_kind_of_duplicate_is_removed_with_its_reason(tmp_path, corpus):
    path, texts = corpus
    out = tmp_path / "out"
    result = run([path], out, dedup_config())
    assert not result.failed
    docs = shards(out)
    kept = set(docs["id"])
    assert kept == {"d0", "d1", "d3", "d4-recrawl", "d5", "d5-de", "near2"}
    sizes = dict(zip(docs["id"], docs["dup_cluster_size"]))
    assert sizes == {"d0": 2, "d1": 1, "d3": 1, "d4-recrawl": 2, "d5": 1, "d5-de": 1, "near2": 2}
    assert (docs["dup_cluster_id"] == docs["id"]).all()  # a cluster is named by the document it keeps

    clusters = read_clusters(OutputLayout(out)).filter(~pl.col("kept"))
    removed = {r["id"]: (r["reason"], r["cluster_id"]) for r in clusters.iter_rows(named=True)}
    assert removed == {
        "mirror0": ("exact_duplicate", "d0"),
        "d2": ("near_duplicate", "near2"),
        "d4": ("url_duplicate", "d4-recrawl"),
    }
    booked = ledger(out)
    assert booked.filter(pl.col("outcome") == "read")["docs"].sum() == len(texts)
    totals = booked.group_by("outcome").agg(pl.col("docs").sum())
    totals = dict(zip(totals["outcome"], totals["docs"]))
    assert totals["kept"] == len(kept) and totals["removed"] == 3  # the dedup transfer nets out
    dedup_rows = booked.filter((pl.col("stage") == "dedup") & (pl.col("outcome") == "removed"))
    removed_bytes = sum(len(texts[i].encode()) for i in removed)
    assert dedup_rows["bytes"].sum() == removed_bytes
    assert set(dedup_rows["reason"]) == {"exact_duplicate", "near_duplicate", "url_duplicate"}


def test_languages_are_deduplicated_apart_unless_asked(tmp_path, corpus):
    path, _ = corpus
    run([path], tmp_path / "apart", dedup_config())
    run([path], tmp_path / "across", dedup_config(cross_language=True))
    assert {"d5", "d5-de"} <= set(shards(tmp_path / "apart")["id"])
    across = read_clusters(OutputLayout(tmp_path / "across"))
    assert across.filter(pl.col("id") == "d5")["cluster_id"].to_list() == ["d5"]  # smallest id wins a tie
    assert across.filter(pl.col("id") == "d5-de")["reason"].to_list() == ["exact_duplicate"]


def test_switching_kinds_off(tmp_path, corpus):
    path, _ = corpus
    run([path], tmp_path / "out", dedup_config(url=False, near=False))
    reasons = set(read_clusters(OutputLayout(tmp_path / "out")).drop_nulls("reason")["reason"])
    assert reasons == {"exact_duplicate"}


def test_verify_merges_no_pair_below_the_threshold(tmp_path):
    rng = np.random.default_rng(5)
    docs, truth = [], {}
    for level in LEVELS:
        for _ in range(60):
            first, second, jaccard = pair_with_jaccard(rng, level)
            a, b = f"p{len(truth)}a", f"p{len(truth)}b"
            truth[len(truth)] = jaccard
            docs += [{"id": a, "text": first}, {"id": b, "text": second}]
    path = write_jsonl(tmp_path / "pairs.jsonl", docs)

    def merged(out: Path, **settings: object) -> dict[int, float]:
        run([path], out, dedup_config(url=False, **settings))
        clusters = read_clusters(OutputLayout(out))
        assert clusters["cluster_size"].max() == 2  # the pairs share nothing with each other
        pairs = {int(i[1:-1]) for i in clusters["id"]}
        return {p: truth[p] for p in pairs}

    unverified = merged(tmp_path / "plain")
    verified = merged(tmp_path / "verified", verify=True)
    threshold = Config().dedup.threshold
    assert min(unverified.values()) < threshold - 0.1  # MinHash alone merges some dissimilar pairs
    assert min(verified.values()) >= threshold
    # ... and verification keeps every candidate that is above the threshold
    assert set(verified) == {p for p, j in unverified.items() if j >= threshold}


def test_same_clusters_with_one_or_two_workers_and_any_partitioning(tmp_path):
    rng = np.random.default_rng(9)
    texts = [article(rng, 60) for _ in range(40)]
    docs = []
    for i in range(300):
        words = texts[i % 40].split()
        if i >= 40 and i % 3:  # edit some copies a little: near duplicates
            words[rng.integers(len(words))] = "edited"
        docs.append({"id": f"doc{i:04d}", "text": " ".join(words), "lang": "en" if i % 7 else "fr"})
    inputs = [write_jsonl(tmp_path / f"part{k}.jsonl", docs[k::3]) for k in range(3)]
    outcomes = []
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        config = dedup_config().validate()
        from curate.pipeline.run import run_pipeline

        run_pipeline([str(i) for i in inputs], out, config, show_progress=False, workers=workers)
        outcomes.append((read_clusters(OutputLayout(out)), sorted(shards(out)["id"])))
    tasks = [task_id_for(str(i)) for i in inputs]
    partitioned = run_dedup(
        OutputLayout(tmp_path / "w1"), tasks, dedup_config().dedup, LocalExecutor(), docs_per_partition=17
    )
    assert outcomes[0][0].height > 100
    assert outcomes[0][0].equals(outcomes[1][0]) and outcomes[0][0].equals(partitioned)
    assert outcomes[0][1] == outcomes[1][1]


def test_corrupt_or_missing_stage_files_name_the_file_and_stage(tmp_path, corpus):
    path, _ = corpus
    out = tmp_path / "out"
    run([path], out, dedup_config())
    task = task_id_for(str(path))
    signature_file = OutputLayout(out).signatures(task)
    data = bytearray(signature_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    signature_file.write_bytes(bytes(data))
    with pytest.raises(StageFileError, match=rf"{signature_file.name} is corrupt.*stage 'signatures'"):
        run_dedup(OutputLayout(out), [task], dedup_config().dedup, LocalExecutor())
    signature_file.unlink()
    with pytest.raises(StageFileError, match=rf"{signature_file.name} is missing.*stage 'signatures'"):
        run_dedup(OutputLayout(out), [task], dedup_config().dedup, LocalExecutor())
    clusters = out / "dedup" / "clusters.parquet"
    clusters.write_bytes(clusters.read_bytes()[:-5])
    with pytest.raises(StageFileError, match=r"clusters.parquet is corrupt.*stage 'clusters'"):
        read_clusters(OutputLayout(out))


def test_exact_dedup_of_real_crawl_text_matches_an_independent_count(tmp_path, shared_data):
    """The shared Common Crawl text sample and WET files: exact duplicates removed equal the
    documents minus the distinct (language, normalized text) pairs, counted here in Python."""
    inputs = [shared_data / "text", WARC_DIR / "whirlwind.warc.wet.gz", WARC_DIR / "fragment3.wet.gz"]
    plain = dedup_config()
    plain.dedup.enabled = False
    run(inputs, tmp_path / "plain", plain)
    everything = shards(tmp_path / "plain")
    distinct = {(lang, normalize_text(text)) for lang, text in zip(everything["lang"], everything["text"])}
    run(inputs, tmp_path / "exact", dedup_config(url=False, near=False))
    removed = ledger(tmp_path / "exact").filter(pl.col("stage") == "dedup", pl.col("outcome") == "removed")
    assert removed["docs"].sum() == everything.height - len(distinct)
    assert shards(tmp_path / "exact").height == len(distinct)


def test_dedup_command(tmp_path, corpus, capsys):
    path, _ = corpus
    out = tmp_path / "out"
    assert main(["dedup", str(path), "-o", str(out), "--no-progress", "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    assert "near_duplicate" in printed and "url_duplicate" in printed
    assert shards(out).height == 7
    assert main(["dedup", str(path), "-o", str(tmp_path / "x"), "--threshold", "1.5"]) == 2
    assert "dedup.threshold" in capsys.readouterr().err
