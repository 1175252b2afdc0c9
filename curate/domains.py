"""Registered domain of a URL, from the Public Suffix List that `publicsuffixlist` ships (no network)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

from publicsuffixlist import PublicSuffixList

_PSL = PublicSuffixList()


def host_of(url: str | None) -> str | None:
    """Lower-cased host name of `url`, or None when it has none."""
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:  # malformed netloc, e.g. an unbalanced IPv6 bracket
        return None
    return host.rstrip(".") or None if host else None


@lru_cache(maxsize=65536)
def registered_domain_of_host(host: str) -> str:
    """`www.cs.washington.edu` -> `washington.edu`; IP addresses and bare hosts stay as they are."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    return _PSL.privatesuffix(host) or host


def registered_domain(url: str | None) -> str | None:
    """Registered domain (eTLD+1) of `url`, or None when the URL has no host."""
    host = host_of(url)
    return registered_domain_of_host(host) if host else None


def public_suffix(domain: str | None) -> str | None:
    """`washington.edu` -> `edu`, `bbc.co.uk` -> `co.uk`: the part under which names are registered."""
    if not domain:
        return None
    return _PSL.publicsuffix(domain) or domain.rsplit(".", 1)[-1]
