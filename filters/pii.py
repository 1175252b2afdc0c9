"""PII masking (issue #25): e-mail addresses and public IP addresses, and phone numbers when switched
on, replaced by placeholders, as FineWeb's pipeline does with datatrove's PIIFormatter.

It never removes a document: it rewrites the text and counts what it masked (`pii_emails`,
`pii_ips`, `pii_phones`). Every placeholder lies in a range reserved for documentation, so a masked
address never names a real mailbox or host (datatrove's IP placeholders are public addresses that
merely did not answer a ping), and the matcher leaves its own placeholders alone: masking twice
gives what masking once did.

Each kind is one compiled regex, run only when a cheap pre-check (a regex that starts with a literal
character, which `re` scans for quickly) finds something it could match; most pages have none.
Every class is ASCII (`[0-9]`, never `\\d`, which also matches Arabic or full-width digits), and the
context rules live in look-arounds: a match starts only where its run of characters starts, so the
work stays linear on hostile text (1 MB of "1." or "a@").
"""

from __future__ import annotations

import ipaddress
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from filters.base import BatchFilter
from filters.ranges import allowing
from filters.text import TextFeatures

PLACEHOLDER = allowing(nonempty=True)  # an empty one would join the text on either side

# E-mail: a dot-separated local part of the characters real addresses use (RFC 5322 allows also
# ! # $ % & ' * / = ? ^ ` { | } ~, which in web text mostly join an address to a URL's query:
# "?contact=a@b.org" masks "a@b.org" alone), then a domain of labels. The look-behind makes the
# match start where the local part starts (and not after another "@": "@user@mastodon.social" is a
# handle); the look-ahead makes it take the whole domain. "name at domain dot com" has no "@": left
# alone (FineWeb does not mask it either). Validity is checked in `_email_ok`.
EMAIL = re.compile(
    r"(?<![A-Za-z0-9._+@-])[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?![A-Za-z0-9_-]|\.[A-Za-z0-9-])"
)
EMAIL_PRECHECK = re.compile(r"@[A-Za-z0-9-]+\.[A-Za-z0-9-]")
TLD = re.compile(r"[A-Za-z]{2,24}")
LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
# "icon@2x.png" names an image, not a mailbox: last labels that are file extensions and no TLD
# (.zip, .mov and .py are delegated TLDs, so they stay addresses)
FILE_EXTENSIONS = frozenset(
    (
        "png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "tif", "tiff", "avif", "heic", "pdf",
        "js", "css", "htm", "html", "php", "asp", "aspx", "jsp", "json", "xml", "txt", "csv", "mp3", "mp4",
        "webm", "wav", "ogg", "ttf", "otf", "eot", "woff",
    )
)  # fmt: skip
# RFC 2606 / RFC 6761: names reserved for documentation and testing, no one's address
RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_TLDS = frozenset({"example", "invalid", "localhost", "test"})

# IPv4: four dot-separated runs of 1-3 digits (`ipaddress` then refuses octets over 255 and leading
# zeros) that are not part of a longer dotted number or word: not after a digit, letter, ".", "_"
# or "-" ("v1.2.3.4", "1.1.2.3.4", "release-1.2.3.4"), not before a letter, digit or "_", nor
# before ".", "-" or "+" and a letter or digit ("1.2.3.4.5", "1.2.3.4-beta", "1.2.3.4.in-addr.arpa").
# A trailing ":port", "/prefix" or sentence-ending "." stays outside the match.
IPV4 = re.compile(
    r"[0-9](?<![0-9A-Za-z._-][0-9])[0-9]{0,2}(?:\.[0-9]{1,3}){3}(?![0-9A-Za-z_]|[.+-][0-9A-Za-z])"
)  # the first digit comes before the look-behind: `re` then skips ahead to digits quickly
IPV4_PRECHECK = re.compile(r"\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]")
# A dotted quad right after one of these words is a version or section number ("version 1.2.3.4",
# "Build: 10.0.1.2", "§ 1.2.3.4"); checked on the few characters before a candidate.
VERSION_CUE = re.compile(
    r"(?:(?<![A-Za-z])(?:v|ver|version|release|build|rev|revision|firmware|kernel|patch|update|section"
    r"|chapter)[.:]?|§)[ \t]*\Z",
    re.IGNORECASE,
)
CUE_CHARS = 16  # "revision: " and more
CUE_ENDS = frozenset(" \t:§")  # the characters a cue can end with before the address
# The IPv4 addresses that are no one's host, from IANA's special-purpose registry (those not globally
# reachable) and multicast: this, private, shared (RFC 6598), loopback, link-local, IETF protocol,
# documentation (RFC 5737), 6to4 relay, benchmarking, multicast and reserved (with broadcast). A table
# of our own, not `is_global`: Python counts multicast as global, and its tables change between
# versions; bisecting it is also 10x faster than building an `IPv4Address`.
NON_PUBLIC_IPV4 = [
    (int(net.network_address), int(net.broadcast_address))
    for net in ipaddress.collapse_addresses(
        ipaddress.IPv4Network(cidr)
        for cidr in (
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
            "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        )
    )
]  # fmt: skip
NON_PUBLIC_STARTS = [start for start, _ in NON_PUBLIC_IPV4]

# IPv6: 2 to 7 hex groups each ending in ":", then a last group or an embedded dotted quad
# ("::ffff:8.8.8.8"); `ipaddress` then checks the form, which also requires a "::" or all 8 groups:
# "12:30:45" (a time) and "aa:bb:cc:dd:ee:ff" (a MAC address) are not addresses. Not inside a word
# or a longer run of colons ("std::vector", "Foo::Bar"), except right after "IPv6:" (mail headers).
IPV6 = re.compile(
    r"(?:(?<![0-9A-Za-z_:.])|(?<=[Ii][Pp][Vv]6:))(?:[0-9A-Fa-f]{0,4}:){2,7}"
    r"(?:[0-9]{1,3}(?:\.[0-9]{1,3}){3}|[0-9A-Fa-f]{1,4})?(?![0-9A-Za-z_:]|\.[0-9])"
)
IPV6_PRECHECK = re.compile(r"::|:[0-9A-Fa-f]{1,4}:[0-9A-Fa-f]{1,4}:")  # what every candidate holds
GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")  # IANA's only allocated unicast space
IPV6_DOCUMENTATION = ipaddress.IPv6Network("3fff::/20")  # RFC 9637, newer than some Pythons' tables

# Phones (off by default: digit groups are ambiguous), conservative: "+" and a country code, then
# groups of digits separated by one space, "." or "-", the same each time (8 to 15 digits in all,
# E.164's most; a number then an address is two things, not one long number), or a
# North American number with its area code: "(415) 555-2671", "415-555-2671", "1-415.555.2671"
# (area code and exchange start with 2-9). Not inside a longer run of digits or a word. The first
# character comes before the look-behind (so `re` skips ahead to "+", "(" and digits quickly) and a
# look-behind at each branch's start sends the match into the branch of the character it starts with.
PHONE = re.compile(
    r"[+(1-9](?<![0-9A-Za-z_+.-][+(1-9])(?:"
    r"(?<=\+)[1-9](?:[0-9]{6,14}"
    r"|[0-9]{0,3}(?:[ .-]?\([0-9]{1,4}\))?(?:[ .-]?[0-9]{1,4})?([ .-])[0-9]{2,8}(?:\1[0-9]{2,8}){0,5})"
    r"|(?<=1)[ .-](?:\([2-9][0-9]{2}\) ?|[2-9][0-9]{2}[.-])[2-9][0-9]{2}[.-][0-9]{4}"
    r"|(?<=\()[2-9][0-9]{2}\) ?[2-9][0-9]{2}[.-][0-9]{4}"
    r"|(?<=[2-9])[0-9]{2}[.-][2-9][0-9]{2}[.-][0-9]{4}"
    r")(?![0-9A-Za-z_]|[.-][0-9])"
)
# What every candidate holds: "+" and a digit, or a North American number's last two groups
PHONE_PRECHECK = re.compile(r"\+[1-9]|[0-9]{3}[.-][0-9]{4}")
PHONE_DIGITS = (8, 15)  # country code included
FICTIONAL_PHONE = re.compile(r"555[ .-]?01[0-9]{2}\Z")  # 555-0100..0199, reserved for fiction


@dataclass(frozen=True)
class PiiThresholds:
    emails: bool = True
    ips: bool = True
    phones: bool = False  # off, as in FineWeb: digit groups are often not phone numbers
    # RFC 2606 reserves example.com for documentation: no one's mailbox (datatrove's default too)
    email_placeholder: str = field(default="email@example.com", metadata=PLACEHOLDER)
    # RFC 5737 TEST-NET-1: documentation only, never routed, so no real host
    ipv4_placeholder: str = field(default="192.0.2.1", metadata=PLACEHOLDER)
    # RFC 3849's documentation prefix 2001:db8::/32
    ipv6_placeholder: str = field(default="2001:db8::1", metadata=PLACEHOLDER)
    # 555-0100..0199 are reserved for fictional use in the North American Numbering Plan
    phone_placeholder: str = field(default="+1-555-0100", metadata=PLACEHOLDER)


def mask_emails(text: str, placeholder: str) -> tuple[str, int]:
    """`text` with each e-mail address replaced by `placeholder`, and how many were."""
    if "@" not in text or not EMAIL_PRECHECK.search(text):
        return text, 0
    return _substitute(EMAIL, text, lambda m: placeholder if _email_ok(m, placeholder) else None)


def mask_ips(text: str, ipv4_placeholder: str, ipv6_placeholder: str) -> tuple[str, int]:
    """`text` with each public IPv6 and IPv4 address replaced by its placeholder, and how many were."""
    count6 = count4 = 0
    if IPV6_PRECHECK.search(text):
        text, count6 = _substitute(IPV6, text, lambda m: _ipv6_replacement(m, ipv6_placeholder))
    if IPV4_PRECHECK.search(text):
        text, count4 = _substitute(IPV4, text, lambda m: ipv4_placeholder if _ipv4_ok(m) else None)
    return text, count6 + count4


def mask_phones(text: str, placeholder: str) -> tuple[str, int]:
    """`text` with each phone number replaced by `placeholder`, and how many were."""
    if not PHONE_PRECHECK.search(text):
        return text, 0
    return _substitute(PHONE, text, lambda m: placeholder if _phone_ok(m.group(), placeholder) else None)


def mask_pii(text: str, thresholds: PiiThresholds) -> tuple[str, dict[str, int]]:
    """`text` masked as `thresholds` say, and the counts of what was masked (the signals)."""
    emails = ips = phones = 0
    if thresholds.emails:
        text, emails = mask_emails(text, thresholds.email_placeholder)
    if thresholds.ips:
        text, ips = mask_ips(text, thresholds.ipv4_placeholder, thresholds.ipv6_placeholder)
    if thresholds.phones:
        text, phones = mask_phones(text, thresholds.phone_placeholder)
    return text, {"pii_emails": emails, "pii_ips": ips, "pii_phones": phones}


class PiiMasker(BatchFilter[PiiThresholds]):
    name = "pii"
    Thresholds = PiiThresholds
    SIGNALS = {"pii_emails": "int", "pii_ips": "int", "pii_phones": "int"}  # how many were masked
    REWRITES = True  # the masked text is the document's text
    REMOVES = False

    def signals(self, doc: TextFeatures) -> dict[str, Any]:
        return self.rewrite(doc)[0]

    def rewrite(self, doc: TextFeatures) -> tuple[dict[str, Any], str]:
        text, counts = mask_pii(doc.text, self.thresholds_for(doc.lang))
        return dict(counts), text

    def reason(self, signals: dict[str, Any], thresholds: PiiThresholds, doc: TextFeatures) -> str | None:
        return None  # masking never removes a document


def _substitute(
    pattern: re.Pattern[str], text: str, replacement: Callable[[re.Match[str]], str | None]
) -> tuple[str, int]:
    """`text` with each match of `pattern` replaced by `replacement(match)` (None: left as it is),
    and how many were replaced."""
    replaced = 0

    def one(match: re.Match[str]) -> str:
        nonlocal replaced
        new = replacement(match)
        if new is None:
            return match.group()
        replaced += 1
        return new

    return pattern.sub(one, text), replaced


def _email_ok(match: re.Match[str], placeholder: str) -> bool:
    address = match.group()
    local, _, domain = address.partition("@")
    labels = domain.split(".")
    tld = labels[-1].lower()
    if address == placeholder or len(local) > 64 or len(domain) > 253:
        return False
    if not TLD.fullmatch(tld) or tld in FILE_EXTENSIONS or tld in RESERVED_TLDS:
        return False
    if not all(LABEL.fullmatch(label) for label in labels):
        return False
    lowered = domain.lower()
    if any(lowered == d or lowered.endswith(f".{d}") for d in RESERVED_DOMAINS):
        return False
    # "git@github.com:owner/repo.git" is an scp-style remote: a service account, not a mailbox
    after = match.string[match.end() : match.end() + 2]
    return not (len(after) == 2 and after[0] == ":" and not after[1].isspace())


def _ipv4_ok(match: re.Match[str]) -> bool:
    octets = match.group().split(".")
    if any(len(octet) > 1 and octet[0] == "0" for octet in octets):
        return False  # a leading zero ("01.02.03.04"): a date or a code, and `ipaddress` refuses it
    try:
        address = int.from_bytes(bytes(int(octet) for octet in octets), "big")
    except ValueError:  # an octet over 255
        return False
    if not _public_ipv4(address):
        return False
    text, start = match.string, match.start()
    if start == 0 or text[start - 1] not in CUE_ENDS:
        return True
    return VERSION_CUE.search(text, max(0, start - CUE_CHARS), start) is None


def _public_ipv4(address: int) -> bool:
    k = bisect_right(NON_PUBLIC_STARTS, address) - 1
    return k < 0 or address > NON_PUBLIC_IPV4[k][1]


def _ipv6_replacement(match: re.Match[str], placeholder: str) -> str | None:
    candidate = match.group()
    # "... 2001:4860::8888: then" ends the address at the last group, not at the colon after it
    trailing = ":" if candidate.endswith(":") and not candidate.endswith("::") else ""
    try:
        address = ipaddress.IPv6Address(candidate[: len(candidate) - len(trailing)])
    except ValueError:
        return None
    if address.ipv4_mapped is not None:  # "::ffff:8.8.8.8": as public as its IPv4 address
        public = _public_ipv4(int(address.ipv4_mapped))
    else:
        public = address in GLOBAL_UNICAST and address not in IPV6_DOCUMENTATION and address.is_global
    return placeholder + trailing if public else None


def _phone_ok(number: str, placeholder: str) -> bool:
    if number == placeholder or FICTIONAL_PHONE.search(number):
        return False
    digits = sum(c.isdigit() for c in number)
    return number[0] != "+" or PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]
