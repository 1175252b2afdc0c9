"""Document filters (badwords, Gopher, C4, FineWeb, URL, quality classifier).

Importable without `curate`'s executors or CLI. The filters themselves arrive with issue #4.
"""
