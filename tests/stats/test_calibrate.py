"""`curate calibrate`'s proposals on a run of generated English and German documents whose signals
are drawn so that English's thresholds remove far more German than English on one signal (the
share of lines ending in an ellipsis) and less on another (hashtags per word): the first is
loosened for German to remove about English's share, checked against numpy over the documents;
the second is not tightened; the overrides load as a config, and a rerun with them keeps more
German."""

from __future__ import annotations

import json
import sys

import numpy as np
import polars as pl
import pytest

from curate.config import Config, config_from_dict, load_config
from curate.errors import UsageError
from curate.layout import OutputLayout
from curate.statistics import signals
from curate.statistics.calibrate import Applied, Bound, _round, calibrate, format_table, overrides_toml
from curate.statistics.sources import load_outputs
from tests.conftest import ledger, run, shards

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DOCS = 300  # per language
ELLIPSIS = Bound("gopher_quality", "max_ellipsis_lines_ratio", "gopher_ellipsis_lines_ratio")
HASHES = Bound("gopher_quality", "max_hash_ratio", "gopher_hash_ratio")
EN_WORDS = (
    "the of and to that have with be is was for on are as it at from by this which people city river "
    "water house garden morning evening school teacher children market village road winter summer "
    "light music story window family friend table kitchen letter paper train station"
)
DE_WORDS = (
    "der die das und ist nicht mit von zu den sich auf für dem ein eine auch wir sie haben werden "
    "Stadt Fluss Wasser Haus Garten Morgen Abend Schule Lehrer Kinder Markt Dorf Straße Winter "
    "Sommer Licht Musik Geschichte Fenster Familie Freund Tisch Küche Brief Papier Zug Bahnhof"
)
EN, DE = EN_WORDS.split(), DE_WORDS.split()


def document(rng: np.random.Generator, vocabulary: list[str], ellipsis_lines: float, hashes: float) -> str:
    """15-40 distinct lines of 12-17 words; about `ellipsis_lines` of the lines end in '…', the
    others in '.', and about `hashes` of the words are hashtags."""
    lines = []
    count = int(rng.integers(15, 40))
    for j in range(count):
        words = [
            f"#{word}" if rng.random() < hashes else word
            for word in rng.choice(vocabulary, int(rng.integers(12, 18)))
        ]
        line = " ".join(words)
        lines.append(line[0].upper() + line[1:] + ("…" if j < round(ellipsis_lines * count) else "."))
    rng.shuffle(lines)
    return "\n".join(lines)


def generate(path, docs: int = DOCS, seed: int = 0):
    """English: a tenth with 31-50% of lines in an ellipsis (over Gopher's 0.3), a fifth with
    12-20% hashtags (over 0.1). German: 0-70% of lines in an ellipsis (about half over), 5% with
    hashtags over 0.1."""
    rng = np.random.default_rng(seed)
    with open(path, "w", encoding="utf-8") as file:
        for i in range(docs):
            ellipsis = rng.uniform(0.31, 0.5) if rng.random() < 0.1 else rng.uniform(0, 0.25)
            hashes = rng.uniform(0.12, 0.2) if rng.random() < 0.2 else rng.uniform(0, 0.06)
            file.write(json.dumps({"id": f"en-{i}", "text": document(rng, EN, ellipsis, hashes)}) + "\n")
            hashes = rng.uniform(0.12, 0.2) if rng.random() < 0.05 else rng.uniform(0, 0.06)
            file.write(
                json.dumps({"id": f"de-{i}", "text": document(rng, DE, rng.uniform(0, 0.7), hashes)}) + "\n"
            )
    return path


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("calibrate")
    out = folder / "out"
    run([generate(folder / "docs.jsonl")], out, Config())
    return out


def _signal(out, signal: str, lang: str, stage_from: str = "gopher_quality") -> np.ndarray:
    """The values of `signal` of `lang`'s documents that reached the filter, from the files."""
    order = list(Config().filters.order)
    removed = pl.read_parquet(OutputLayout(out).removed_dir / "*.parquet")
    reached = removed.filter(pl.col("stage").is_in(order[order.index(stage_from) :]))
    values = pl.concat([shards(out).select("lang", signal), reached.select("lang", signal)])
    return values.filter(pl.col("lang") == lang)[signal].cast(pl.Float64).to_numpy()


def test_the_proposal_removes_about_englishs_share_and_loosens_only(first_run, tmp_path):
    calibration = calibrate(load_outputs(first_run, list(signals.numeric_signals())))
    assert calibration.reference == "en"
    (row,) = calibration.rows
    assert (row.lang, row.bound) == ("de", ELLIPSIS) and row.docs == DOCS
    en, de = _signal(first_run, ELLIPSIS.signal, "en"), _signal(first_run, ELLIPSIS.signal, "de")
    # float32 as stored: 6/20 of the lines is 0.3, which the filter (0.3) does not remove
    share = np.mean(en.astype(np.float32) > np.float32(0.3))
    assert row.reference_share == pytest.approx(share) and 0.05 < share < 0.15
    assert row.before == pytest.approx(np.mean(de.astype(np.float32) > np.float32(0.3))) and row.before > 0.4
    quantile = np.percentile(de, 100 * (1 - share))
    assert quantile <= row.proposed < quantile + 1e-3 and row.proposed == round(row.proposed, 4)
    assert row.after == pytest.approx(np.mean(de > row.proposed)) and abs(row.after - share) < 0.02
    # English loses more to the hashtag bound than German: German's quantile would tighten it.
    (note,) = [n for n in calibration.notes if HASHES.key in n]
    assert note.startswith("de gopher_quality.max_hash_ratio") and "not tightened" in note
    assert np.percentile(_signal(first_run, HASHES.signal, "de"), 100 * (1 - share)) < 0.1
    printed = format_table(calibration)
    assert "gopher_quality.max_ellipsis_lines_ratio" in printed and "-> " in printed
    # The overrides load as `curate run --config` loads them, and rerunning keeps more German.
    path = tmp_path / "overrides.toml"
    path.write_text(overrides_toml(calibration, load_outputs(first_run, []), str(first_run)))
    config = load_config(path)
    assert config.filters.per_language == {"de": {"gopher_quality": {ELLIPSIS.field: row.proposed}}}
    out = tmp_path / "second"
    run([first_run.parent / "docs.jsonl"], out, config)

    def removed(out, lang: str) -> int:
        books = ledger(out)
        rows = books.filter((pl.col("lang") == lang) & (pl.col("reason") == "gopher_too_many_end_ellipsis"))
        return int(rows["docs"].sum())

    # Gopher stops at its first failed check: the counts run at or a little below the signal's shares.
    assert removed(first_run, "de") <= round(row.before * DOCS) and removed(first_run, "de") > DOCS / 3
    assert removed(out, "de") <= round(row.after * DOCS) and removed(out, "de") < removed(first_run, "de") / 3
    assert removed(out, "en") == removed(first_run, "en")
    kept = shards(out).group_by("lang").len()
    kept_before = shards(first_run).group_by("lang").len()
    assert dict(kept.iter_rows())["de"] > 1.5 * dict(kept_before.iter_rows())["de"]
    assert dict(kept.iter_rows())["en"] == dict(kept_before.iter_rows())["en"]


def test_too_few_documents_and_the_reference(first_run):
    outputs = load_outputs(first_run, list(signals.numeric_signals()))
    few = calibrate(outputs, min_docs=DOCS + 1)
    assert not few.rows and any("fewer than --min-docs" in note for note in few.notes)
    # German as the reference: English would be tightened on the ellipsis bound (a note), and is
    # loosened on the hashtag one, where German's share is the smaller.
    german = calibrate(outputs, reference="de")
    assert german.reference == "de" and {r.lang for r in german.rows} == {"en"}
    assert HASHES in {r.bound for r in german.rows} and ELLIPSIS not in {r.bound for r in german.rows}
    assert any(n.startswith("en gopher_quality.max_ellipsis_lines_ratio") for n in german.notes)
    with pytest.raises(UsageError, match="--reference fr"):
        calibrate(outputs, reference="fr")


def test_the_run_s_own_overrides_are_the_defaults_and_stay_in_the_file(first_run):
    outputs = load_outputs(first_run, list(signals.numeric_signals()))
    outputs.config["filters"]["per_language"] = {
        "de": {"gopher_quality": {"max_ellipsis_lines_ratio": 0.5, "max_words": 200_000}},
        "zh": {"c4": {"min_sentences": None}},
    }
    applied = Applied.of(outputs.config, "gopher_quality")
    assert applied.value(ELLIPSIS.field, "de") == 0.5 and applied.value(ELLIPSIS.field, "en") == 0.3
    assert applied.value("min_mean_word_len", "zh") is None  # the filter's own default for zh
    calibration = calibrate(outputs)
    (row,) = calibration.rows
    assert row.default == 0.5 and row.before < 0.3 and abs(row.after - row.reference_share) < 0.02
    config = config_from_dict(tomllib.loads(overrides_toml(calibration, outputs, "OUT")))
    assert config.filters.per_language == {
        "de": {"gopher_quality": {ELLIPSIS.field: row.proposed, "max_words": 200_000}},
        "zh": {"c4": {"min_sentences": None}},
    }


def test_proposals_are_rounded_the_looser_way():
    min_words = Bound("gopher_quality", "min_words", "gopher_words")
    max_words = Bound("gopher_quality", "max_words", "gopher_words")
    # An int bound: the int that removes the same int values (s < 37.4 is s < 38; s > 37.6 is s > 37).
    assert _round(37.4, min_words) == 38 and _round(37.6, max_words) == 37
    assert isinstance(_round(37.4, min_words), int)
    assert _round(0.416666, ELLIPSIS) == 0.4167 and _round(0.0123456, ELLIPSIS) == 0.01235
    alpha = Bound("gopher_quality", "min_alpha_words_ratio", "gopher_alpha_words_ratio")
    assert _round(0.416666, alpha) == 0.4166 and _round(1.5, ELLIPSIS) == 1.0  # within 0..1
