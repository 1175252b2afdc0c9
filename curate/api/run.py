"""`curate.run`: `curate run` from Python."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from curate.api.settings import ConfigLike, resolve_config
from curate.inputs import expand_inputs
from curate.pipeline.finish import RunResult
from curate.pipeline.run import run_pipeline


def run(
    inputs: str | Path | list[str | Path],
    out: str | Path,
    config: ConfigLike = None,
    *,
    preset: str | None = None,
    limit: int | None = None,
    **options: Any,
) -> RunResult:
    """Run the pipeline over `inputs` into `out`, as `curate run INPUTS -o OUT` does.

    `inputs`: a file, directory, glob, URL or Common Crawl `*.paths(.gz)` file, or a list of them,
    expanded as the command expands them (`limit` keeps the first N files). `config`: a Config, a
    dict shaped like the TOML file, the path of one, or None for the defaults, over the built-in
    `preset` when one is named. `options` are run_pipeline's: workers, executor ("local" or "ray"),
    ray_address, force, add, show_progress, storage_options, randomize_start_s, progress_every_s.

    Safe in a plain script without an `if __name__ == "__main__":` guard: worker processes do not
    run the script again. Inputs that fail are in the result's `failed`; bad arguments raise
    curate.errors.UsageError."""
    settings = resolve_config(config, preset)
    locations = [str(item) for item in ([inputs] if isinstance(inputs, (str, Path)) else inputs)]
    expanded = expand_inputs(locations, settings.read.cc_base_url, limit)
    return run_pipeline(expanded, out, settings, **options)
