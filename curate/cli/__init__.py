"""The command line: `curate.cli.main` is the root parser, each other module one command."""

from curate.cli.main import main

__all__ = ["main"]
