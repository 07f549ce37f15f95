"""``digest check``: everything a build does up to writing, and the problems it finds.

Every content file is loaded, folded, summarized and rendered exactly as ``digest build``
does (through ``digest.build.read_all`` and ``make_site``), templates included, and every
output path is checked as publishing would check it; nothing is written.
"""

from __future__ import annotations

import re
import traceback
from datetime import UTC, datetime
from pathlib import Path

import jinja2

from digest.build import make_site, previous_identities, read_all
from digest.config import Config
from digest.errors import DigestError, PublishError
from digest.model import Problem
from digest.publish import safe_target

CHECK_TIME = datetime(2000, 1, 1, tzinfo=UTC)
"""The build time a check uses when given none: it only dates undated stories and the
pages' "generated" stamp, so it never changes which problems are found."""


def _shown(path: str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path


_TEMPLATE_FRAME = re.compile(r'File "([^"]+\.(?:html|xml|txt|j2|jinja))", line (\d+)')


def template_problem(exc: jinja2.TemplateError, root: Path) -> Problem:
    """A template error as a Problem naming the template file and line, where known.

    >>> env = jinja2.Environment(loader=jinja2.DictLoader({"a.html": "{% if %}"}))
    >>> try:
    ...     env.get_template("a.html")
    ... except jinja2.TemplateError as exc:
    ...     print(template_problem(exc, Path(".")))
    a.html: render: line 1: Expected an expression, got 'end of statement block'
    """
    where, line = "templates", None
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where, line = exc.filename or exc.name or where, exc.lineno
    else:  # jinja2 puts the template's own file and line into the traceback
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith((".html", ".xml", ".txt", ".j2", ".jinja")):
                where, line = frame.filename, frame.lineno
                break
        else:  # raised in a page worker: its traceback comes as text
            found = _TEMPLATE_FRAME.findall(str(exc.__cause__ or ""))
            if found:
                where, line = found[-1][0], int(found[-1][1])
    message = exc.message or type(exc).__name__
    return Problem(_shown(where, root), "render", f"line {line}: {message}" if line else message)


def check(config: Config, *, now: datetime | None = None) -> tuple[Problem, ...]:
    """Load, fold, summarize and render the site ``config`` describes without writing it;
    return every problem a build would meet, in the order it would meet them.

    ``now`` is the build time (``CHECK_TIME`` when not given). Raises DigestError only
    when there is no content folder to read, as ``digest build`` does.
    """
    loaded = read_all(config)
    load_problems = tuple(p for item in loaded for p in item.problems)
    content = config.content.rstrip("/") + "/"
    try:
        site = make_site(config, loaded, now or CHECK_TIME, previous_identities(config))
        paths = sorted(rel for rel, _ in site.files)
    except jinja2.TemplateError as exc:
        return (*load_problems, template_problem(exc, config.root))
    except DigestError as exc:
        return (*load_problems, Problem(content, "build", str(exc)))
    problems = list(site.problems)
    if not site.articles:
        problems.append(
            Problem(content, "build", "expected at least one article to build, found none")
        )
    for rel in paths:
        try:
            safe_target(config.output_dir, rel)
        except PublishError as exc:
            problems.append(Problem(str(rel), "publish", str(exc)))
    return tuple(problems)
