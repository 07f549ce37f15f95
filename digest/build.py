"""``build(config, now)``: the whole job, top to bottom, as the design picture draws it.

content/ → load → clean → sentences → group_stories → summarize → render + feeds → publish

Stories are grouped, placed and summarized by ``digest.shells.place_stories``: what
``group_stories``, ``keep_identities`` and ``summarize`` make, keeping the last build's
stories whose copies did not change.

Heavy modules (numpy, Jinja, feedgen, trafilatura, the Markdown renderer) are imported
only when there is work for them, so that a rebuild where nothing changed stays fast.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import itertools
import marshal
import operator
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from stat import S_ISREG
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from digest.cache import CACHE_FOLDER, Cache, dumps, key, program_version
from digest.config import Config
from digest.errors import DigestError
from digest.identity import IDENTITY_FILE, Identities
from digest.model import (
    Article,
    BuildReport,
    Merge,
    Problem,
    Story,
    astuple_shallow,
    make_article,
    slot_maker,
)

if TYPE_CHECKING:
    from digest.dedup import Fingerprint, Vocabulary
    from digest.halves import Half, Helper
    from digest.load import Loaded
    from digest.publish import Files, Placer
    from digest.render import PageMemo, Renderer
    from digest.sections import Sections
    from digest.shells import Shells

Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) as a build goes: "loading" files, "writing" the site."""

PARALLEL_MIN = 500
"""New files below this count are parsed in this process; above it, on every core."""


class NothingToBuild(DigestError):
    """The content folder holds no article that could be built."""


class StrictFailure(DigestError):
    """``--strict`` and there were problems: the previous site is left as it was."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) under --strict; the site was not written")


@dataclass(frozen=True, slots=True)
class Site:
    """What a build made, before it is written: stories, files, problems, merges.

    ``make_files`` makes the files as they are iterated (once), given the ``Placer`` of
    the site being published, if any (see ``publish``); ``files`` is that without one.
    ``carried`` (the previous site's pages kept as they are), ``page_keys`` and
    ``story_lines`` (stories.json's and the sitemap's lines by story key, for the next
    build) are complete once they have been iterated. ``shells`` gives the stories for
    the next build to reuse (see ``digest.shells``), when the build knows its files'
    keys, once the files have been iterated (they hold the stories' page keys).
    """

    articles: tuple[Article, ...]
    stories: tuple[Story, ...]
    make_files: Callable[[Placer | None], Files]
    problems: tuple[Problem, ...]
    merges: tuple[Merge, ...]
    carried: set[str]
    page_keys: Mapping[str, str]
    story_lines: Mapping[str, bytes]
    shells: Callable[[], Shells] | None = None

    @property
    def files(self) -> Iterator[tuple[PurePosixPath, bytes]]:
        """Every file of the site with its bytes (none is ``Placed`` without a placer)."""
        for path, data in self.make_files(None):
            assert isinstance(data, bytes)
            yield path, data


@dataclass(frozen=True, slots=True)
class Prepared:
    """A content file after loading: its articles (summarized) and their fingerprints."""

    loaded: Loaded
    fingerprints: Mapping[str, tuple[bytes, int]]


Stamp = tuple[int, int, int, int, str]
"""A content file as last seen: size, mtime and ctime in ns, inode, and its content key."""

SCAN_KEEP = 64 * 1024 * 1024
"""Bytes of content a scan keeps for loading; files past it are read again when loaded
(from the system's cache), so that a first build of a big archive does not hold it all."""

RACY_NS = 2_000_000_000
"""A file changed this close to a scan is read again by the next one, whatever its stamp
says: a write in the same clock tick as the scan leaves size and times as they were (git
calls these entries "racily clean")."""


@dataclass(frozen=True, slots=True)
class Source:
    """A content file as a build found it: its content key, and the reason it could not
    be read (``error``), if any."""

    rel: str
    name: str
    """The file's path, as a string: a rebuild scans every file, and made a Path of each."""
    key: str
    error: str = ""

    @property
    def path(self) -> Path:
        return Path(self.name)


_name = operator.attrgetter("name")
_source = slot_maker(Source)  # every file of every rebuild: see ``slot_maker``


def _walk(content: Path, exclude: Path | None = None) -> Iterator[tuple[str, str, bool]]:
    """Every content file under ``content`` as (path, path relative to it, whether it is a
    link), sorted, as plain strings: a rebuild walks every file, and pathlib objects cost
    more than the walk. Hidden and ``_`` folders are skipped, and linked folders not
    entered (as os.walk)."""
    from digest.load import SUFFIXES

    if not content.is_dir():
        found = "a file" if content.exists() else "nothing"
        raise DigestError(f"{content}: expected a folder of articles, found {found}")
    skip = exclude.resolve() if exclude is not None else None
    hidden = (".", "_")

    def walk(folder: str, prefix: str) -> Iterator[tuple[str, str, bool]]:
        try:
            entries = sorted(os.scandir(folder), key=_name)
        except OSError:
            return
        folders = []
        for entry in entries:
            name = entry.name
            if name.startswith(hidden):
                continue
            if entry.is_dir():
                if not entry.is_symlink():  # as os.walk: linked folders are not entered
                    folders.append(entry)
                continue
            # The suffix as os.path.splitext gives it (a name starting with "." is hidden).
            dot = name.rfind(".")
            if dot > 0 and name[dot:].lower() in SUFFIXES:
                yield entry.path, prefix + name, entry.is_symlink()
        for entry in folders:
            if skip is None or Path(entry.path).resolve() != skip:
                yield from walk(entry.path, f"{prefix}{entry.name}/")

    yield from walk(str(content), "")


_UNPRINTABLE = (
    "expected a file name of printable UTF-8 text, found bytes that are not UTF-8 or a "
    "control character: rename the file"
)


def _escaped_in_names(c: str) -> bool:
    """A character a printed file name shows as an escape (see ``printable_name``)."""
    import unicodedata

    return unicodedata.category(c) in ("Cc", "Cs") or c in "\u2028\u2029\x85"


def printable_name(name: str) -> str:
    r"""``name`` as it can be printed and stored: bytes that are not UTF-8 (which Python
    reads as surrogates), control characters and line breaks written as escapes.

    >>> printable_name("caf\udce9.txt"), printable_name("a\nb.txt"), printable_name("café.md")
    ('caf\\xe9.txt', 'a\\nb.txt', 'café.md')
    >>> printable_name("a\u00a0b\u200c.md") == "a\u00a0b\u200c.md"  # no-break space, ZWNJ
    True
    """
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return "".join(c.encode("unicode_escape").decode() if _escaped_in_names(c) else c for c in text)


_OUTSIDE = (
    "expected a file inside the content folder, found a link to a file outside it; not"
    " read (copy the file in to build it)"
)


def _read_at_most(name: str | Path, size: int | None, limit: int) -> bytes:
    """The file's bytes, ``size`` as measured (measured here if None), more if it grew
    since, but never more than one byte past ``limit`` (so that a file grown too large is
    seen to be, and not read whole). A read is sized by the measure: ``read(limit + 1)``
    would reserve the limit (10 MB) for every file.

    >>> import tempfile
    >>> with tempfile.NamedTemporaryFile() as f:
    ...     _ = f.write(b"0123456789"); f.flush()
    ...     _read_at_most(f.name, 4, 100), _read_at_most(f.name, 10, 5)
    (b'0123456789', b'012345')
    """
    with open(name, "rb") as file:
        if size is None:
            size = os.fstat(file.fileno()).st_size
        blob = file.read(min(size, limit) + 1)
        if len(blob) > size and len(blob) <= limit:  # grown since it was measured
            blob += file.read(limit + 1 - len(blob))
    return blob


def _too_large(config: Config, size: int | None) -> str:
    """The problem with a content file larger than ``max_file_bytes`` (``size`` if known)."""
    found = f"{size:,} bytes" if size is not None else "more"
    return (
        f"expected a file of at most {config.max_file_bytes:,} bytes, found {found}; not read"
        " (raise max_file_bytes in digest.toml to read it)"
    )


def scan(
    config: Config, index: Mapping[str, Stamp] | None = None
) -> tuple[list[Source], dict[str, bytes], dict[str, Stamp]]:
    """Every content file with its content key (its path and bytes, hashed), the bytes of
    the files that had to be read, and the stamps to remember for the next scan.

    A file whose size, times and inode are those ``index`` remembers is not read again:
    its remembered key is used (files changed within RACY_NS of a scan are never
    remembered). The second dict holds the bytes of every file that was read.
    """
    index = index or {}
    started = time.time_ns()
    sources: list[Source] = []
    data: dict[str, bytes] = {}
    kept = 0
    stamps: dict[str, Stamp] = {}
    inside: str | None = None  # the content folder's real path, once a link is met
    for name, rel, linked in _walk(config.content_dir, exclude=config.output_dir):
        # Most names are printable (one C call); of the rest, a no-break space or a
        # zero-width joiner is a name's own, which printable_name leaves as it is.
        if not rel.isprintable() and (shown := printable_name(rel)) != rel:
            sources.append(Source(shown, name, key(shown, _UNPRINTABLE), _UNPRINTABLE))
            continue
        if linked:
            # A folder of articles unpacked from elsewhere may link a file outside it
            # (a key, a password file), which a build would publish as an article.
            inside = inside or os.path.join(os.path.realpath(config.content_dir), "")
            if not os.path.realpath(name).startswith(inside):
                sources.append(Source(rel, name, key(rel, _OUTSIDE), _OUTSIDE))
                continue
        try:
            st = os.stat(name)
            stamp = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            # Before the index: a file remembered from a build with a larger limit is
            # not built from the cache when a first build would not read it.
            if st.st_size > config.max_file_bytes:
                reason = _too_large(config, st.st_size)
                sources.append(Source(rel, name, key(rel, reason), reason))
                continue
            known = index.get(rel)
            if known is not None and known[:4] == stamp:
                sources.append(_source(rel, name, known[4], ""))
                stamps[rel] = known
                continue
            if not S_ISREG(st.st_mode):  # reading a pipe would wait for a writer
                raise OSError(0, "expected a plain file, found a pipe, socket or device")
            blob = _read_at_most(name, st.st_size, config.max_file_bytes)
            if len(blob) > config.max_file_bytes:
                reason = _too_large(config, None)
                sources.append(Source(rel, name, key(rel, reason), reason))
                continue
        except OSError as exc:
            reason = f"could not read the file: {exc.strerror}"
            sources.append(Source(rel, name, key(rel, reason), reason))
            continue
        sources.append(Source(rel, name, key(rel, blob)))
        if kept + len(blob) <= SCAN_KEEP:
            data[rel] = blob
            kept += len(blob)
        if max(stamp[1], stamp[2]) < started - RACY_NS:
            stamps[rel] = (*stamp, sources[-1].key)
    return sources, data, stamps


def prepare(
    rel: str,
    data: bytes,
    timezone: str,
    sentences: int,
    max_words: int,
    vocabulary: Vocabulary | None = None,
) -> Prepared:
    """Load one file, summarize its articles from their sentences and fingerprint them (pure;
    a ``vocabulary`` shared between calls only saves work)."""
    return prepare_files([(rel, data)], timezone, sentences, max_words, vocabulary)[0]


def prepare_files(
    files: Sequence[tuple[str, bytes]],
    timezone: str,
    sentences: int,
    max_words: int,
    vocabulary: Vocabulary | None = None,
) -> list[Prepared]:
    """``prepare`` of each (path, bytes), the articles of all fingerprinted at once
    (see ``digest.dedup.fingerprints``)."""
    from dataclasses import replace

    from digest.dedup import fingerprints
    from digest.load import Loaded, LoadSettings, load_bytes
    from digest.stories import slugify
    from digest.summarize import lead_summary

    settings = LoadSettings(timezone=ZoneInfo(timezone))
    loaded = []
    for rel, data in files:
        whole = load_bytes(data, rel, settings)
        # Articles keep their summary, not the sentences it was chosen from: nothing else
        # reads those, and they were a third of what the cache stored of a body. Their
        # headline's slug is worked out here, on every core, once a file.
        articles = tuple(
            replace(
                a,
                summary=lead_summary(a, sentences, max_words),
                title_slug=slugify(a.slug or a.title),
            )
            for a in whole.articles
        )
        loaded.append(Loaded(whole.path, articles, whole.problems, whole.updated))
    prints = iter(
        fingerprints([a.paragraphs for item in loaded for a in item.articles], vocabulary)
    )
    out = []
    for item in loaded:
        made = {a.id: next(prints) for a in item.articles}
        out.append(Prepared(item, {i: (f.shingles.tobytes(), f.words) for i, f in made.items()}))
    return out


Job = tuple[str, str, bytes]
"""(cache key, path, bytes): one file to load."""
Shape = tuple[str, int, int]
"""(time zone, summary sentences, summary words): the settings that shape what loading
makes of a file."""


def _shape_of(config: Config) -> Shape:
    """The settings of ``config`` that shape what loading makes of a file."""
    return (config.timezone, config.summary_sentences, config.summary_max_words)


Row = tuple[str, bytes, bytes, bytes]
"""(cache key, head, body, fingerprints), each as bytes (the head by ``digest.heads``, the
others pickled): one loaded file as the cache keeps it."""


_vocabulary: Vocabulary | None = None
"""The vocabulary of a worker process that loads files (a worker lives for one build)."""


def _start_worker() -> None:
    """Give a worker its vocabulary: one a worker rather than one a chunk of files, since a
    fresh vocabulary hashes every word again (measured over 2,000 articles: 1.10 ms an
    article with one vocabulary, 1.96 ms with a new one every 32 files).

    A worker collects garbage, which the build that forked it does not (see ``build``):
    it parses files of every kind, whose libraries may leave cycles."""
    global _vocabulary
    from digest.dedup import Vocabulary

    gc.enable()
    _vocabulary = Vocabulary()


def _prepare_rows(jobs: list[Job], shape: Shape, vocabulary: Vocabulary | None = None) -> list[Row]:
    """Load files into cache rows (run in worker processes; the rows are already bytes,
    so that they cross back to the build and into the cache without more work)."""
    from digest.dedup import Vocabulary
    from digest.heads import dump_head
    from digest.load import Loaded

    if not jobs:
        return []
    vocabulary = vocabulary or _vocabulary or Vocabulary()
    rows = []
    prepared = prepare_files([(rel, data) for _, rel, data in jobs], *shape, vocabulary)
    for (k, _, _), p in zip(jobs, prepared, strict=True):
        whole = p.loaded
        head = Loaded(
            whole.path, tuple(a.stub() for a in whole.articles), whole.problems, whole.updated
        )
        rows.append((k, dump_head(head), dumps(whole), dumps(dict(p.fingerprints))))
    return rows


CHUNK = 32
"""Files a worker loads per task: enough to hide the cost of a task, small enough that
the results of a few tasks in flight stay small."""


def _load_rows(
    jobs: Iterator[Job], count: int, shape: Shape, progress: Progress | None
) -> Iterator[Row]:
    """Rows for every job, in order: in this process when few, else on every core."""
    from digest.halves import cores

    workers = min(cores(), 8)
    done = 0

    def chunks() -> Iterator[list[Job]]:
        chunk: list[Job] = []
        for job in jobs:
            chunk.append(job)
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    if count < PARALLEL_MIN or workers < 2:
        from digest.dedup import Vocabulary

        vocabulary = Vocabulary()  # for this build only
        for chunk in chunks():
            yield from _prepare_rows(chunk, shape, vocabulary)
            done += len(chunk)
            if progress is not None:
                progress("loading", done, count)
        return
    import multiprocessing
    from collections import deque
    from concurrent.futures import Future, ProcessPoolExecutor

    # Forked, as page workers are, wherever the system can: not the "forkserver" that
    # newer Pythons start by default, whose server and folder outlive a command that
    # leaves without the interpreter's teardown (cli.run).
    forking = "fork" in multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if forking else None)
    with ProcessPoolExecutor(workers, context, initializer=_start_worker) as pool:
        window: deque[tuple[int, Future[list[Row]]]] = deque()
        for chunk in chunks():
            window.append((len(chunk), pool.submit(_prepare_rows, chunk, shape)))
            if len(window) >= 4 * workers:
                size, future = window.popleft()
                yield from future.result()
                done += size
                if progress is not None:
                    progress("loading", done, count)
        while window:
            size, future = window.popleft()
            yield from future.result()
            done += size
            if progress is not None:
                progress("loading", done, count)


KEEP_WHOLE = 20_000
"""Up to this many files parsed in one build keep their whole articles (pickled) in
memory for rendering; above it, bodies are read back from the cache one by one."""
HEADS = "heads"
"""The name the snapshot of every source's head is kept under (see ``Library.keep_heads``)."""
HEADS_KEPT_MAX = 30_000
"""Past this many sources, no snapshot of their heads is kept: the helper that writes it
holds them all (at 10,000 heads, an 11 MB snapshot)."""


class Library:
    """Every content file loaded: articles as stubs (whole where there is no cache), and
    where their bodies and fingerprints are: in memory for files loaded in this build, in
    the cache for the rest.

    The build keeps stubs so that an archive of any size costs little memory and a
    rebuild need not unpickle every article's body; ``body`` fetches one when a page is
    rendered, ``fingerprints`` those that folding asks for.
    """

    def __init__(self, config: Config, cache: Cache) -> None:
        self.config = config
        self._cache = cache
        self._pid = os.getpid()
        self.loaded: list[Loaded] = []
        self.keys: dict[str, str] = {}
        self._bodies: dict[str, bytes] = {}
        self._prints: dict[str, bytes] = {}
        self._last: tuple[str, tuple[Loaded, bool]] | None = None
        self._gone: dict[str, str] = {}  # files that could not be read again to load
        self._sources: list[Source] = []
        self._storing: threading.Thread | None = None  # see ``load``
        self._store_failure: BaseException | None = None

    @property
    def cache(self) -> Cache:
        """The build's cache; in a process forked to render pages, a connection of its own
        (SQLite connections must not cross a fork)."""
        if os.getpid() != self._pid:
            self._cache = Cache(self._cache.path.parent, repair=False)
            self._pid = os.getpid()
        return self._cache

    @property
    def settings(self) -> str:
        """What changes what loading makes of a file, besides its bytes and path."""
        return key(program_version(), repr(_shape_of(self.config)))

    def load(
        self,
        sources: list[Source],
        data: dict[str, bytes],
        progress: Progress | None = None,
        folding: _Folding | None = None,
    ) -> list[Loaded]:
        """Load every source: cached heads where the cache has them, else parse the file
        (read again if the scan did not keep its bytes). Unreadable files become problems.

        Given ``folding``, when it starts a helper (see ``_Folding.help``), the helper
        parses the files the cache lacks while this process reads the heads.
        """
        from digest.heads import load_head

        settings = self.settings
        # Both are keys already: joined, not hashed again (10,000 hashes a rebuild).
        self.keys = {s.rel: f"{settings}{s.key}" for s in sources if not s.error}
        self._sources = sources
        helped = folding is not None and folding.help(self, data)
        heads = self._heads()
        missing = self._missing(heads)
        count = len(missing)
        keep = count <= KEEP_WHOLE or not self.cache.usable
        parsed: list[Row] = []
        if folding is not None and helped:
            if count < PARALLEL_MIN:
                parsed, gone = folding.parsed()
                self._gone.update(gone)
            else:  # too many for one core: parsed on every core instead
                folding.stop()
        # What the helper did not parse (all of it, when there was none).
        taken = {row[0] for row in parsed}
        rest = [s for s in missing if self.keys[s.rel] not in taken and s.rel not in self._gone]
        rows: Iterable[Row] = parsed
        if rest:  # (not otherwise: loading here imports numpy, which the helper spares)
            jobs = self._jobs_of(rest, data)
            rows = itertools.chain(
                parsed, _load_rows(jobs, len(rest), _shape_of(self.config), progress)
            )
        if progress is not None and parsed and not rest:
            progress("loading", len(parsed), count)
        # Many files parsed whose bodies this process keeps anyway: they are stored by a
        # thread while the build folds, rather than here while the workers parse. The
        # workers had every core then, and folding leaves one idle (SQLite lets go of the
        # interpreter as it writes): at 10,000 articles, 0.8 s of this process's time.
        aside = keep and count >= PARALLEL_MIN and self.cache.usable
        batch: list[Row] = []
        for row in rows:
            heads[row[0]] = load_head(row[1])
            if keep:
                self._bodies[row[0]], self._prints[row[0]] = row[2], row[3]
            batch.append(row)
            if len(batch) >= 512 and not aside:
                self.cache.store_loaded(batch)
                batch = []
        if aside:
            storing = threading.Thread(target=self._store_aside, args=(batch,), name="digest-store")
            try:
                storing.start()
                self._storing = storing
            except RuntimeError:  # no thread to be had (a limit on them): stored here
                aside = False
        if not aside:
            self._store(self.cache, batch)
        self.loaded = self._assemble(heads)
        return self.loaded

    def _store(self, cache: Cache, rows: list[Row]) -> None:
        """Store ``rows`` in ``cache``, then forget the rows no source needs now."""
        for start in range(0, len(rows), 512):
            cache.store_loaded(rows[start : start + 512])
        # The heads' snapshot goes first: a head it still held would be taken for cached
        # if its file came back, though the database no longer had its body.
        cache.forget_loaded_except(self.keys.values(), functools.partial(cache.forget_kept, HEADS))

    def _store_aside(self, rows: list[Row]) -> None:
        """``_store`` in a thread, through a connection of its own (SQLite's may not cross
        threads); what fails is raised by ``stored``."""
        try:
            cache = Cache(self.cache.path.parent, repair=False)
            try:
                self._store(cache, rows)
            finally:
                cache.close()
        except BaseException as exc:
            self._store_failure = exc

    def stored(self, *, quiet: bool = False) -> None:
        """Return once what ``load`` parsed is stored; a failure to store it (other than
        the cache's own, which ``Cache`` ignores) is raised here, unless ``quiet``.

        Called before the build writes to the database itself, and before the page
        workers are forked: they may open the cache, and a fork while this thread holds
        SQLite's locks would leave them held in the child. Meanwhile the build writes
        only files beside the database (the file index, the fold index, the compiled
        templates): a build killed then leaves an index that names files whose rows are
        not stored, and the next build parses them again. The processes folding forks
        meanwhile (see ``digest.halves.in_halves``) compute with numpy and never open
        the cache."""
        if self._storing is not None:
            self._storing.join()
            self._storing = None
        failure, self._store_failure = self._store_failure, None
        if failure is not None and not quiet:
            raise failure

    def _heads(self) -> dict[str, Loaded]:
        """The cached heads of the sources: from the snapshot of them the last rebuild's
        helper kept (see ``keep_heads``), where it has them, else from the database."""
        from digest.heads import load_head, load_snapshot, snapshot_head

        wanted = self.keys.values()
        heads: dict[str, Loaded] = {}
        kept = self.cache.read_kept(HEADS)
        if kept is not None:
            try:
                stored = load_snapshot(kept)
            except ValueError:  # not a snapshot: read as if none
                stored = {}
            for k in wanted:
                value = stored.get(k)
                if value is not None:
                    # Whatever a head of the snapshot fails with (a class pickled that
                    # is gone, a zone unknown), the database is asked, as for a head it
                    # lacks, and skips what it cannot read either.
                    with contextlib.suppress(Exception):
                        heads[k] = snapshot_head(value)
            del kept, stored
        rest = [k for k in wanted if k not in heads] if heads else wanted
        heads.update(self.cache.heads(rest, load_head))
        return heads

    def keep_heads(self, _: object = None) -> None:
        """In a helper, once the build has stored every head it loaded: keep the heads of
        all the sources as one snapshot (``digest.heads.dump_snapshot``), for the next
        build to read at once. Not past HEADS_KEPT_MAX: the helper holds them meanwhile."""
        from digest.heads import dump_snapshot

        if len(self.keys) > HEADS_KEPT_MAX:
            return
        rows = self.cache.heads(self.keys.values(), bytes)
        self.cache.keep(HEADS, dump_snapshot(rows.items()))

    def parse_missing(
        self, data: dict[str, bytes], _: object = None
    ) -> tuple[list[Row], dict[str, str]]:
        """In a helper (forked before the heads were read): parse the files whose keys the
        cache lacks (``data`` holds the bytes the scan kept). The rows, and the files
        found unreadable (path: reason); nothing when there are too many for one core."""
        cached = self.cache.loaded_keys()
        missing = [s for s in self._sources if not s.error and self.keys[s.rel] not in cached]
        if not missing or len(missing) >= PARALLEL_MIN:  # (nothing imported for none)
            return [], {}
        rows = _prepare_rows(list(self._jobs_of(missing, data)), _shape_of(self.config))
        for row in rows:  # for the folding, in this helper
            self._bodies[row[0]], self._prints[row[0]] = row[2], row[3]
        return rows, self._gone

    def _missing(self, heads: Mapping[str, Loaded]) -> list[Source]:
        """The sources to parse: readable, and without a head in ``heads``, nor found
        unreadable since."""
        return [
            s
            for s in self._sources
            if not s.error and self.keys[s.rel] not in heads and s.rel not in self._gone
        ]

    def _jobs_of(self, missing: list[Source], data: dict[str, bytes]) -> Iterator[Job]:
        """The files to parse, their bytes read as they are asked for (not held at once)."""
        for s in missing:
            blob = data.pop(s.rel, None)
            if blob is None:
                try:
                    blob = _read_at_most(s.path, None, self.config.max_file_bytes)
                except OSError as exc:  # gone since the scan
                    self._gone[s.rel] = f"could not read the file: {exc.strerror}"
                    continue
                if key(s.rel, blob) != s.key:  # what is cached must be what was keyed
                    self._gone[s.rel] = "the file changed while it was read; build again"
                    continue
            yield (self.keys[s.rel], s.rel, blob)

    def _assemble(self, heads: Mapping[str, Loaded]) -> list[Loaded]:
        """Every source's loaded form, in order: its head, or the problem that it could not
        be read."""
        from digest.load import Loaded

        loaded = []
        for s in self._sources:
            reason = s.error or self._gone.get(s.rel, "")
            if reason:
                loaded.append(Loaded(s.rel, problems=(Problem(s.rel, "read", reason),)))
            else:
                loaded.append(heads[self.keys[s.rel]])
        return loaded

    def _whole(self, rel: str) -> tuple[Loaded, bool]:
        """The whole loaded form of one file: from memory or the cache (True: the body
        stored with the head the build holds), else parsed again (False)."""
        k = self.keys[rel]
        if self._last is not None and self._last[0] == k:
            return self._last[1]
        blob = self._bodies.get(k)
        whole: Loaded | None = pickle.loads(blob) if blob is not None else self.cache.body(k)
        stored = whole is not None
        if whole is None:  # the cache lost it: load the file again
            path = self.config.content_dir / rel
            whole = prepare(rel, path.read_bytes(), *_shape_of(self.config)).loaded
        self._last = (k, (whole, stored))
        return whole, stored

    def body(self, article: Article) -> Article:
        """The whole article (with its blocks) for a stub."""
        if not article.is_stub:
            return article
        whole, stored = self._whole(article.path)
        for candidate in whole.articles:
            # A body stored with the head it was loaded with is that article's; one parsed
            # again from the file must still make the same stub (the file may have changed
            # since the scan). The check splits every paragraph to count words, a tenth of
            # a story page's time, so it is made only where it can fail.
            if candidate.id == article.id and (stored or candidate.stub() == article):
                return candidate
        raise DigestError(f"{article.path}: the article {article.id} changed during the build")

    def tokens(self, articles: Sequence[Article]) -> dict[str, str]:
        """What each article's fingerprint is made from: its file's cache key and its id."""
        return {a.id: f"{self.keys[a.path]}#{a.id}" for a in articles}

    def fingerprints(self, articles: Sequence[Article]) -> dict[str, Fingerprint]:
        """Fingerprints of the given articles, by id, from memory or the cache.

        They are read a few hundred files at a time and each batch packed into one
        array that the fingerprints are views of: 100,000 small arrays would stay in the
        process's heap after folding, one large block a batch goes back to the system.
        """
        import numpy as np

        from digest.dedup import Fingerprint, fingerprint

        by_file: dict[str, list[Article]] = {}
        for a in articles:
            by_file.setdefault(a.path, []).append(a)
        files = list(by_file)
        out: dict[str, Fingerprint] = {}
        for start in range(0, len(files), 512):
            batch = files[start : start + 512]
            cached = self.cache.prints(
                self.keys[rel] for rel in batch if self.keys[rel] not in self._prints
            )
            pending: list[tuple[str, bytes, int]] = []
            for rel in batch:
                k = self.keys[rel]
                blob = self._prints.pop(k, None)  # each is asked for once a folding
                prints = pickle.loads(blob) if blob is not None else cached.get(k)
                for a in by_file[rel]:
                    if prints is not None and a.id in prints:
                        pending.append((a.id, *prints[a.id]))
                    else:  # not cached: fingerprint the whole article again
                        fp = fingerprint(self.body(a).paragraphs)
                        pending.append((a.id, fp.shingles.tobytes(), fp.words))
            packed = np.frombuffer(b"".join(p[1] for p in pending), dtype=np.uint64)
            at = 0
            for article_id, shingles, words in pending:
                size = len(shingles) // 8
                out[article_id] = Fingerprint(packed[at : at + size], words)
                at += size
        return out


def read_all(config: Config) -> list[Loaded]:
    """Load every content file without a cache; an unreadable file becomes a problem."""
    from digest.load import Loaded, LoadSettings, load_bytes

    settings = LoadSettings(timezone=ZoneInfo(config.timezone))
    sources, data, _ = scan(config)
    loaded = []
    for s in sources:
        try:
            blob = data.pop(s.rel) if s.rel in data else b"" if s.error else s.path.read_bytes()
        except OSError as exc:
            blob, s = b"", Source(s.rel, s.name, s.key, f"could not read the file: {exc.strerror}")
        if s.error:
            loaded.append(Loaded(s.rel, problems=(Problem(s.rel, "read", s.error),)))
        else:
            loaded.append(load_bytes(blob, s.rel, settings))
    return loaded


def previous_identities(config: Config) -> Identities:
    """The ids and folders the published site gave its stories (none before a first build)."""
    return identity_record(config)[0]


def identity_record(config: Config) -> tuple[Identities, bytes]:
    """``previous_identities``, and the record's bytes as published (none before a first
    build): what shells of its stories are made under (see ``digest.shells``)."""
    try:
        record = (config.output_dir / IDENTITY_FILE).read_bytes()
    except OSError:
        return Identities(), b""
    return Identities.from_json(record), record


def _kept_shells(config: Config, cache: Cache, record: bytes) -> Shells | None:
    """The last build's shells, if they were made under this configuration and version
    and for the identity record now published (see ``digest.shells``)."""
    from digest.shells import Shells, shells_key

    shells = Shells.from_bytes(cache.read_kept("shells"))
    if shells is None or shells.key != shells_key(repr(config), record):
        return None
    return shells


def current_articles(loaded: list[Loaded]) -> list[Article]:
    """Every article, with an entry that several feed snapshots carry kept once, its
    newest version winning (see ``digest.load.feed.newest_versions``)."""
    single = [a for item in loaded if not item.updated for a in item.articles]
    if all(not item.updated for item in loaded):
        return single  # no feed snapshots (and no need to import their loader)
    from digest.load.feed import FeedEntry, newest_versions

    entries = [
        FeedEntry(article, updated)
        for item in loaded
        if item.updated
        for article, updated in zip(item.articles, item.updated, strict=True)
    ]
    return single + list(newest_versions(entries))


def site_articles(loaded: list[Loaded]) -> tuple[Article, ...]:
    """The articles a site is made of: ``current_articles``, drafts left out."""
    return tuple(a for a in current_articles(loaded) if not a.draft)


Grouping = Callable[[Sequence[Article]], tuple[Sequence[Sequence[Article]], tuple[Merge, ...]]]
"""Folds the articles into groups of copies (see ``digest.foldindex.fold``)."""


def make_site(
    config: Config,
    loaded: list[Loaded],
    now: datetime,
    previous: Identities,
    *,
    grouping: Grouping | None = None,
    memo: PageMemo | None = None,
    bodies: Callable[[Article], Article] | None = None,
    story_lines: Mapping[str, bytes] | None = None,
    compiled: Path | None = None,
    file_keys: Mapping[str, str] | None = None,
    shells: Shells | None = None,
) -> Site:
    """Everything between loading and writing, given the loaded files, the time and the
    identities the previous site gave its stories: pure, but for what ``grouping`` (the
    folding, when the build keeps an index of it) and ``bodies`` (articles' bodies, when
    ``loaded`` holds stubs) read.

    ``file_keys`` (each content file's key) lets the site keep its stories as shells for
    the next build, and ``shells`` (kept by the last build, for the same configuration
    and the identity record ``previous``: the caller checks) saves making them again.

    Pages are rendered as ``Site.files`` is iterated, so that a site of any size never
    sits in memory whole. Templates compiled are kept in the folder ``compiled``, if given.
    """
    from digest.render import Renderer
    from digest.sections import make_sections
    from digest.shells import Shells, place_stories, shells_key

    problems = tuple(p for item in loaded for p in item.problems)
    articles = site_articles(loaded)
    tz = ZoneInfo(config.timezone)
    if grouping is None:
        from digest.dedup import group_articles

        grouping = functools.partial(group_articles, threshold=config.fold_threshold)
    groups, merges = grouping(articles)
    # A story starts with its lead's own summary, worked out when the lead was loaded;
    # only a story without one is summarized.
    stories, identities, kept, story_keys = place_stories(
        groups,
        file_keys or {},
        now,
        tz,
        previous,
        config.summary_sentences,
        config.summary_max_words,
        shells,
    )
    record = identities.to_json()
    sections = make_sections(stories, config.front_page_stories)
    signature = memo.signature if memo is not None else ""
    if shells is None or shells.signature != signature:
        story_keys = {}  # worked out for other pages
    renderer = Renderer(config, now, memo, bodies, compiled, story_keys)
    lines: dict[str, bytes] = {}

    def make_files(placer: Placer | None) -> Files:
        return _files(
            config,
            renderer,
            stories,
            sections,
            now,
            record,
            placer,
            (story_lines or {}, lines),
        )

    return Site(
        articles,
        stories,
        make_files,
        problems,
        merges,
        renderer.carried,
        renderer.page_keys,
        lines,
        (
            lambda: Shells(shells_key(repr(config), record), kept).with_keys(
                renderer.story_keys(stories), signature
            )
        )
        if file_keys is not None
        else None,
    )


OVERLAP_STORIES = 20_000
"""Up to this many stories, page workers start before the listings and feeds are made.
Workers are forked processes sharing the build's memory; a build that goes on reading
every story after the fork writes to each (reference counts) and so copies the memory
that holds them: at 100,000 stories the build's peak grew from 1,818 to 2,284 MB. At
10,000 (peak 497 MB with the overlap) publishing took 6.4 and 7.3 s with it, 6.9 and
9.7 s without (two cold builds each)."""


def _files(
    config: Config,
    renderer: Renderer,
    stories: tuple[Story, ...],
    sections: Sections,
    now: datetime,
    identities: bytes,
    placer: Placer | None,
    lines: tuple[Mapping[str, bytes], dict[str, bytes]] = ({}, {}),
) -> Files:
    """Every file of the site, made as it is asked for: pages, feeds, sitemaps, static.

    When there are many story pages, workers render (and with a ``placer``, write)
    them; up to OVERLAP_STORIES stories they are begun first, so that this process
    makes the rest meanwhile.
    """
    early = len(stories) <= OVERLAP_STORIES
    story_pages = renderer.story_pages(stories, placer) if early else None
    try:
        yield from _other_files(config, renderer, stories, sections, now, identities, lines)
        yield from story_pages if story_pages is not None else renderer.story_pages(stories, placer)
    finally:
        # Whatever stopped the files (a template, Ctrl-C, the publisher), page workers
        # stop here, before the publisher discards the folder they write into.
        if story_pages is not None and hasattr(story_pages, "close"):
            story_pages.close()


def _other_files(
    config: Config,
    renderer: Renderer,
    stories: tuple[Story, ...],
    sections: Sections,
    now: datetime,
    identities: bytes,
    lines: tuple[Mapping[str, bytes], dict[str, bytes]],
) -> Iterator[tuple[PurePosixPath, bytes]]:
    """Every file of the site but the story pages."""
    from digest import feeds
    from digest.render import static_files

    yield from renderer.pages(stories, sections)
    entries = feeds.Entries()
    keys = renderer.story_keys(stories)
    places = [(PurePosixPath(), feeds.FeedPlace(), stories)]
    for folder, (name, in_topic) in sections.topic_stories().items():
        places.append((folder, feeds.FeedPlace(str(folder), name), in_topic))
    for folder, place, shown in places:
        # A feed whose stories did not change is kept as the last build made it.
        for file, make in (("rss.xml", feeds.rss), ("atom.xml", feeds.atom)):
            path = folder / file
            if not renderer.reuse(
                path.as_posix(),
                lambda: renderer.feed_key(file, place.folder, place.name, shown, keys),  # noqa: B023  (called at once)
            ):
                yield path, make(config, shown, now, place, entries)
    if not renderer.reuse(
        "feed.json", lambda: renderer.feed_key("feed.json", "", "", stories, keys)
    ):
        yield PurePosixPath("feed.json"), feeds.json_feed(config, stories)
    kept, made = lines
    yield (
        PurePosixPath("stories.json"),
        feeds.stories_json(config, stories, keys, kept, made),
    )
    listing_folders = [str(x.folder) for x in sections.listings if str(x.folder) != "."]
    index_folders = ["topics", "outlets", "archive"]
    yield (
        PurePosixPath("sitemap.xml"),
        feeds.sitemap(config, stories, now, index_folders + listing_folders, keys, kept, made),
    )
    yield PurePosixPath("news-sitemap.xml"), feeds.news_sitemap(config, stories, now)
    yield PurePosixPath("robots.txt"), feeds.robots(config)
    yield PurePosixPath(IDENTITY_FILE), identities
    yield from static_files(config.root / "static").items()


def theme_signature(config: Config) -> str:
    """A key over every template and static file the build may read, default and site's."""
    from digest.theme import theme_dir

    parts: list[bytes | str] = []
    for folder in (
        theme_dir("templates"),
        theme_dir("static"),
        config.root / "templates",
        config.root / "static",
    ):
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    parts += [str(path.relative_to(folder)), path.read_bytes()]
        parts.append("|")
    return key(*parts)


def inputs_signature(
    config: Config, file_keys: Mapping[str, str], theme: str, now: datetime
) -> str:
    """Everything a build's output depends on: the digest version and its libraries',
    the configuration, the theme, every content file, and the build time to the hour
    (the news sitemap is a two-day window, accurate to the hour)."""
    hour = now.replace(minute=0, second=0, microsecond=0).isoformat()
    content = [f"{rel}={k}" for rel, k in file_keys.items()]
    return key(program_version(), repr(config), theme, hour, *content)


def _report_bytes(report: BuildReport) -> bytes:
    import pickle

    return pickle.dumps(report)


def _unchanged(config: Config, cache: Cache, signature: str) -> BuildReport | None:
    """The last report, when nothing the output depends on changed and the site is whole."""
    import pickle

    from digest.publish import MARKER

    if cache.get_meta("signature") != signature.encode():
        return None
    out = config.output_dir
    if not (out / MARKER).is_file() or not (out / IDENTITY_FILE).is_file():
        return None
    blob = cache.get_meta("report")
    try:
        report = pickle.loads(blob) if blob else None
    except Exception:
        return None
    return report if isinstance(report, BuildReport) else None


def build(
    config: Config,
    now: datetime,
    strict: bool = False,
    progress: Progress | None = None,
    kept: list[object] | None = None,
) -> BuildReport:
    """Build the site described by ``config``; ``now`` is the build time (an input).
    ``progress`` is told (stage, done, total) as files are loaded and written.

    ``kept``, if given, is handed everything the build made (its articles, stories,
    records), for a caller that leaves without freeing it: the command line, which ends
    the process at once (see ``cli.run``). Freed one by one as the build returned, they
    took 22 to 39 ms of a one-added rebuild at 10,000 articles.

    Raises NothingToBuild when no article could be read, StrictFailure under ``strict``
    when any file had a problem; in both cases the previous site is left as it was.
    """
    # The collector is off while a build runs in this process: measured at 10,000 articles,
    # a rebuild leaves 9 objects in cycles and a cold build of 2,000 left 33, while the
    # collector walked the build's new objects 300 times (0.08 s, a twentieth of a
    # rebuild). This process parses up to PARALLEL_MIN new files and renders up to
    # PARALLEL_PAGES story pages itself, and every listing and feed; reading Markdown,
    # wire text, web pages and feeds and rendering pages leave few cycles or none (see
    # tests/e2e/test_formats.py). Load and page workers collect as usual.
    collecting = gc.isenabled()
    cache: Cache | None = None
    folding: _Folding | None = None
    library: Library | None = None
    aside: Half[bool] | None = None
    try:
        gc.disable()
        cache = Cache(config.root / CACHE_FOLDER)
        cache.use_site(str(config.output_dir.absolute()))
        index = cache.files()
        sources, data, stamps = scan(config, index)
        file_keys = {s.rel: s.key for s in sources}
        theme = theme_signature(config)
        signature = inputs_signature(config, file_keys, theme, now)
        unchanged = _unchanged(config, cache, signature)
        if unchanged is not None:
            cache.store_files(stamps, index)
            if strict and unchanged.problems:
                raise StrictFailure(unchanged.problems)
            return unchanged

        published = cache.outputs()
        aside = _standby_aside(config, published)
        if aside is not None:
            cache.take_standby()  # what the cache knew of a standby folder now gone
        library = Library(config, cache)
        folding = _Folding(library, cache, config.fold_threshold)
        loaded = library.load(sources, data, progress, folding)
        # What was loaded lives until the build ends: out of the collector's sight, full
        # collections no longer walk it again and again (a tenth of a rebuild's time).
        gc.freeze()
        folding.ask(site_articles(loaded))
        # Read (and imported) while the folding's helper, if there is one, folds.
        cache.store_files(stamps, index)
        identities, record = identity_record(config)
        memo = _page_memo(config, file_keys, theme, cache, published or {})
        stored_lines = cache.lines()
        shells = _kept_shells(config, cache, record)
        compiled = _template_cache(cache)
        _import_ahead()
        make = functools.partial(
            make_site,
            config,
            loaded,
            now,
            identities,
            grouping=folding,
            bodies=library.body,
            compiled=compiled,
            file_keys=file_keys,
            shells=shells,
        )
        site = make(memo=memo, story_lines=stored_lines)
        folding.wait()  # rendering need not hold the index too
        library.stored()
        gc.freeze()  # the stories and sections, likewise
        if strict and site.problems:
            raise StrictFailure(site.problems)
        if not site.articles:
            raise NothingToBuild(
                f"{config.content_dir}: no article could be built from this folder"
            )
        from digest.publish import CarryError, publish

        standby = cache.take_standby()
        if aside is not None:
            # The standby folder made aside is the published site; else there is none.
            standby = dict(published or {}) if _made(aside) else None
            aside = None
        replaced: list[bool] = []  # whether the site replaced became the standby folder
        try:
            count, hashes = publish(
                site.make_files,
                config.output_dir,
                published,
                site.carried,
                progress,
                standby,
                cache.forget_site,
                replaced.append,
                folding.empty,
            )
        except CarryError:  # the previous site changed under us: render every page
            site = make()
            folding.wait()
            count, hashes = publish(
                site.make_files,
                config.output_dir,
                published,
                (),
                progress,
                None,
                cache.forget_site,
                replaced.append,
                folding.empty,
            )
        report = BuildReport(
            articles=len(site.articles),
            stories=len(site.stories),
            problems=site.problems,
            files=count,
            merges=site.merges,
        )
        cache.store_outputs(hashes)
        if published and replaced == [True]:  # the site replaced is the standby folder now
            cache.store_outputs(published, "standby")
        # marshal: every rebuild reads and writes a key for each of the site's pages.
        cache.set_meta("pages", marshal.dumps(dict(site.page_keys or {})))
        cache.store_lines(site.story_lines, stored_lines)
        if site.shells is not None:
            # A file of its own, as the fold index: in the database, 2.3 MB a rebuild
            # (at 10,000 articles) filled its log, and the log's checkpoints (which wait
            # for the disk) came every rebuild instead of every third.
            cache.keep("shells", site.shells().to_bytes())
        cache.set_meta("report", _report_bytes(report))
        cache.set_meta("signature", signature.encode())
        return report
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()
        try:
            if library is not None:  # first: _after_failure writes to the database
                library.stored(quiet=True)
            if aside is not None:  # the build failed before publishing
                _after_failure(aside, cache, published)
            if folding is not None:
                folding.stop()
                folding.wait(quiet=True)
        finally:
            if cache is not None:
                cache.close()
            if kept is not None:  # (not itself: a cycle for the collector to find)
                kept.append({k: v for k, v in locals().items() if k != "kept"})


def _import_ahead() -> None:
    """Import what making the site needs next (the renderer and Jinja, the feeds and
    feedgen, the stories' shells) while the folding's helper, if there is one, folds
    (see ``_Folding.help``): 0.06 s of a rebuild that would otherwise come after it."""
    import importlib

    for name in ("digest.render", "digest.feeds", "digest.shells"):
        importlib.import_module(name)


def _standby_aside(config: Config, published: Mapping[str, str] | None) -> Half[bool] | None:
    """The standby folder (see ``digest.publish.standby_folder``) made in a forked
    process while the build loads and folds, when the published site has none yet: the
    first build after a cold one would otherwise make a folder a story and link every
    page into it as it publishes (at 10,000 articles 8,000 folders and 9,500 links, on
    a core the build leaves idle until it renders). None when there is nothing to make,
    or no second core to make it on."""
    from digest.halves import Half, can_fork
    from digest.publish import make_standby, standby_folder

    output = config.output_dir.absolute()
    if not published or not can_fork():
        return None
    if os.path.lexists(standby_folder(output)):
        return None
    return Half(functools.partial(make_standby, output, dict(published)))


def _made(aside: Half[bool]) -> bool:
    """Whether the standby folder was made; a failure to make it fails nothing (the site
    is made in a new folder instead, as when there is no standby folder)."""
    try:
        return aside.result()
    except Exception:
        return False


_PARSE, _FOLD, _KEPT, _HEADS, _EMPTY = range(5)
"""The tasks of the build's helper, by their places in what ``_Folding.help`` gives it."""


def _after_failure(
    aside: Half[bool], cache: Cache | None, published: Mapping[str, str] | None
) -> None:
    """After a build that failed before publishing: a standby folder made aside is
    recorded as holding the published site, when it was made already (a failed
    ``--strict`` build, say); else its making is stopped. Unrecorded, the next build
    would hash every file of the folder before using it (at 100,000 articles, 94,000)."""
    if cache is None or not published or not aside.done():
        aside.stop()
        return
    if _made(aside):
        with contextlib.suppress(Exception):  # the build's own failure is what is raised
            cache.store_outputs(published, "standby")


def _empty(folder: str) -> None:
    """Delete ``folder`` and all in it (a task of the build's helper: see
    ``_Folding.empty``)."""
    import shutil

    shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class Folded:
    """A folding done in a forked half, as it crosses back: each group as the places of
    its articles among the articles folded, the merges as plain values (sent as objects,
    10,000 articles would cost more to read back than they took to fold), and a hash of
    the articles' ids and paths in order, to check that they are the articles here.
    """

    articles: int
    groups: tuple[tuple[int, ...], ...]
    merges: tuple[tuple[str, str, float, float, float], ...]

    @classmethod
    def of(
        cls,
        articles: Sequence[Article],
        groups: Sequence[Sequence[Article]],
        merges: Sequence[Merge],
    ) -> Folded:
        """The folding of ``articles`` into ``groups`` (of those same objects).

        >>> a, b = Article("a", "a.md", "", "A"), Article("b", "b.md", "", "B")
        >>> Folded.of([a, b], [[b], [a]], []).groups
        ((1,), (0,))
        """
        at = {id(a): n for n, a in enumerate(articles)}
        return cls(
            _articles_hash(articles),
            tuple(tuple(at[id(a)] for a in group) for group in groups),
            tuple((m.a, m.b, m.containment_ab, m.containment_ba, m.threshold) for m in merges),
        )

    def of_articles(
        self, articles: Sequence[Article]
    ) -> tuple[tuple[tuple[Article, ...], ...], tuple[Merge, ...]] | None:
        """The groups and merges, of these articles; None when they are not the articles
        folded.

        >>> a, b = Article("a", "a.md", "", "A"), Article("b", "b.md", "", "B")
        >>> folded = Folded.of([a, b], [[b], [a]], [])
        >>> folded.of_articles([a, b]) == (((b,), (a,)), ()), folded.of_articles([b, a])
        (True, None)
        """
        if _articles_hash(articles) != self.articles:
            return None
        return (
            tuple(tuple(articles[n] for n in group) for group in self.groups),
            tuple(Merge(*m) for m in self.merges),
        )


_STAND_IN = astuple_shallow(Article("", "", "", "", stub_words=0))
"""An article folded in the helper stands for itself by its id and path (all that
folding reads of an article whose fingerprint is kept); the rest of its fields are
these. Made by ``make_article``: at 10,000 articles the frozen dataclass's own
``__init__`` took 34 to 62 ms of the helper's folding, which the build waits for
(20 to 28 ms made so)."""


def _articles_hash(articles: Sequence[Article]) -> int:
    """A hash of the articles' ids and paths in order (the same in a forked process)."""
    return hash(tuple((a.id, a.path) for a in articles))


class _Folding:
    """The build's folding: added to the previous build's index where it can be.

    The new index is stored as soon as it is made, and not kept: it depends only on the
    articles (so it is right for the next build whether or not this one publishes), and
    at 100,000 articles it is ~170 MB that rendering need not hold. It is written by a
    thread while the build goes on making stories (the write holds no lock that Python
    code needs: at 10,000 articles 17 MB, 0.03 s), or by the helper that folded (see
    ``help``) once it answered; ``wait`` waits for either.
    """

    def __init__(self, library: Library, cache: Cache, threshold: float) -> None:
        self.library = library
        self.cache = cache
        self.threshold = threshold
        self._writing: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._helper: Helper | None = None
        self._asked = False  # the helper was asked to fold (Folded checks it was these)
        self._keeping = False  # the helper answered, and keeps the index it made
        self._snapshot = False  # and then keeps a snapshot of the heads (not answered)
        self._emptying = False  # and then deletes the trash of the publishing (likewise)

    def help(self, library: Library, data: dict[str, bytes]) -> bool:
        """Start a helper (see ``digest.halves.Helper``) for a rebuild, where the last
        index is kept and a process can be forked beside this one; True when started.

        In a rebuild after a file came, the import of numpy and the loaders (0.15 s), the
        parsing and the folding (at 10,000 articles 0.06 s) were a third of the time. The
        helper does them on the second core: it imports and parses (``library``'s
        ``parse_missing``, given ``data``) while the build reads the heads, and folds
        (``ask``) while the build imports the renderer and reads the rest of what it
        needs. Forked before the heads are read: the helper then shares little memory
        with the build, which after a fork pays for every page either writes to.
        """
        from digest.halves import HalfFailed, Helper, can_fork

        if not (can_fork() and self.cache.has_kept("fold")):
            return False
        try:
            # ``data`` is the helper's already, as all this process holds: not sent.
            parse = functools.partial(library.parse_missing, data)
            tasks = (parse, self._fold_aside, self._kept_aside, library.keep_heads, _empty)
            self._helper = Helper(tasks)
            self._helper.ask(_PARSE, None)
        except (OSError, HalfFailed):
            self.stop()
            return False
        return True

    def parsed(self) -> tuple[list[Row], dict[str, str]]:
        """The rows the helper parsed, and the files it found unreadable; nothing when it
        failed (the build parses them itself then, and folds itself too)."""
        if self._helper is not None:
            try:
                return self._helper.answer()  # type: ignore[no-any-return]
            except Exception:  # the same work is done here, and fails here if it must
                self.stop()
        return [], {}

    def ask(self, articles: Sequence[Article]) -> None:
        """Have the helper, if there is one, fold ``articles`` (the next call gives its
        groups when it is of these articles)."""
        from digest.halves import HalfFailed

        if self._helper is None:
            return
        try:
            self._helper.ask(_FOLD, tuple((a.id, a.path) for a in articles))
        except HalfFailed:
            self.stop()
            return
        self._asked = True

    def _fold_aside(self, articles: tuple[tuple[str, str], ...]) -> Folded:
        """In the helper: fold articles known by their id and path (all that folding reads
        of them; their fingerprints are in the library or the cache). The index is being
        written meanwhile, by a thread; ``_kept_aside`` waits for it."""
        rest = _STAND_IN[2:]
        stand_ins = [make_article(i, path, *rest) for i, path in articles]
        groups, merges = self(stand_ins)  # the index is being kept (by a thread) meanwhile
        return Folded.of(stand_ins, groups, merges)

    def _kept_aside(self, _: object = None) -> None:
        """In the helper, asked once its folding is answered: wait until the index it made
        is kept (what went wrong raised, as ``wait`` raises it)."""
        self.wait()

    def _answer(
        self, articles: Sequence[Article]
    ) -> tuple[tuple[tuple[Article, ...], ...], tuple[Merge, ...]] | None:
        """The helper's folding, if it was asked to fold these very articles and did; the
        helper is then asked to keep the index it made (see ``wait``). Otherwise it is
        ended, and None: the build folds them itself."""
        helper, asked = self._helper, self._asked
        self._asked = False
        if helper is None:
            return None
        if not asked:
            self.stop()
            return None
        try:
            folded: Folded | None = helper.answer()
        except Exception:  # it failed, or died: folded here instead
            folded = None
        found = folded.of_articles(articles) if folded is not None else None
        if found is None:
            self.stop()
            return None
        # The helper answered before its index was kept (0.02 s at 10,000 articles, more
        # when the disk is busy): it keeps it while the build makes the stories, and
        # ``wait`` takes what came of that.
        from digest.halves import HalfFailed

        try:
            helper.ask(_KEPT, None)
            self._keeping = True
            # Then the heads, for the next build (see ``Library.keep_heads``): done while
            # this one renders, and never answered; a helper let leave finishes it.
            helper.ask(_HEADS, None)
            self._snapshot = True
        except HalfFailed:  # gone since: the next build adds to the index it finds
            self.stop()
        return found

    def empty(self, trash: Path) -> bool:
        """Have the helper, if there is still one, delete the publishing's ``trash`` folder
        (see ``digest.publish.trash_folder``) while the build stores what it made; True
        when it was asked to (the build waits for it before it returns)."""
        from digest.halves import HalfFailed

        if self._helper is None:
            return False
        try:
            self._helper.ask(_EMPTY, os.fspath(trash))
        except HalfFailed:
            self.stop()
            return False
        self._emptying = True
        return True

    def close(self) -> None:
        """Let the helper, if there is one, leave once done, and wait for it."""
        helper, self._helper = self._helper, None
        self._keeping = self._snapshot = self._emptying = False
        if helper is not None:
            helper.close()

    def stop(self) -> None:
        """End the helper, if there is one: killed, whatever it is doing, but for one
        that is keeping the index it made or the heads' snapshot (writes of bounded
        length), or deleting the trash, which is let finish: the index and the snapshot
        are right for the next build whether this one publishes or not."""
        helper, self._helper = self._helper, None
        keeping = self._keeping or self._snapshot or self._emptying
        self._keeping = self._snapshot = self._emptying = False
        if helper is not None:
            if keeping:
                helper.close()
            else:
                helper.stop()

    def wait(self, *, quiet: bool = False) -> None:
        """Return once the index made is stored, here or by the helper. A failure to store
        it is raised here (unless ``quiet``), as it would have been had the build stored it
        itself; the cache's own failures (a full disk, a read-only folder) ``Cache.keep``
        ignores."""
        from digest.halves import HelperGone

        if self._writing is not None:
            self._writing.join()
            self._writing = None
        failure, self._failure = self._failure, None
        if self._keeping and self._helper is not None:
            self._keeping = False
            gone = False
            try:
                self._helper.answer()
            except HelperGone:  # died: the next build adds to the index it finds
                gone = True
            except Exception as exc:  # what went wrong keeping it (a HalfFailed if it
                failure = failure or exc  # could not be sent back as it was)
            if gone or not self._snapshot:
                self.close()  # else left to keep the heads, while the build renders
        if failure is not None and not quiet:
            raise failure

    def _keep(self, parts: list[bytes | memoryview]) -> None:
        try:
            self.cache.keep("fold", parts)
        except BaseException as exc:  # handed to the build by wait()
            self._failure = exc

    def __call__(
        self, articles: Sequence[Article]
    ) -> tuple[Sequence[Sequence[Article]], tuple[Merge, ...]]:
        found = self._answer(articles)
        if found is not None:
            return found
        from digest.foldindex import FoldIndex, fold

        blob = self.cache.read_kept("fold")
        previous = FoldIndex.from_bytes(blob) if blob else None
        del blob
        groups, merges, index = fold(
            articles,
            self.threshold,
            self.library.tokens(articles),
            self.library.fingerprints,
            previous,
        )
        del previous
        self.wait()
        parts = index.to_parts()
        writing = threading.Thread(target=self._keep, args=(parts,), name="digest-fold-index")
        try:
            writing.start()
        except RuntimeError:  # no thread to be had: stored here, as before threads
            self.cache.keep("fold", parts)
        else:
            self._writing = writing
        return groups, merges


def _template_cache(cache: Cache) -> Path | None:
    """The folder beside the cache file where compiled templates are kept, one for each
    ``compiled_templates_key`` (the others are deleted); None without a usable cache, or
    when the folder cannot be made."""
    import shutil

    from digest.render import compiled_templates_key

    if not cache.usable:
        return None
    base = cache.path.parent / "templates"
    folder = base / compiled_templates_key()[:16]
    try:
        if base.is_symlink():
            return None
        folder.mkdir(parents=True, exist_ok=True)
        for other in base.iterdir():
            if other != folder and other.is_dir() and not other.is_symlink():
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        return None
    return folder if folder.is_dir() and not folder.is_symlink() else None


def _page_memo(
    config: Config,
    file_keys: Mapping[str, str],
    theme: str,
    cache: Cache,
    published: Mapping[str, str],
) -> PageMemo:
    """What the renderer needs to keep unchanged pages of the site now published (whose
    files' hashes are ``published``)."""
    from digest.render import PageMemo

    try:
        previous = marshal.loads(cache.get_meta("pages") or marshal.dumps({}))
    except (ValueError, EOFError, TypeError):
        previous = {}
    if not isinstance(previous, dict):
        previous = {}
    # Pages the last build published, as the cache remembers them; one that is gone
    # since fails the publishing (CarryError), and the build renders every page instead.
    reusable = frozenset(path for path in published if path in previous)
    signature = key(program_version(), repr(config), repr(_shape_of(config)), theme)
    return PageMemo(signature, file_keys, previous, reusable)
