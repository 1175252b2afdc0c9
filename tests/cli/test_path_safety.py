"""No string an input controls becomes a path: a row's `lang` (kept when language ID is off, as in
`curate dedup`) of `../../x`, `en/sub` or a NUL lands every document in a language folder under
OUT, and nothing is written anywhere else."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curate.cli import main
from tests.conftest import READING_TOML, shards

NOUNS = ("river", "mountain", "harbour", "orchard", "library", "railway")  # distinct texts: no duplicates
HOSTILE_LANGS = st.one_of(
    st.sampled_from(["../../../x", "en/sub", "en\x00", "..", ".", "/", "lang=en", "EN-us", "zz", "", "und"]),
    st.text(max_size=12),
)


def tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(langs=st.lists(HOSTILE_LANGS, min_size=1, max_size=6), command=st.sampled_from(["run", "dedup"]))
def test_hostile_lang_values_stay_inside_out_and_lose_nothing(langs, command, tmp_path_factory):
    base = tmp_path_factory.mktemp("paths")
    work = base / "work" / "deep" / "er"
    work.mkdir(parents=True)
    rows = [
        {"id": f"doc-{i}", "text": f"A document about the {NOUNS[i]} and nothing else.", "lang": lang}
        for i, lang in enumerate(langs)
    ]
    source = work / "rows.jsonl.gz"
    with gzip.open(source, "wt") as fh:
        fh.writelines(json.dumps(row) + "\n" for row in rows)
    config = work / "reading.toml"
    config.write_text(READING_TOML)
    before = tree(base)
    out = work / "out"
    assert (
        main(
            [command, str(source), "-o", str(out), "--config", str(config), "--no-progress", "--workers", "1"]
        )
        == 0
    )
    assert {p for p in tree(base) - before if not p.startswith(str(out.relative_to(base)))} == set()
    kept = shards(out)
    assert sorted(kept["id"]) == sorted(row["id"] for row in rows)
    assert all(re.fullmatch(r"lang-[a-z]{2,8}", p.name) for p in (out / "shards").iterdir())
