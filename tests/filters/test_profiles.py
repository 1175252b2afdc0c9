"""The `fineweb2` filter profile: FineWeb-2's published per-language thresholds, as curate's
overrides (filters/data/fineweb2.json, made by scripts/import_fineweb2.py), applied under the
config's own per-language overrides."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from curate.config import Config, FiltersConfig, config_from_dict
from curate.errors import UsageError
from curate.pipeline.resume import config_hash
from curate.pipeline.steps.filters import build_filters
from filters import FILTERS, TextFeatures
from filters.profiles import PROFILES, filter_overrides, language_scores, profile_overrides, source
from filters.ranges import first_problem

DATA = Path(__file__).resolve().parents[2] / "filters" / "data"
MIRROR = Path("/work/.mirror/huggingface+fineweb-2/repo")
ORDER = ["gopher_repetition", "gopher_quality", "c4", "fineweb"]  # badwords needs its lists

# configs/jpn_Jpan.yml as published at d0defb2 (read from the mirror instead when it is here)
JPN_JPAN = {
    "dup_line_frac": 0.328,
    "dup_n_grams": [[5, 0.243], [6, 0.225], [7, 0.207], [8, 0.19], [9, 0.175], [10, 0.159]],
    "language_score": 0.886,
    "line_punct_thr": 0.096,
    "max_avg_word_length": 6,
    "max_non_alpha_words_ratio": 0.759,
    "min_avg_word_length": 1,
    "new_line_ratio": 0.13,
    "stopwords": ["の", "に", "を", "は", "た", "て", "が", "と", "で", "年", "し", "・", "月", "れ", "さ"],
    "top_n_grams": [[2, 0.239], [3, 0.196], [4, 0.172]],
}


def published(name: str, fallback: dict[str, Any]) -> dict[str, Any]:
    """A FineWeb-2 config at the commit the profile was made from: from the mirror if present."""
    if not MIRROR.exists():
        return fallback
    commit = source("fineweb2")["commit"]
    text = subprocess.run(
        ["git", "-C", str(MIRROR), "show", f"{commit}:configs/{name}.yml"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return yaml.safe_load(text)


def fineweb2_filters(**filters: Any) -> dict[str, Any]:
    config = config_from_dict({"filters": {"profile": "fineweb2", "order": ORDER, **filters}})
    return {f.name: f for f in build_filters(config.filters)}


@pytest.fixture(scope="module")
def profile_file() -> dict[str, Any]:
    return json.loads((DATA / "fineweb2.json").read_text(encoding="utf-8"))


def test_profiles_are_fineweb_and_fineweb2_and_fineweb_has_no_overrides():
    assert PROFILES == ("fineweb", "fineweb2")
    assert profile_overrides("fineweb") == {} and language_scores("fineweb") == {}
    with pytest.raises(ValueError, match="unknown filter profile"):
        profile_overrides("c4")


def test_the_file_covers_fineweb2s_languages_and_names_its_source(profile_file):
    languages = profile_file["languages"]
    assert len(languages) > 300
    assert len(languages) == 1860  # 1,929 configs, some folded into one code
    assert {"de", "fr", "ja", "zh", "ar", "ru", "th", "hi", "sw", "ms"} <= set(languages)
    meta = profile_file["source"]
    assert meta["repository"] == "https://github.com/huggingface/fineweb-2"
    assert meta["license"] == "Apache-2.0" and len(meta["commit"]) == 40
    assert (DATA / "FINEWEB2_LICENSE").read_text().startswith(" " * 33 + "Apache License")
    assert meta["commit"] in (DATA / "FINEWEB2_SOURCE.md").read_text()
    for lang, entry in languages.items():
        assert entry["config"].startswith("configs/") and entry["config"].endswith(".yml"), lang


def test_several_configs_of_one_code_keep_the_usual_script_then_the_larger(profile_file):
    languages = profile_file["languages"]
    assert languages["zh"]["config"] == "configs/cmn_Hani.yml"
    assert languages["ar"]["config"] == "configs/arb_Arab.yml"
    assert languages["ar"]["not_used"] == ["configs/arb_Latn.yml"]
    assert languages["sr"]["config"] == "configs/srp_Cyrl.yml"
    assert languages["sw"]["config"] == "configs/swh_Latn.yml"  # not Congo Swahili (swc)


def test_english_has_no_fineweb2_config_and_keeps_curates_defaults(profile_file):
    """FineWeb-2 is the non-English data: its English is FineWeb's, whose values are curate's."""
    if MIRROR.exists():
        listing = subprocess.run(
            ["git", "-C", str(MIRROR), "ls-tree", "--name-only", source("fineweb2")["commit"], "configs/"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()
        assert len(listing) == 1929 and not [p for p in listing if p.startswith("configs/eng_")]
    assert "en" not in profile_file["languages"]
    built = fineweb2_filters()
    defaults = FiltersConfig()
    for name, batch_filter in built.items():
        assert batch_filter.thresholds_for("en") == getattr(defaults, name), name


def test_japanese_overrides_are_the_published_jpn_jpan_values():
    jpn = published("jpn_Jpan", JPN_JPAN)
    ja = profile_overrides("fineweb2")["ja"]
    repetition = {"max_dup_line_ratio": jpn["dup_line_frac"]}
    repetition |= {f"max_top_{n}gram_char_ratio": x for n, x in jpn["top_n_grams"]}
    repetition |= {f"max_dup_{n}gram_char_ratio": x for n, x in jpn["dup_n_grams"]}
    assert {k: ja["gopher_repetition"][k] for k in repetition} == repetition
    assert ja["gopher_quality"]["min_alpha_words_ratio"] == jpn["max_non_alpha_words_ratio"]
    assert ja["gopher_quality"]["stop_words"] == tuple(jpn["stopwords"])  # each a single character
    assert ja["gopher_quality"]["min_stop_words"] == 2
    assert ja["fineweb"]["min_punct_lines_ratio"] == jpn["line_punct_thr"]
    assert ja["fineweb"]["max_newline_word_ratio"] == jpn["new_line_ratio"]
    # curate's words of Japanese are single characters: its mean word length bounds stay off
    assert "min_mean_word_len" not in ja["gopher_quality"] and "max_mean_word_len" not in ja["gopher_quality"]
    assert language_scores("fineweb2")["ja"] == jpn["language_score"]


def test_conversions_off_and_clamped_values():
    """German: min_avg_word_length 0 (datatrove: off) is off; line_punct_thr 0 never fires: off;
    a top n-gram bound above 1 becomes the field's top, 1.0; Thai keeps no stop words (curate
    splits Thai into characters) and no word length bounds."""
    overrides = profile_overrides("fineweb2")
    de = overrides["de"]
    assert de["gopher_quality"]["min_mean_word_len"] is None
    assert de["gopher_quality"]["max_mean_word_len"] == 15.0
    assert de["fineweb"]["min_punct_lines_ratio"] is None
    assert de["gopher_repetition"]["max_dup_line_ratio"] == 0.263
    aba = overrides["aba"]  # configs/aba_Latn.yml: top_n_grams [[2, 1.031], [3, 1.017], [4, 0.864]]
    assert aba["gopher_repetition"]["max_top_2gram_char_ratio"] == 1.0
    assert aba["gopher_repetition"]["max_top_4gram_char_ratio"] == 0.864
    th = overrides["th"]["gopher_quality"]
    assert "stop_words" not in th and "min_mean_word_len" not in th
    # French elisions are no words of curate's ("l'homme" is one): left out, the others kept
    fr = overrides["fr"]["gopher_quality"]["stop_words"]
    assert "l'" not in fr and "d'" not in fr and fr[:4] == ("de", "la", "le", "et") and len(fr) == 16


def test_pipeline_constants_apply_to_every_fineweb2_language():
    for lang, by_filter in profile_overrides("fineweb2").items():
        assert by_filter["fineweb"]["max_dup_line_char_ratio"] == 0.1, lang
        assert by_filter["fineweb"]["max_short_lines_ratio"] is None, lang
        assert by_filter["gopher_repetition"]["max_dup_para_ratio"] is None, lang
        assert by_filter["c4"]["min_sentences"] is None and by_filter["c4"]["drop_curly_bracket"] is False


def test_every_override_is_within_its_fields_declared_range():
    defaults = FiltersConfig()
    for lang, by_filter in profile_overrides("fineweb2").items():
        for name, overrides in by_filter.items():
            assert name in FILTERS, (lang, name)
            thresholds = dataclasses.replace(getattr(defaults, name), **overrides)
            assert first_problem(thresholds) is None, (lang, name, first_problem(thresholds))
            if name == "gopher_quality" and thresholds.stop_words:
                assert len(set(thresholds.stop_words)) >= thresholds.min_stop_words, lang
    Config(filters=FiltersConfig(profile="fineweb2")).validate()


def test_a_fineweb2_config_builds_filters_carrying_the_profile():
    jpn = published("jpn_Jpan", JPN_JPAN)
    built = fineweb2_filters()
    ja_repetition = built["gopher_repetition"].thresholds_for("ja")
    assert ja_repetition.max_dup_line_ratio == jpn["dup_line_frac"]
    assert ja_repetition.max_dup_10gram_char_ratio == dict(jpn["dup_n_grams"])[10]
    ja_quality = built["gopher_quality"].thresholds_for("ja")
    assert ja_quality.stop_words == tuple(jpn["stopwords"]) and ja_quality.min_alpha_words_ratio == 0.759
    assert ja_quality.min_mean_word_len is None  # GopherQuality's own default for Japanese stays
    assert built["fineweb"].thresholds_for("ja").min_punct_lines_ratio == jpn["line_punct_thr"]
    # a language FineWeb-2 has no config for gets the section's thresholds
    assert built["gopher_quality"].thresholds_for("xx") == FiltersConfig().gopher_quality
    # and the default profile leaves Japanese as before
    default = {f.name: f for f in build_filters(FiltersConfig(order=ORDER))}
    assert default["gopher_repetition"].thresholds_for("ja").max_dup_line_ratio == 0.30


def test_the_profile_changes_what_a_japanese_page_keeps():
    """Japanese has FineWeb-2's stop words under the profile (none by default): a page of item
    listings with fewer than two of them is dropped, running prose is not."""
    items = ["商品", "価格", "在庫", "送料無料", "翌日配送", "返品可能", "会員割引", "限定品"]
    listing = "\n".join(" ".join(items[i % 8 :] + items[: i % 8]) for i in range(30))
    prose = "\n".join(f"{i}月に東京の会社は新しい工場を作ると発表しました。" for i in range(1, 13))
    docs = [TextFeatures(listing, "ja"), TextFeatures(prose, "ja")]
    quality = fineweb2_filters()["gopher_quality"]
    signals, reasons = quality(docs)
    assert [s["gopher_stop_words"] for s in signals] == [0, 8]  # の に は を と し た 月
    assert reasons == ["gopher_too_few_stop_words", None]
    default = {f.name: f for f in build_filters(FiltersConfig(order=ORDER))}["gopher_quality"]
    assert [s["gopher_stop_words"] for s in default(docs)[0]] == [None, None]


def test_user_per_language_overrides_win_over_the_profile():
    built = fineweb2_filters(
        per_language={
            "ja": {"gopher_repetition": {"max_dup_line_ratio": 0.5}, "fineweb": {"max_newline_word_ratio": 1}}
        }
    )
    ja = built["gopher_repetition"].thresholds_for("ja")
    assert ja.max_dup_line_ratio == 0.5
    assert ja.max_dup_5gram_char_ratio == 0.243  # the profile's other values stay
    assert built["fineweb"].thresholds_for("ja").max_newline_word_ratio == 1.0
    assert built["fineweb"].thresholds_for("ja").min_punct_lines_ratio == 0.096


def test_overrides_for_merges_field_by_field():
    config = FiltersConfig(profile="fineweb2", per_language={"de": {"gopher_quality": {"min_words": 10}}})
    de = config.overrides_for("gopher_quality")["de"]
    assert de["min_words"] == 10 and de["max_mean_word_len"] == 15.0
    assert FiltersConfig().overrides_for("gopher_quality") == {}
    assert config.overrides_for("url") == {}
    assert set(filter_overrides("fineweb2", "fineweb")) == set(profile_overrides("fineweb2"))


def test_validate_refuses_an_unknown_profile_and_checks_the_profiles_values(monkeypatch):
    with pytest.raises(UsageError, match="filters.profile"):
        config_from_dict({"filters": {"profile": "fineweb3"}})
    with pytest.raises(UsageError, match=r"filters\.per_language\.de\.gopher_quality\.max_mean_word_len"):
        # the profile's max_mean_word_len (15) below a user's minimum for the language
        config_from_dict(
            {
                "filters": {
                    "profile": "fineweb2",
                    "per_language": {"de": {"gopher_quality": {"min_mean_word_len": 20}}},
                }
            }
        )
    monkeypatch.setattr(
        "curate.config.filter_overrides",
        lambda profile, name: {"xh": {"max_dup_line_ratio": 1.5}} if name == "gopher_repetition" else {},
    )
    with pytest.raises(
        UsageError, match=r"filters\.profile\.fineweb2\.xh\.gopher_repetition\.max_dup_line_ratio"
    ):
        Config(filters=FiltersConfig(profile="fineweb2")).validate()


def test_the_profile_is_in_the_config_and_its_hash():
    default, fineweb2 = Config(), Config(filters=FiltersConfig(profile="fineweb2"))
    assert default.to_dict()["filters"]["profile"] == "fineweb"
    assert fineweb2.to_dict()["filters"]["profile"] == "fineweb2"
    assert config_hash(default) != config_hash(fineweb2)


def test_undetermined_documents_get_fineweb2s_typical_language_not_english(profile_file):
    """`und` (language ID could not place the document): each threshold the median of FineWeb-2's
    languages' values, no stop words; the rule off where most languages have it off."""
    languages = profile_file["languages"]
    und = profile_overrides("fineweb2")["und"]
    alpha = sorted(e["overrides"]["gopher_quality"]["min_alpha_words_ratio"] for e in languages.values())
    assert und["gopher_quality"]["min_alpha_words_ratio"] == alpha[len(alpha) // 2] == 0.783
    assert "stop_words" not in und["gopher_quality"] and und["gopher_quality"]["min_stop_words"] == 2
    assert und["fineweb"]["min_punct_lines_ratio"] is None  # off in 1,626 of 1,860 languages
    assert und["gopher_repetition"]["max_dup_5gram_char_ratio"] == 0.316  # English: 0.15
    assert und["c4"]["min_sentences"] is None  # the pipeline's constants too
    quality = fineweb2_filters()["gopher_quality"]
    assert quality.thresholds_for("und").min_alpha_words_ratio == 0.783
    assert quality.thresholds_for("en").min_alpha_words_ratio == 0.8  # English keeps FineWeb's
    assert "und" not in language_scores("fineweb2")  # und is never predicted: no cut-off
