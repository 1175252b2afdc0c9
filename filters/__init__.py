"""Document filters: badwords, Gopher quality and repetition, C4, FineWeb, URL, quality classifier.

Importable on its own (`from filters import GopherQuality`), without curate's executors or CLI.
Every filter computes signal columns for a batch of `TextFeatures`, then decides keep/drop per
document from the thresholds of the document's language.
"""

from filters.badwords import Badwords, BadwordsThresholds, BadwordsUnavailableError
from filters.base import BatchFilter
from filters.c4 import TFDS as C4_TFDS
from filters.c4 import C4Quality, C4Thresholds
from filters.fineweb import FineWebQuality, FineWebThresholds
from filters.gopher_quality import GopherQuality, GopherQualityThresholds
from filters.gopher_repetition import GopherRepetition, GopherRepetitionThresholds
from filters.pii import PiiMasker, PiiThresholds
from filters.quality import QualityClassifier, QualityThresholds, train_classifier
from filters.registry import register_filter
from filters.text import TextFeatures
from filters.url import UrlFilter, UrlThresholds
from filters.words import split_words

# The built-in batch filters by name, in FineWeb's order (URL filtering happens before extraction);
# filters/registry.py adds the user's.
FILTERS: dict[str, type[BatchFilter]] = {
    "gopher_repetition": GopherRepetition,
    "gopher_quality": GopherQuality,
    "c4": C4Quality,
    "fineweb": FineWebQuality,
    "badwords": Badwords,
    "quality": QualityClassifier,
    "pii": PiiMasker,
}
# PII masking last, as in FineWeb: it removes nothing and masks only the text that is kept
DEFAULT_ORDER = ("gopher_repetition", "gopher_quality", "c4", "fineweb", "badwords", "pii")

__all__ = [
    "C4_TFDS", "DEFAULT_ORDER", "FILTERS", "Badwords", "BadwordsThresholds", "BadwordsUnavailableError",
    "BatchFilter", "C4Quality", "C4Thresholds", "FineWebQuality", "FineWebThresholds", "GopherQuality",
    "GopherQualityThresholds", "GopherRepetition", "GopherRepetitionThresholds", "PiiMasker",
    "PiiThresholds", "QualityClassifier",
    "QualityThresholds", "TextFeatures", "UrlFilter", "UrlThresholds", "register_filter", "split_words",
    "train_classifier",
]  # fmt: skip
