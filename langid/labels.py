"""Model labels -> one code system: ISO 639-1 where it exists, else ISO 639-3, plus a script.

Individual languages fold into their macrolanguage (cmn -> zh, arb -> ar, pes -> fa) because
that is what lid.176 predicts; a GlotLID label keeps its script (`srp_Latn` -> sr, Latn).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import langcodes

UNDETERMINED = "und"
LABEL_PREFIX = "__label__"

# Codes kept or folded where the standard tables would lose what lid.176 can tell apart.
OVERRIDES = {
    "bh": "bh",  # Bihari: a collective code, keep it
    "sh": "sh",  # Serbo-Croatian, as lid.176 labels it
    "nb": "no",  # Bokmal: lid.176 knows only the macrolanguage "no"
}
# lid.176's labels are Wikipedia codes; where one means another language than the ISO code:
WIKIPEDIA_LABELS = {"als": "gsw"}  # Alemannic, not ISO's Tosk Albanian


@dataclass(frozen=True)
class Label:
    lang: str
    script: str | None


@lru_cache(maxsize=4096)
def normalize_code(code: str) -> str:
    """`eng` -> `en`, `cmn` -> `zh`, `als` -> `gsw`; unknown codes are kept lower-cased."""
    code = code.strip().lower().replace("_", "-")
    if not code or code == UNDETERMINED:
        return UNDETERMINED
    if code in OVERRIDES:
        return OVERRIDES[code]
    try:
        tag = langcodes.standardize_tag(code, macro=True)
    except (ValueError, langcodes.LanguageTagError):
        return code
    language = tag.split("-")[0]
    return OVERRIDES.get(language, language)


@lru_cache(maxsize=4096)
def likely_script(lang: str) -> str | None:
    """The script a language is most often written in (CLDR likely subtags), e.g. ru -> Cyrl."""
    if lang == UNDETERMINED:
        return None
    try:
        return langcodes.Language.get(lang).maximize().script
    except (ValueError, langcodes.LanguageTagError):
        return None


@lru_cache(maxsize=4096)
def parse_label(label: str) -> Label:
    """`__label__en` -> (en, Latn); `__label__srp_Cyrl` -> (sr, Cyrl)."""
    raw = label[len(LABEL_PREFIX) :] if label.startswith(LABEL_PREFIX) else label
    code, _, script = raw.partition("_")
    # GlotLID labels (`xxx_Scrp`) are ISO 639-3; bare lid.176 labels are Wikipedia codes.
    lang = normalize_code(code if script else WIKIPEDIA_LABELS.get(code, code))
    return Label(lang, script.title() if script else likely_script(lang))


@lru_cache(maxsize=4096)
def language_name(lang: str, script: str | None = None) -> str:
    """`fr` -> French, `sr` + Latn -> Serbian (Latin), `und` -> undetermined: the English name
    from CLDR (langcodes' data), or the code itself where CLDR has none."""
    if lang == UNDETERMINED:
        return "undetermined"
    code = f"{lang}-{script}" if script else lang
    try:
        language = langcodes.Language.get(code)
        # A code CLDR does not know comes back as "Unknown language [xx]": the code says more.
        return language.display_name() if language.is_valid() and language.has_name_data() else lang
    except (ValueError, langcodes.LanguageTagError):
        return lang
