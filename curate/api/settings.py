"""The `config` argument of the API: a Config, a dict shaped like the TOML file, a TOML file's
path, or None for the defaults; each over a built-in preset when one is named."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from curate.config import Config, config_from_dict, load_config, preset_config

ConfigLike = Config | dict[str, Any] | str | Path | None


def resolve_config(config: ConfigLike = None, preset: str | None = None) -> Config:
    """The validated Config that `config` stands for (UsageError naming the bad key if it is not);
    a Config passed in is copied (validation normalizes it), never changed."""
    if isinstance(config, Config):
        if preset is not None:
            raise TypeError("preset: give it with a dict or a TOML path, not with a Config")
        return copy.deepcopy(config).validate()
    if isinstance(config, dict):
        return config_from_dict(config, preset_config(preset) if preset else None)
    if config is None or isinstance(config, (str, Path)):
        return load_config(config, preset)
    raise TypeError(f"config: expected a Config, a dict, a TOML path or None, got {type(config).__name__}")
