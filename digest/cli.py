"""The command line: the only place that prints, reads the clock and sets exit codes.

Exit codes: 0 built, 1 built with problems under --strict or nothing to build,
2 bad usage or configuration, 141 standard output closed by its reader.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import textwrap
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO
from zoneinfo import ZoneInfo

import digest
from digest.build import NothingToBuild, StrictFailure, build
from digest.config import Config, load_config
from digest.errors import ConfigError, DigestError
from digest.model import Article, BuildReport, Problem

if TYPE_CHECKING:
    from digest.load import LoadSettings

# Loading, folding and summarizing modules are imported by the commands that use them:
# a rebuild where nothing changed must not pay for numpy, Jinja or trafilatura.

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def build_time(environ: dict[str, str] | os._Environ[str] = os.environ) -> datetime:
    """The build's clock: SOURCE_DATE_EPOCH when set (reproducible builds), else now.

    >>> build_time({"SOURCE_DATE_EPOCH": "1752451200"}).isoformat()
    '2025-07-14T00:00:00+00:00'
    """
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            raise ConfigError(
                "SOURCE_DATE_EPOCH", [f"expected whole seconds since 1970, found {epoch!r}"]
            ) from None
    return datetime.now(UTC).replace(microsecond=0)


_SITE_OPTIONS = {
    "content": ("DIR", "folder of articles (default: from digest.toml, else content/)"),
    "output": ("DIR", "folder to write the site into (default: from digest.toml, else public/)"),
    "config": ("FILE", "configuration file (default: digest.toml if present)"),
}


def _site_options(parser: argparse.ArgumentParser, *names: str) -> None:
    """The options that say which site a command works on, worded the same everywhere."""
    for name in names:
        metavar, text = _SITE_OPTIONS[name]
        parser.add_argument(f"--{name}", metavar=metavar, help=text)


def _port(value: str) -> int:
    """A TCP port number, for ``serve --port``.

    >>> _port("8000")
    8000
    >>> _port("99999")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: expected a port from 0 to 65535, found 99999
    """
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535, found {value}")
    return port


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digest",
        description="Build a news digest site, with feeds, from a folder of articles.",
        epilog="examples:\n  digest build\n  digest build --content news --output site --strict\n"
        "  digest inspect content/story.txt --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"digest {digest.__version__}")
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-q", "--quiet", action="store_true", help="print only errors and problems"
    )
    loudness.add_argument(
        "-v", "--verbose", action="store_true", help="also print every merge of two articles"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    b = commands.add_parser(
        "build",
        help="build the site and its feeds",
        description="Build the site: read the content folder, fold copies, summarize, write the output folder.",
        epilog="examples:\n  digest build\n  digest build --content news --output site\n"
        "  SOURCE_DATE_EPOCH=1752451200 digest build --strict",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _site_options(b, "content", "output", "config")
    b.add_argument(
        "--strict",
        action="store_true",
        help="treat any problem with a file as fatal: exit 1, write nothing",
    )
    b.add_argument(
        "--report",
        metavar="FILE",
        help="write every merge of two articles, with its scores, as JSON",
    )

    i = commands.add_parser(
        "inspect",
        help="show what digest reads in files",
        description="Show what the loader and summarizer make of each file, without building.",
        epilog="examples:\n  digest inspect content/000.txt\n  digest inspect content/*.md --json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _site_options(i, "config")
    i.add_argument("files", nargs="+", metavar="FILE")
    i.add_argument("--json", action="store_true", help="one JSON object per line")

    f = commands.add_parser(
        "fetch",
        help="download the feeds listed in digest.toml into the content folder",
        description="Download every [[feeds]] entry of digest.toml; each changed feed is saved "
        "as a snapshot file under the content folder, so every build can be replayed.",
        epilog="examples:\n  digest fetch\n  digest fetch --pages && digest build\n"
        "  */15 * * * * cd /srv/news && digest fetch && digest build   (cron)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _site_options(f, "config")
    f.add_argument(
        "--content", metavar="DIR", help="folder to save snapshots into (default: from digest.toml)"
    )
    f.add_argument(
        "--pages", action="store_true", help="also save the article page each new entry links to"
    )

    s = commands.add_parser(
        "serve",
        help="build, serve on this machine, rebuild and reload pages as you edit",
        description="Build the site, serve it on loopback, and rebuild and reload open pages "
        "whenever content, templates, static files or digest.toml change.",
        epilog="examples:\n  digest serve\n  digest serve --port 8080\n  digest serve --port 0   (any free port)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _site_options(s, "content", "output", "config")
    s.add_argument(
        "--bind",
        "--host",
        dest="host",
        default="127.0.0.1",
        metavar="ADDRESS",
        help="address to listen on (default: 127.0.0.1, this machine only)",
    )
    s.add_argument(
        "--port",
        type=_port,
        default=8000,
        help="port to listen on (default: 8000; 0 picks a free one)",
    )

    n = commands.add_parser(
        "new",
        help="start a new site folder",
        description="Create a site folder: a commented digest.toml, content/ with an example article, "
        "and empty templates/ and static/ folders with notes on overriding the theme.",
        epilog="examples:\n  digest new morning-brief\n  digest new morning-brief --title 'Morning Brief'",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    n.add_argument("path", metavar="DIR", help="the folder to create (must be empty or missing)")
    n.add_argument("--title", help="the site's title (default: from the folder's name)")

    c = commands.add_parser(
        "check",
        help="read, fold and render everything without writing; list the problems",
        description="Load and validate the content and configuration, write nothing, list problems. "
        "Exit codes as for build: 0 fine, 1 problems, 2 bad configuration.",
        epilog="examples:\n  digest check\n  digest check --content drafts",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _site_options(c, "content", "config")

    e = commands.add_parser(
        "explain",
        help="say whether two files are one story, and why",
        description="Compare two articles as folding does: containment both ways, the threshold, shared passages.",
        epilog="examples:\n  digest explain content/000.txt content/003.txt",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _site_options(e, "config")
    e.add_argument("files", nargs=2, metavar="FILE")
    e.add_argument("--json", action="store_true", help="print the evidence as one JSON object")
    # -q and -v are taken after the command too ("digest build --quiet", as in a crontab),
    # where they override nothing unless given.
    for command in commands.choices.values():
        here = command.add_mutually_exclusive_group()
        for flag, long, said in (
            ("-q", "--quiet", "print only errors and problems"),
            ("-v", "--verbose", "also print every merge of two articles"),
        ):
            here.add_argument(flag, long, action="store_true", default=argparse.SUPPRESS, help=said)
    return parser


def _config_source(args: argparse.Namespace) -> tuple[Path | None, dict[str, Any]]:
    """The configuration file to read and the command line's overrides of it."""
    default = Path("digest.toml") if Path("digest.toml").is_file() else None
    path = Path(args.config) if args.config else default
    overrides: dict[str, Any] = {}
    for key in ("content", "output"):
        value = getattr(args, key, None)
        if value:
            overrides[key] = str(Path(value).absolute())
    return path, overrides


def _config(args: argparse.Namespace) -> Config:
    return load_config(*_config_source(args))


def _print_problems(problems: Sequence[Problem], out: TextIO) -> None:
    for problem in problems:
        print(f"problem: {problem}", file=out)


def _summary_line(report: BuildReport, seconds: float) -> str:
    return (
        f"{report.articles:,} articles → {report.stories:,} stories ({report.copies_folded:,} copies folded), "
        f"{len(report.problems):,} problems, {report.files:,} files in {seconds:.1f} s"
    )


class _BuildProgress:
    """A progress bar on standard error for a long build, when it is a terminal: shown
    from the first report of progress (builds of a few files finish before any)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Any = None
        self.tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from rich.progress import Progress

            self.bar = Progress(transient=True)
            self.bar.start()
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total or None)
        self.bar.update(self.tasks[stage], completed=done)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _build(args: argparse.Namespace) -> int:
    config = _config(args)
    started = time.perf_counter()
    progress = _BuildProgress(
        sys.stderr.isatty() and not args.quiet and not os.environ.get("NO_COLOR")
    )
    try:
        report = build(config, build_time(), strict=args.strict, progress=progress, kept=_LEFT)
    except StrictFailure as exc:
        _print_problems(exc.problems, sys.stderr)
        print(f"digest: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except NothingToBuild as exc:
        print(f"digest: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except Exception as exc:
        # jinja2 is imported only by builds that render, so it is looked up, not imported.
        jinja2 = sys.modules.get("jinja2")
        if jinja2 is None or not isinstance(exc, jinja2.TemplateError):
            raise
        from digest.check import template_problem

        progress.stop()
        _print_problems([template_problem(exc, config.root)], sys.stderr)
        print(
            "digest: a template could not render the site; the previous site is left as it was",
            file=sys.stderr,
        )
        return EXIT_PROBLEMS
    finally:
        progress.stop()
    _print_problems(report.problems, sys.stderr)
    code = EXIT_OK
    if args.report:
        merges = [
            {
                "a": m.a,
                "b": m.b,
                "containment_a_in_b": round(m.containment_ab, 4),
                "containment_b_in_a": round(m.containment_ba, 4),
                "threshold": m.threshold,
            }
            for m in report.merges
        ]
        try:
            Path(args.report).write_text(
                json.dumps({"merges": merges}, indent=2) + "\n", encoding="utf-8"
            )
        except OSError as exc:
            print(
                f"digest: {args.report}: could not write the report: {exc.strerror}"
                " (the site was built)",
                file=sys.stderr,
            )
            code = EXIT_PROBLEMS
    if args.verbose:
        for m in report.merges:
            print(
                f"folded: {m.a} + {m.b} ({max(m.containment_ab, m.containment_ba):.0%} contained)"
            )
    if not args.quiet:
        print(_summary_line(report, time.perf_counter() - started))
    return code


def _inspect(args: argparse.Namespace) -> int:
    from digest.load import LoadSettings, load_bytes
    from digest.summarize import lead_summary, with_sentences

    config = _config(args)
    settings = LoadSettings(timezone=ZoneInfo(config.timezone))
    status = EXIT_OK
    for name in args.files:
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            print(f"digest: {name}: could not read the file: {exc.strerror}", file=sys.stderr)
            status = EXIT_PROBLEMS
            continue
        loaded = load_bytes(data, Path(name).name, settings)
        if loaded.problems:
            for problem in loaded.problems:
                print(f"digest: {name}: {problem.message}", file=sys.stderr)
            status = EXIT_PROBLEMS
        for article in loaded.articles:
            article = with_sentences(article)
            record = {
                "path": name,
                "outlet": article.outlet,
                "title": article.title,
                "dek": article.dek,
                "published": article.published.isoformat() if article.published else None,
                "url": article.url,
                "tags": list(article.tags),
                "body": list(article.paragraphs),
                "summary": list(
                    lead_summary(article, config.summary_sentences, config.summary_max_words)
                ),
            }
            if args.json:
                print(json.dumps(record, ensure_ascii=False))
            else:
                print(
                    f"{name}\n  outlet:    {record['outlet'] or '(unknown)'}\n  title:     {record['title']}"
                )
                print(
                    f"  published: {record['published'] or '(no date)'}\n  paragraphs: {len(record['body'])}"
                )
                for sentence in record["summary"]:
                    print(f"  summary:   {sentence}")
    return status


def _fetch(args: argparse.Namespace) -> int:
    from digest.fetch import FeedSource, FetchResult, FetchSettings, fetch_all, summary_line

    config = _config(args)
    if not config.feeds:
        print(
            "digest: no feeds to fetch: add [[feeds]] tables with a url to digest.toml",
            file=sys.stderr,
        )
        return EXIT_USAGE
    settings = FetchSettings(
        timeout=config.fetch_timeout,
        max_bytes=config.fetch_max_bytes,
        max_redirects=config.fetch_max_redirects,
        retries=config.fetch_retries,
        per_host=config.fetch_per_host,
        fetch_pages=config.fetch_pages or args.pages,
    )
    sources = [FeedSource(feed.url, feed.outlet) for feed in config.feeds]
    progress: Callable[[FetchResult], None] | None = None
    bar = None
    if sys.stderr.isatty() and not os.environ.get("NO_COLOR"):
        from rich.progress import Progress

        bar = Progress(transient=True)
        task = bar.add_task("fetching feeds", total=len(sources))
        bar.start()

        def progress(result: FetchResult) -> None:
            bar.advance(task)

    try:
        results = fetch_all(sources, config.content_dir, settings, datetime.now(UTC), progress)
    finally:
        if bar is not None:
            bar.stop()
    for result in results:
        if result.reason:
            print(f"{result.source.url}: {result.status}: {result.reason}", file=sys.stderr)
    print(summary_line(results))
    return EXIT_PROBLEMS if any(r.status == "failed" for r in results) else EXIT_OK


def serve_event(line: str) -> None:
    """Print one line of what ``digest serve`` saw: problems and errors on standard error,
    as ``digest build`` prints them, the rest (builds, requests) on standard output.

    >>> serve_event("built: 9 articles → 7 stories, 0 problems, 40 files in 0.4 s")
    built: 9 articles → 7 stories, 0 problems, 40 files in 0.4 s
    """
    failing = line.startswith(("problem: ", "error: ", "error while "))
    print(line, file=sys.stderr if failing else sys.stdout, flush=True)


def _serve(args: argparse.Namespace) -> int:
    from digest.serve import serve

    path, overrides = _config_source(args)
    return serve(
        load_config(path, overrides),
        args.host,
        args.port,
        now=build_time,
        on_event=serve_event,
        config_path=path,
        overrides=overrides,
    )


def _new(args: argparse.Namespace) -> int:
    from digest.scaffold import new_site, next_steps

    for written in new_site(Path(args.path), args.title, today=build_time().date()):
        print(f"wrote {written}")
    print("next:\n" + textwrap.indent(next_steps(Path(args.path)), "  "))
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from digest.check import check

    problems = check(_config(args), now=build_time())
    _print_problems(problems, sys.stderr)
    print(f"{len(problems)} problem(s)" if problems else "no problems")
    return EXIT_PROBLEMS if problems else EXIT_OK


def _load_one(name: str, settings: LoadSettings) -> Article:
    from digest.load import load_bytes

    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        raise DigestError(f"{name}: could not read the file: {exc.strerror}") from None
    loaded = load_bytes(data, Path(name).name, settings)
    if loaded.problems:
        raise DigestError(f"{name}: {loaded.problems[0].message}")
    return loaded.articles[0]


def _explain(args: argparse.Namespace) -> int:
    from digest.dedup import explain
    from digest.load import LoadSettings

    config = _config(args)
    settings = LoadSettings(timezone=ZoneInfo(config.timezone))
    a, b = (_load_one(name, settings) for name in args.files)
    result = explain(a, b, config.fold_threshold)
    if args.json:
        print(json.dumps({"files": args.files, **asdict(result)}, ensure_ascii=False))
        return EXIT_OK
    first, second = args.files
    print(f"{'one story' if result.same_story else 'two stories'}: {result.reason}")
    print(f"  {first} ({result.words_a:,} words) inside {second}: {result.containment_ab:.1%}")
    print(f"  {second} ({result.words_b:,} words) inside {first}: {result.containment_ba:.1%}")
    print(f"  threshold: {result.threshold:.0%}; MinHash buckets shared: {result.shared_buckets}")
    for passage in result.passages:
        words = passage.split()
        shown = " ".join(words[:30]) + (" …" if len(words) > 30 else "")
        print(f"  shared ({len(words)} words): {shown}")
    return EXIT_OK


_LEFT: list[object] | None = None
"""What a build made, never freed: set by ``run``, which leaves without the interpreter's
teardown (see ``digest.build.build``'s ``kept``). Not when ``main`` is called otherwise
(tests, a program of its own), which goes on running."""


def run() -> NoReturn:
    """The ``digest`` command: ``main``, then leave at once, without the interpreter's
    teardown.

    A build leaves the memos of slugs and paths and every module it imported, which the
    interpreter would free one by one and collect once more on its way out: 0.16 s of a
    3.3 s rebuild at 10,000 articles, measured. When ``main`` returns, every file it
    wrote is closed and every worker process joined; the output streams are flushed
    here. Under a tracer or profiler (coverage, cProfile), whose results are written as
    the interpreter ends, it ends as usual. A reader that closed the pipe early
    (``digest build | head -0``) is not an error worth a traceback: the exit code is
    141, as a shell gives a command stopped by SIGPIPE.
    """
    global _LEFT
    _LEFT = []
    _children_end_with_this_process()
    try:
        code = main()
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: the descriptor was closed before start
                stream.flush()
    except BrokenPipeError:
        code = 141
    if sys.gettrace() is not None or sys.getprofile() is not None:
        raise SystemExit(code)
    os._exit(code)


def _children_end_with_this_process() -> None:
    """Have every process this one forks from its main thread (build workers, helpers) be
    killed when this process dies, however it dies: stopped by SIGTERM (``timeout``,
    systemd, a CI runner) or killed, the command left its workers writing to a pipe no
    one reads, and holding its output open. The previous site stays whole either way
    (see ``digest.publish``). Linux only (``prctl(PR_SET_PDEATHSIG)``), where the signal
    comes when the forking thread ends: forks from other threads are left as they were.

    (Turning SIGTERM into KeyboardInterrupt was tried: raised inside the process pool's
    start or an at-fork handler, it became a traceback, or was ignored and the build
    went on.)"""
    import ctypes
    import signal
    import threading

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError):
        return
    parent = os.getpid()
    main_thread = threading.main_thread()
    forking: list[bool] = [False]

    def before() -> None:
        forking[0] = threading.current_thread() is main_thread and os.getpid() == parent

    def in_child() -> None:
        if forking[0]:
            prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
            if os.getppid() != parent:  # it died before the signal was asked for
                os._exit(1)

    os.register_at_fork(before=before, after_in_child=in_child)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    # numpy's OpenBLAS starts a thread a core as numpy is imported, and they spin a while
    # (0.1 s of CPU an import, measured here on 2 cores, taken from the build's other
    # process; see digest.build._Folding.help). digest does no linear algebra: one thread
    # is enough. A value the user set is kept. (Read as numpy is imported: here, first.)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    parser = _parser()
    args = parser.parse_args(argv)
    if args.quiet and args.verbose:  # one before the command, one after it
        parser.error("argument -v/--verbose: not allowed with argument -q/--quiet")
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "explain":
            return _explain(args)
        if args.command == "fetch":
            return _fetch(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "new":
            return _new(args)
        if args.command == "check":
            return _check(args)
        return _inspect(args)
    except ConfigError as exc:
        for line in str(exc).splitlines():
            print(f"digest: configuration: {line}", file=sys.stderr)
        return EXIT_USAGE
    except DigestError as exc:
        print(f"digest: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("digest: interrupted", file=sys.stderr)
        return 130
