"""Registered domains and public suffixes of URLs, from the Public Suffix List that
`publicsuffixlist` ships (no network). Hosts come from filters.url_parts, which never raises."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from publicsuffixlist import PublicSuffixList

from filters.url_parts import host_of

_PSL = PublicSuffixList()


@lru_cache(maxsize=65536)
def registered_domain_of_host(host: str) -> str:
    """`www.cs.washington.edu` -> `washington.edu`; IP addresses and bare hosts stay as they are."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    try:
        return _PSL.privatesuffix(host) or host
    except Exception:  # the list's code was not written for hostile strings: the host itself
        return host


def registered_domain(url: str | None) -> str | None:
    """Registered domain (eTLD+1) of `url`, or None when the URL has no host."""
    host = host_of(url)
    return registered_domain_of_host(host) if host else None


def public_suffix(domain: str | None) -> str | None:
    """`washington.edu` -> `edu`, `bbc.co.uk` -> `co.uk`: the part under which names are registered."""
    if not domain:
        return None
    return _PSL.publicsuffix(domain) or domain.rsplit(".", 1)[-1]
