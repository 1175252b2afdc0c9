"""The extraction time bound measures the page, never the process: start-up is not charged, a
bound far below the child's start-up time still keeps every ordinary page, a script without a
`__main__` guard works, a timed-out page is tried again on a fresh child, a child that cannot
start fails its input loudly, and pages sent in groups get the replies they would get alone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import curate.extract.sandbox as sandbox
import curate.pipeline.steps.record as record_steps
from curate.cli import main
from curate.config import ExtractConfig
from curate.extract import Extractor
from curate.sample.crawl import DemoCrawlWriter
from tests.conftest import REPO, WARC_DIR, ledger, reading_config, run, shards

NESTED = ("<div>" * 20_000 + "deep" + "</div>" * 20_000).encode()


def page(body: str) -> bytes:
    return f"<html><head><title>t</title></head><body><p>{body}</p></body></html>".encode()


def write_crawl(path, bodies: list[bytes]) -> None:
    with open(path, "wb") as fh:
        writer = DemoCrawlWriter(fh)
        for i, body in enumerate(bodies):
            writer.exchange(f"https://site{i}.example.org/", "200 OK", [("Content-Type", "text/html")], body)


@settings(max_examples=4, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(pages=st.lists(st.sampled_from(["ordinary", "nested"]), min_size=1, max_size=5))
def test_a_bound_below_start_up_time_keeps_every_ordinary_page(pages, tmp_path_factory):
    """0.3 s of CPU per page is less than the child needs to start (imports): only the
    pathological pages time out, each after a second try on a fresh child."""
    base = tmp_path_factory.mktemp("bound")
    bodies = [page(f"Ordinary page {i}.") if kind == "ordinary" else NESTED for i, kind in enumerate(pages)]
    write_crawl(base / "crawl.warc.gz", bodies)
    config = reading_config()
    config.extract.timeout_s = 0.3
    run([base / "crawl.warc.gz"], base / "out", config)
    ordinary = pages.count("ordinary")
    assert (shards(base / "out").height if ordinary else 0) == ordinary
    timeouts = ledger(base / "out").filter(pl.col("reason") == "timeout")["docs"].sum()
    assert timeouts == pages.count("nested")


def test_a_script_without_a_main_guard_extracts_its_pages(tmp_path):
    crawl = tmp_path / "crawl.warc.gz"
    write_crawl(crawl, [page(f"Page {i} of a script's run.") for i in range(3)])
    script = tmp_path / "unguarded.py"
    script.write_text(
        textwrap.dedent(
            f"""
            from pathlib import Path
            from curate.pipeline.run import run_pipeline
            from tests.conftest import reading_config
            result = run_pipeline([{str(crawl)!r}], Path({str(tmp_path / "out")!r}), reading_config(), False)
            print(result.tasks[0].totals)
            """
        )
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "'kept': 3" in done.stdout and "'error': 0" in done.stdout


def test_a_child_that_cannot_start_fails_the_input_loudly(tmp_path, monkeypatch, capsys):
    crawl = tmp_path / "crawl.warc.gz"
    write_crawl(crawl, [page("A page that never gets extracted.")])
    monkeypatch.setattr(sandbox, "CHILD_MODULE", "curate.no_such_module")
    code = main(["run", str(crawl), "-o", str(tmp_path / "out"), "--no-progress", "--workers", "1"])
    assert code == 1
    assert "the extraction process did not start (exit code 1)" in capsys.readouterr().err


FAULTS = ["ordinary", "empty", "too large", "raises", "crashes", "crashes once", "spins"]


def _faulty_page(kind: str, index: int, base) -> tuple[bytes, tuple[str | None, str | None]]:
    """A page of `kind` for tests/extract/faulty_child.py, and the reply it must get."""
    body = {
        "ordinary": f"page {index}",
        "empty": " ",
        "too large": "x" * 20_000,
        "raises": "RAISE",
        "crashes": "CRASH",
        "crashes once": f"ONCE:{base}/marker{index}",
        "spins": "SPIN",
    }[kind]
    reply = {
        "ordinary": (body, None),
        "empty": (None, "empty_text"),
        "too large": (None, "too_large"),
        "raises": (None, sandbox.FAILED),
        "crashes": (None, sandbox.CRASHED),
        "crashes once": (body, None),  # the retry on a fresh child succeeds
        "spins": (None, sandbox.TIMEOUT),
    }[kind]
    return f"<p>{body}</p>".encode(), reply


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(kinds=st.lists(st.sampled_from(FAULTS), min_size=1, max_size=6))
def test_a_group_of_pages_gets_the_reply_each_page_would_get_alone(kinds, tmp_path_factory, monkeypatch):
    """Pages go to the child in one round trip: a page that crashes or times out its child costs
    only itself (the pages after it go to a fresh child), and each reply is in its page's place."""
    monkeypatch.setattr(sandbox, "CHILD_MODULE", "tests.extract.faulty_child")
    base = tmp_path_factory.mktemp("group")
    pages, expected = zip(*(_faulty_page(kind, i, base) for i, kind in enumerate(kinds)))
    extractor = Extractor(ExtractConfig(timeout_s=0.3, max_html_bytes=10_000))
    try:
        assert extractor.run_many([(html, None) for html in pages]) == list(expected)
        assert extractor.run(b"<p>after the group</p>", None) == ("after the group", None)
    finally:
        extractor.close()


def test_grouped_extraction_writes_what_extraction_in_process_writes(tmp_path, monkeypatch):
    """Real pages (the shared WARC and ARC files) through the sandbox in groups and through the
    extractor in this process, one page at a time: the same documents, in the same order, and the
    same ledger."""
    monkeypatch.setattr(record_steps, "EXTRACT_RECORDS", 5)  # several groups from these small files
    inputs = sorted([*WARC_DIR.glob("*.warc.gz"), *WARC_DIR.glob("*.warc"), *WARC_DIR.glob("*.arc.gz")])
    outputs = {}
    for timeout_s in (2.0, 0.0):
        config = reading_config()
        config.extract.timeout_s = timeout_s
        out = tmp_path / f"out-{timeout_s}"
        run(inputs, out, config)
        outputs[timeout_s] = (shards(out).select("id", "url", "text"), ledger(out).sort(pl.all()))
    (grouped, grouped_ledger), (alone, alone_ledger) = outputs[2.0], outputs[0.0]
    assert grouped.height > 4 * record_steps.EXTRACT_RECORDS
    assert grouped.equals(alone)
    assert grouped_ledger.equals(alone_ledger)
