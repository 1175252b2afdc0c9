"""Unicode repair with ftfy: mojibake from a mislabelled charset (UTF-8 read as cp1252 or Latin-1:
"cafÃ©", "doesnâ€™t"), HTML entities an extractor left ("&amp;"), C1 controls, terminal escapes,
odd line breaks.

ftfy reads the whole text in Python (3.5 ms a 3,600-character document here), so a cheap screen
decides first which lines can need it: the two-character sequences that UTF-8 decoded as cp1252 or
Latin-1 leaves (a lead byte's character, then a continuation byte's), an entity, a control or
escape character, a line or paragraph separator. Only the lines with one go through ftfy (it repairs
line by line itself), which leaves a correct line alone.

What ftfy would change beyond repair is switched off: curly quotes stay curly, full-width
characters (CJK punctuation, Japanese Latin) stay full-width, and no Unicode normalization is
applied, so that a correct text in any script comes back unchanged.
"""

from __future__ import annotations

import re
from functools import cache

# cp1252's characters for the bytes 0x80-0x9F, and Latin-1's C1 controls for the same bytes.
_CP1252_HIGH = "€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ"
_CONTINUATION = f"\u0080-\u00bf{_CP1252_HIGH}"
# Three screens, each a regex that starts with a character class (which `re` scans for quickly),
# together 2x faster than one alternation: mojibake (needs a non-ASCII character), an HTML entity,
# a control, escape or separator character.
MOJIBAKE = re.compile(f"[\u00c2-\u00f4][{_CONTINUATION}]")  # a UTF-8 lead byte then a continuation byte
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
CONTROL = re.compile("[\u0000-\u0008\u000b\u000e-\u001f\u007f\u0080-\u009f\u2028\u2029\ufeff\ufffd]")


@cache
def _config():
    from ftfy import TextFixerConfig

    return TextFixerConfig(uncurl_quotes=False, fix_character_width=False, normalization=None, explain=False)


def needs_repair(text: str) -> bool:
    """Whether the screen finds anything ftfy could repair in `text`."""
    if "&" in text and ENTITY.search(text):
        return True
    if CONTROL.search(text):
        return True
    return not text.isascii() and MOJIBAKE.search(text) is not None


def repair_text(text: str) -> str:
    """`text` with its mojibake, entities and stray controls repaired (ftfy), or `text` itself
    when the screen finds nothing to repair."""
    if not needs_repair(text):
        return text
    from ftfy import fix_text

    # Line by line, and only the lines the screen flags: ftfy's cost follows the text it reads.
    lines = text.splitlines(keepends=True)
    return "".join(fix_text(line, _config()) if needs_repair(line) else line for line in lines)
