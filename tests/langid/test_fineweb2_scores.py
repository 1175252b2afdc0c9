"""langid's `fineweb2` threshold profile: FineWeb-2's language_score for every language it has a
config for, from langid's own data file (langid imports neither filters nor curate)."""

from __future__ import annotations

import json
from pathlib import Path

from langid import PROFILES, LanguageThresholds
from langid.thresholds import FINEWEB2_FLOOR, FINEWEB2_THRESHOLDS

ROOT = Path(__file__).resolve().parents[2]
SCORES = ROOT / "langid" / "data" / "fineweb2_language_scores.json"
# The ten values curate copied by hand before the import, from FineWeb-2's configs.
HAND_COPIED = {
    "de": 0.821, "fr": 0.824, "es": 0.84, "ja": 0.886, "zh": 0.692,
    "hi": 0.692, "nl": 0.689, "ar": 0.711, "ru": 0.90, "th": 0.90,
}  # fmt: skip


def test_every_fineweb2_language_has_its_score():
    profile = PROFILES["fineweb2"]
    assert profile.per_language == {**FINEWEB2_THRESHOLDS, "en": 0.65}
    assert len(FINEWEB2_THRESHOLDS) == 1860
    assert {lang: FINEWEB2_THRESHOLDS[lang] for lang in HAND_COPIED} == HAND_COPIED
    assert FINEWEB2_THRESHOLDS["sv"] == 0.629 and FINEWEB2_THRESHOLDS["sw"] == 0.3  # swe_Latn, swh_Latn
    assert all(FINEWEB2_FLOOR <= score <= 1 for score in FINEWEB2_THRESHOLDS.values())
    assert min(FINEWEB2_THRESHOLDS.values()) == FINEWEB2_FLOOR  # the floor is FineWeb-2's lowest


def test_scores_are_those_of_the_filter_profile_and_name_their_source():
    data = json.loads(SCORES.read_text(encoding="utf-8"))
    profile = json.loads((ROOT / "filters" / "data" / "fineweb2.json").read_text(encoding="utf-8"))
    assert data["scores"] == {lang: e["language_score"] for lang, e in profile["languages"].items()}
    assert data["source"]["commit"] == profile["source"]["commit"]
    assert data["source"]["license"] == "Apache-2.0"
    assert data["source"]["repository"] == "https://github.com/huggingface/fineweb-2"


def test_fineweb2_stays_inclusive_with_the_floor_for_other_languages():
    thresholds = LanguageThresholds(PROFILES["fineweb2"])
    assert thresholds.passes("ja", 0.886) and not thresholds.passes("ja", 0.885)
    assert thresholds.passes("sv", 0.629) and not thresholds.passes("sv", 0.628)
    # English has no FineWeb-2 config (its English is FineWeb's): FineWeb's 0.65, not the floor, so
    # that lid.176's weak English guesses for Manx or Scots are not labelled English
    assert "en" not in FINEWEB2_THRESHOLDS and thresholds.threshold("en") == 0.65
    assert thresholds.passes("en", 0.65) and not thresholds.passes("en", 0.64)
    assert thresholds.threshold("xx-unknown") == FINEWEB2_FLOOR
    # a config's own threshold still wins
    assert LanguageThresholds(PROFILES["fineweb2"], {"ja": 0.5}).passes("ja", 0.5)
    fineweb = LanguageThresholds(PROFILES["fineweb"])
    assert fineweb.threshold("ja") == 0.65 and not fineweb.passes("ja", 0.65)


def test_langid_loads_the_scores_without_filters_or_curate():
    import subprocess
    import sys

    code = (
        "import sys, langid; "
        "assert len(langid.PROFILES['fineweb2'].per_language) == 1861; "
        "assert not [m for m in sys.modules if m.split('.')[0] in ('filters', 'curate')], sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
