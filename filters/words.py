"""Words of a text as spaCy's blank English tokenizer makes them (what datatrove's reference filters
use): split on whitespace, then peel punctuation off the front and the back of each chunk (an
ellipsis and English clitics like 's and n't are one token), split inside at hyphens and a few other
infixes; URLs, e-mail addresses, initials and common abbreviations stay whole. In the unspaced
languages each Han, kana or Thai character is a word: the fallback where no word segmenter
(filters/segmenters.py) is installed.

Three scripts' conventions the English rules would break (each measured on the UDHR,
scripts/bench.py --languages): the Ethiopic wordspace ፡ (U+1361) separates words as a space does,
and Ethiopic punctuation (። ፣ ፤ ...) splits off wherever it stands, else a whole Amharic sentence
written with wordspaces is one word; the zero-width joiner and non-joiner (U+200D, U+200C)
belong to the word they end (Malayalam chillu letters, Persian and Sinhala spellings), never a
word of their own; and in Maltese the
article keeps its hyphen (`l-`, `tal-`, `fid-` + the noun), as Maltese tokenizers write it, instead
of three tokens of which one is a bare hyphen."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

UNSPACED_LANGUAGES = frozenset({"ja", "th", "zh", "yue", "wuu", "lo", "km", "my"})
# Languages whose words come from a word segmenter (filters/segmenters.py), where it is installed.
SEGMENTED_LANGUAGES = UNSPACED_LANGUAGES | {"bo"}
UNSPACED_CHAR = regex.compile(r"([\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}])")
CLITICS = ("'s", "'re", "'m", "'ll", "'ve", "'d", "n't", "’s", "’re", "’m", "’ll", "’ve", "’d", "n’t")
ABBREVIATIONS = frozenset(
    {"mr.", "mrs.", "ms.", "dr.", "st.", "co.", "etc.", "inc.", "ltd.", "jr.", "vs.", "no."}
)
INITIALS = regex.compile(r"(?:\p{L}\.)+")  # J. U.S. e.g.
URL_OR_EMAIL = regex.compile(r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Split points inside a chunk: hyphens between letters/digits; / : = < > before a letter; , between letters.
INFIX = regex.compile(
    r"(?<=[\p{L}\p{N}])([-–—]|\.\.\.)(?=[\p{L}\p{N}])"
    r"|(?<=[\p{L}\p{N}])([/:=<>])(?=\p{L})"
    r"|(?<=\p{L})(,)(?=\p{L})"
)


ETHIOPIC_WORDSPACE = "\u1361"
# Ethiopic punctuation (። ፣ ፤ ...): a token of its own wherever it stands, even after a URL
ETHIOPIC_PUNCTUATION = regex.compile(r"([\u1362-\u1368])")
JOINERS = "\u200c\u200d"  # zero-width non-joiner and joiner: part of the word they end
# Maltese: an article and its hyphen at the start of a chunk (l-, il-, tal-, għall-, fid-) + the noun
MALTESE_ARTICLE = regex.compile(r"(\p{L}{1,5}-)(?=\p{L})")


@lru_cache(maxsize=65536)
def is_symbol_char(char: str) -> bool:
    """Punctuation, symbols and control characters (Unicode categories P*, S*, C*)."""
    return unicodedata.category(char)[0] in "PSC"


def is_symbol_word(word: str) -> bool:
    return not word.isalnum() and all(is_symbol_char(c) for c in word)


def has_letter(word: str) -> bool:
    return word.isalpha() or any(c.isalpha() for c in word)


def _split_chunk(chunk: str, tokens: list[str]) -> None:
    """One whitespace-delimited chunk -> tokens, the way spaCy peels prefixes, suffixes, infixes."""
    if not chunk.isascii() and ETHIOPIC_PUNCTUATION.search(chunk):
        for i, piece in enumerate(ETHIOPIC_PUNCTUATION.split(chunk)):  # odd: the punctuation
            if i % 2:
                tokens.append(piece)
            elif piece:
                _split_chunk(piece, tokens)
        return
    while chunk and is_symbol_char(chunk[0]):  # prefixes: ( " « $ ...
        width = 3 if chunk.startswith("...") else 1
        tokens.append(chunk[:width])
        chunk = chunk[width:]
    suffixes: list[str] = []
    while chunk:
        if "." in chunk and _keeps_period(chunk):
            break
        if ("@" in chunk or "/" in chunk or "www" in chunk) and URL_OR_EMAIL.fullmatch(chunk):
            break
        has_apostrophe = "'" in chunk or "’" in chunk
        clitic = has_apostrophe and next(
            (c for c in CLITICS if chunk.endswith(c) and len(chunk) > len(c)), None
        )
        if clitic:
            width = len(clitic)
        elif chunk.endswith("..."):
            width = 3
        elif is_symbol_char(chunk[-1]) and chunk[-1] not in JOINERS:
            width = 1
        else:
            break
        suffixes.append(chunk[-width:])
        chunk = chunk[:-width]
    if chunk.isalnum() or URL_OR_EMAIL.fullmatch(chunk):
        tokens.append(chunk)
    elif chunk:
        tokens.extend(piece for piece in INFIX.split(chunk) if piece)
    tokens.extend(reversed(suffixes))


def _keeps_period(chunk: str) -> bool:
    return chunk.lower() in ABBREVIATIONS or INITIALS.fullmatch(chunk) is not None


CACHED_CHUNK_CHARS = 48  # longer chunks (URLs, junk) are rare and would bloat the cache


@lru_cache(maxsize=65536)
def _chunk_tokens(chunk: str) -> tuple[str, ...]:
    """Tokens of a chunk that is not a plain word; the same few ("it’s", "•", "word,") recur on
    every page, so they are split once per process."""
    # The most common: a word and one trailing mark ("word," "end."), which _split_chunk would split
    # the same way unless it is an abbreviation or initials.
    head, last = chunk[:-1], chunk[-1]
    trailing_mark = (
        last not in "'’" + JOINERS and is_symbol_char(last) and not (last == "." and _keeps_period(chunk))
    )
    if trailing_mark and head.isalnum():
        return (head, last)
    tokens: list[str] = []
    _split_chunk(chunk, tokens)
    return tuple(tokens)


def split_words(text: str, lang: str = "en") -> list[str]:
    """The whitespace split with spaCy's rules; in UNSPACED_LANGUAGES each Han, kana or Thai
    character is a word. TextFeatures.words uses it for every language but SEGMENTED_LANGUAGES."""
    tokens: list[str] = []
    append = tokens.append
    if ETHIOPIC_WORDSPACE in text:
        text = text.replace(ETHIOPIC_WORDSPACE, " ")
    for chunk in text.split():
        if chunk.isalnum():  # the common case: a plain word or number
            append(chunk)
            continue
        if lang == "mt" and "-" in chunk:  # the article may follow an opening quote or bracket
            start = next((i for i, c in enumerate(chunk) if not is_symbol_char(c)), len(chunk))
            article = MALTESE_ARTICLE.match(chunk, start)
            if article:
                if start:
                    _split_chunk(chunk[:start], tokens)
                append(article.group(1))
                chunk = chunk[article.end() :]
        if chunk.isalnum():
            append(chunk)
        elif len(chunk) <= CACHED_CHUNK_CHARS:
            tokens += _chunk_tokens(chunk)
        else:
            _split_chunk(chunk, tokens)
    if lang in UNSPACED_LANGUAGES:
        tokens = [piece for token in tokens for piece in UNSPACED_CHAR.split(token) if piece]
    return tokens
