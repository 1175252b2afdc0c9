"""Language identification: fastText lid.176 (or GlotLID), normalized labels, thresholds.

Importable on its own: `from langid import LanguageIdentifier`.
"""

from langid.identify import DEFAULT_PREFIX_CHARS, LanguageIdentifier, Prediction
from langid.labels import UNDETERMINED, normalize_code, parse_label
from langid.model import ModelNotFoundError, find_model
from langid.thresholds import PROFILES, LanguageThresholds

__all__ = [
    "DEFAULT_PREFIX_CHARS",
    "LanguageIdentifier",
    "LanguageThresholds",
    "ModelNotFoundError",
    "PROFILES",
    "Prediction",
    "UNDETERMINED",
    "find_model",
    "normalize_code",
    "parse_label",
]
