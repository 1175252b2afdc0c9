"""The outputs read with the usual tools: the shards by pyarrow, polars, duckdb and `datasets`, each
with its default handling of folder names, all with the same rows and one `lang` per row; every
JSON file curate writes by a strict parser (no NaN or Infinity), also for documents without URL."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from curate.atomic import strict_dumps
from curate.cli import main
from curate.config import Config
from curate.layout import OutputLayout
from curate.statistics.scan import Documents
from curate.statistics.sources import RunOutputs
from curate.statistics.tables import languages
from tests.conftest import SHARED_DATA, WARC_DIR, langid_config, run

# Dolma-style JSONL: the URL sits in `metadata`, so its documents have no URL and no domain.
NO_URLS = SHARED_DATA / "text" / "CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz"


def strict_loads(text: str) -> object:
    def refuse(constant: str) -> None:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory, shared_data):
    """Every shared crawl file through language ID: shards in several languages."""
    out = tmp_path_factory.mktemp("readable") / "out"
    run(sorted(p for p in WARC_DIR.iterdir() if p.is_file()), out, langid_config())
    return out


def _pairs(frame: pl.DataFrame) -> list[tuple[str, str]]:
    return sorted(frame.select("id", "lang").iter_rows())


def _duckdb(glob: str) -> pl.DataFrame:
    duckdb = pytest.importorskip("duckdb")
    return duckdb.sql(f"select id, lang from read_parquet('{glob}')").pl()


def _datasets(cache: Path, **where: str) -> pl.DataFrame:
    datasets = pytest.importorskip("datasets")
    datasets.disable_progress_bars()
    loaded = datasets.load_dataset("parquet", split="train", cache_dir=str(cache), **where)
    return pl.from_arrow(loaded.data.table)


# Each as its documentation shows it, on the folder or on a glob of every file.
READERS = {
    "pyarrow.parquet.read_table": lambda shards, glob, tmp: pl.from_arrow(pq.read_table(shards)),
    "pyarrow.dataset": lambda shards, glob, tmp: pl.from_arrow(
        ds.dataset(shards, format="parquet").to_table()
    ),
    "polars.read_parquet": lambda shards, glob, tmp: pl.read_parquet(glob),
    "polars.scan_parquet": lambda shards, glob, tmp: pl.scan_parquet(glob).select("id", "lang").collect(),
    "duckdb.read_parquet": lambda shards, glob, tmp: _duckdb(glob),
    "datasets data_files": lambda shards, glob, tmp: _datasets(tmp, data_files=glob),
    "datasets data_dir": lambda shards, glob, tmp: _datasets(tmp, data_dir=str(shards)),
}


def test_shard_folders_are_no_hive_keys(multilingual):
    shards = multilingual / "shards"
    assert not [p for p in shards.rglob("*") if "=" in p.name]  # no key to disagree with `lang`
    assert len(list(shards.glob("lang-*"))) >= 3


@pytest.mark.parametrize("reader", READERS)
def test_every_reader_reads_the_shards_with_one_lang_per_row(multilingual, reader, tmp_path):
    shards = multilingual / "shards"
    expected = _pairs(pl.read_parquet(sorted(shards.rglob("*.parquet")), hive_partitioning=False))
    frame = READERS[reader](shards, f"{shards}/**/*.parquet", tmp_path)
    assert frame.schema["lang"] == pl.String
    assert _pairs(frame) == expected


@pytest.fixture(scope="module")
def no_url_run(tmp_path_factory, shared_data):
    """The whole default pipeline over documents without URL, and a WET file, removed text kept."""
    base = tmp_path_factory.mktemp("strict")
    out, no_urls = base / "out", base / "no-urls.jsonl.gz"
    with gzip.open(NO_URLS, "rt") as source, gzip.open(no_urls, "wt") as target:
        for line in source:  # the shared text sample without its URLs: no document has a domain
            row = json.loads(line)
            row.pop("metadata", None)
            target.write(json.dumps(row) + "\n")
    config = Config()
    config.output.keep_removed = True
    run([no_urls, WARC_DIR / "fragment3.wet.gz"], out, config)
    assert main(["report", str(out)]) == 0
    return out


def test_every_json_output_is_strict_json(no_url_run, capsys):
    outputs = sorted(no_url_run.rglob("*.json"))
    assert OutputLayout(no_url_run).stats_json in outputs
    for path in outputs:
        strict_loads(path.read_text())
    assert main(["stats", str(no_url_run), "--json"]) == 0
    stats = strict_loads(capsys.readouterr().out)
    # The case that wrote Infinity: a stage removing documents of no domain (no URL).
    no_domain = [r for r in stats["audit_domains"] if r["domain"] is None]
    assert no_domain and all(0 <= r["rate"] <= 1 for r in no_domain)
    site = {r["domain"]: r for r in stats["domains"] if r["lang"] == "all"}[None]
    assert site["kept_docs"] > 0 and site["removed_docs"] > 0  # one row: kept and removed meet


def test_exclusion_shards_are_readable_with_one_reason_per_row(no_url_run):
    excluded = pq.read_table(no_url_run / "excluded")
    assert excluded.num_rows > 0 and excluded.schema.field("reason").type == pa.string()


def test_shares_and_rates_over_nothing_are_null():
    # One language kept, with no characters at all: its share of the characters is not 0/0.
    ledger = pl.DataFrame(
        {"outcome": ["kept"], "lang": ["en"], "docs": [2], "chars": [0], "words": [0], "bytes": [0]}
    )
    empty = Documents([], pl.Schema())
    table = languages(RunOutputs(Path("out"), {}, ledger, empty, empty, empty))
    assert table["docs_share"].to_list() == [1.0] and table["chars_share"].to_list() == [None]


def test_strict_json_writes_non_finite_numbers_as_null():
    document = {"a": [1.5, math.nan, {"b": math.inf}], "c": (-math.inf,), "d": "NaN"}
    assert strict_loads(strict_dumps(document)) == {
        "a": [1.5, None, {"b": None}],
        "c": [None],
        "d": "NaN",
    }
