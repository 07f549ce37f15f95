"""One exception family for the whole tool; only the CLI turns these into messages."""

from __future__ import annotations

from pathlib import Path


class DigestError(Exception):
    """Base class of every error digest raises on purpose."""


class ConfigError(DigestError):
    """The configuration is invalid; ``errors`` lists every problem found, not just the first.

    >>> str(ConfigError("digest.toml", ["title: expected a string, found 3"]))
    'digest.toml: title: expected a string, found 3'
    """

    def __init__(self, source: str, errors: list[str]) -> None:
        self.source = source
        self.errors = tuple(errors)
        super().__init__("\n".join(f"{source}: {e}" for e in errors))


class ContentError(DigestError):
    """A content file cannot become an article; ``reason`` says what was expected and found.

    >>> str(ContentError(Path("a.md"), "front matter: expected a mapping, found a list"))
    'a.md: front matter: expected a mapping, found a list'
    """

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class PublishError(DigestError):
    """The site could not be written; the previous site is left as it was."""
