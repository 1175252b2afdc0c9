"""Built-in configurations (`--preset`, curate/presets/): what `multilingual` sets, that a --config
file applies on top of it, and the errors for a name that is not one."""

from __future__ import annotations

import pytest

from curate.cli import main
from curate.config import Config, load_config, preset_config, presets
from curate.errors import UsageError


def test_multilingual_sets_fineweb2_and_keeps_doubtful_languages():
    config = preset_config("multilingual")
    assert presets() == ["multilingual"]
    assert (config.langid.profile, config.filters.profile) == ("fineweb2", "fineweb2")
    assert config.langid.keep_below_threshold and config.langid.top_k == 3
    assert config.filters.badwords.mode == "tag"
    # everything else stays the default
    default = Config().validate()
    assert (config.dedup, config.extract, config.output) == (default.dedup, default.extract, default.output)
    assert config.filters.gopher_quality == default.filters.gopher_quality


def test_a_config_file_applies_on_top_of_the_preset(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[langid]\ntop_k = 1\n[filters.badwords]\nmode = "drop"\n[dedup]\nenabled = false\n')
    config = load_config(path, "multilingual")
    assert config.langid.top_k == 1 and config.filters.badwords.mode == "drop" and not config.dedup.enabled
    assert config.langid.keep_below_threshold and config.filters.profile == "fineweb2"  # the preset's
    assert load_config(path).filters.profile == "fineweb"  # without --preset: the defaults under it
    assert load_config(None, "multilingual") == preset_config("multilingual")


def test_unknown_preset_is_a_usage_error(capsys):
    with pytest.raises(UsageError, match="no preset 'english'.*multilingual"):
        preset_config("english")
    assert main(["run", "x.warc.gz", "-o", "out", "--preset", "english"]) == 2
    assert "--preset: invalid choice: 'english'" in capsys.readouterr().err


def test_run_help_names_the_preset(capsys):
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--preset {multilingual}" in text and "per-language thresholds" in text
