"""Where the default theme lives: inside the package in a wheel, at the top of a checkout.

Kept apart from ``render`` so that finding the theme costs no Jinja import.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def theme_dir(name: str) -> Path:
    """The default theme's ``templates`` or ``static`` folder, in a wheel or a checkout.

    >>> theme_dir("templates").joinpath("base.html").is_file()
    True
    """
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name
