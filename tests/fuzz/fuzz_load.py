"""A coverage-guided fuzz harness for the loaders (atheris), beside the hypothesis
properties in tests/property that run in every `make test`.

Run it by hand for as long as you like (it is not part of the suite):

    .venv/bin/pip install atheris
    .venv/bin/python tests/fuzz/fuzz_load.py -max_total_time=600 -max_len=65536 corpus/

Each input is split into a suffix (first byte) and the file's bytes; the property is the
one the suite asserts: ``load_bytes`` returns a ``Loaded`` (articles or named problems)
and never raises, whatever the bytes and whichever loader reads them.
"""

from __future__ import annotations

import sys

SUFFIXES = (".txt", ".md", ".html", ".xml", ".rss", ".atom", ".json")


def check(data: bytes) -> None:
    """One fuzz input: any exception escaping ``load_bytes`` is a bug.

    >>> check(b"\\x01---\\ntitle: x\\n---\\nbody")
    """
    from digest.load import Loaded, LoadSettings, load_bytes

    if not data:
        return
    name = "fuzz" + SUFFIXES[data[0] % len(SUFFIXES)]
    result = load_bytes(data[1:], name, LoadSettings())
    assert isinstance(result, Loaded)
    assert result.articles or result.problems or name.endswith((".xml", ".rss", ".atom", ".json"))


def main() -> None:
    import atheris  # an optional tool, installed by hand for a fuzzing session

    with atheris.instrument_imports():
        import digest.load  # noqa: F401
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
