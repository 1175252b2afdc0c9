"""The built-in sample crawl: multilingual pages written by curate itself (no downloaded data)."""
