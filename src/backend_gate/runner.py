"""Run every file through the engine: each file read once here, cached results reused, the rest
spread over worker processes. Results come back in input order, identical for any `--jobs`."""

from __future__ import annotations

import gc
import hashlib
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from typing import Any, Iterable, Iterator, Sequence

from backend_gate import __version__
from backend_gate.cache import (
    Cache, NullCache, Read, as_tuples, code_stamp, read_bytes, read_digested, tool_stamps,
)
from backend_gate.codec import finding_from_json, finding_to_json
from backend_gate.discovery import SourcePath
from backend_gate.engine import check_data
from backend_gate.plan import FileResult, Plan
from backend_gate.safeio import read_regular
from backend_gate.suppression_comments import SuppressionComment

Item = tuple[SourcePath, "bytes | None", str]  # a file, its bytes (read once), a read problem
# files: below this, worker processes cost more than they save. A worker's start is a fork and
# bandit's import (about 25 ms); measured on 2 cores, 4 to 16 files of flaskbb, whole
# processes: a pool ties with one process at 4 files and saves 8% at 8, 16% at 16.
SERIAL_BELOW = 4
PROGRESS_FROM = 200  # files: show a progress bar on a terminal from this many misses
WATCH_SECONDS = 0.5  # how often a pool worker looks whether its parent is still there
ABANDONED = threading.Event()  # a pool was stopped mid-run: the process should leave at once


def plan_fingerprint(plan: Plan) -> str:
    """Everything that can change a per-file result: version, rules, adapters, options, and
    the selection itself. The enabled rules do not say it all: an adapter decides inside what
    it runs (`--ignore security` or `bandit:` leaves bandit out of every file's result), so a
    run with less selected must never leave results a run with more selected would reuse."""
    config = plan.config
    settings = {
        "version": __version__,
        "selection": [config.select, config.ignore, config.skip, config.unsuppressible,
                      config.require_suppression_reason],
        "rules": [r.CODE for r in (*plan.rules, *plan.project_rules)],
        "adapters": [f"{a.__module__}.{a.__name__}" for a in plan.file_adapters],
        "options": sorted((k, repr(sorted(v.items()))) for k, v in config.options.items()),
        "severity": sorted((k, v.value) for k, v in config.severity.items()),
        "tests": list(config.test_patterns),
        "python": sys.version_info[:2],
    }
    extra = (code_stamp() + repr(tool_stamps())).encode()
    for name in dict.fromkeys(n for a in plan.file_adapters for n in a.CONFIG_FILES):
        try:  # a planted FIFO would block, a link to /dev/zero never end: refused unread
            extra += read_regular(config.root / name)
        except OSError:
            continue
    return hashlib.sha256(repr(settings).encode() + extra).hexdigest()


def result_to_json(result: FileResult) -> dict[str, Any]:
    return {
        "findings": [finding_to_json(f) for f in result.findings],
        "facts": {k: list(v) for k, v in result.facts.items()},
        "suppressions": [
            [c.line, c.column, list(c.codes), c.reason, c.text, c.statement_line]
            for c in result.suppressions
        ],
        "parse_failed": result.parse_failed,
        "adapter_errors": dict(result.adapter_errors),
    }


def result_from_json(path: str, data: dict[str, Any], findings: bool = True) -> FileResult | None:
    """`findings=False`: without the findings (a file whose facts alone are wanted)."""
    try:
        return FileResult(
            path=path,
            findings=tuple(finding_from_json(f) for f in data["findings"]) if findings else (),
            facts={k: [as_tuples(item) for item in v] for k, v in data["facts"].items()},
            suppressions=tuple(
                SuppressionComment(line, col, tuple(codes), reason, text, statement)
                for line, col, codes, reason, text, statement in data["suppressions"]
            ),
            parse_failed=bool(data["parse_failed"]),
            adapter_errors=dict(data["adapter_errors"]),
        )
    except (KeyError, TypeError, ValueError):
        return None  # an entry from another layout: rebuild it


def _work(item: Item, plan: Plan) -> FileResult:
    source, data, problem = item
    return check_data(source, data, problem, plan)


def run_files(
    sources: Sequence[SourcePath], plan: Plan, jobs: int, *, progress: bool = False,
    read: Sequence[Read] | None = None,
) -> list[FileResult]:
    """`read`: each source's `cache.read_digested`, when the caller has read them already."""
    cache = Cache(plan.config.root, plan_fingerprint(plan)) if plan.config.cache else NullCache()
    if read is None:
        read = [read_digested(s.abspath, s.path, s.is_test) for s in sources]
    results, todo = _lookup(cache, sources, read)
    fresh = _execute([item for _, item, _ in todo], plan, jobs, progress)
    for (index, _, digest), result in zip(todo, fresh):
        results[index] = result
        _remember(cache, digest, result)
    cache.prune_missing({source.path for source in sources})
    cache.save()
    return [results[index] for index in range(len(sources))]


def collect_facts(
    sources: Sequence[SourcePath], plan: Plan, jobs: int, read: Sequence[Read]
) -> list[FileResult]:
    """The facts the project rules need from the project's files this run does not check (a
    hook passes only the staged files; the layers and the import graph are the whole
    project's). A file's full result gives them when the cache holds one; otherwise only the
    fact collectors run on it, never a per-file rule or a wrapped tool, and their results are
    cached under a plan of their own (whatever the run selected: facts do not depend on it)."""
    cache = Cache(plan.config.root, plan_fingerprint(plan)) if plan.config.cache else NullCache()
    results = [_cached_facts(cache, source.path, digest)
               for source, (_, _, digest) in zip(sources, read)]
    todo = [index for index, result in enumerate(results) if result is None]
    fresh = iter(run_files([sources[i] for i in todo], _facts_plan(plan), jobs,
                           read=[read[i] for i in todo]))
    return [result or next(fresh) for result in results]  # in order, the gaps filled


def _cached_facts(cache: Cache | NullCache, path: str, digest: str) -> FileResult | None:
    hit = cache.get(path, digest) if digest else None
    return result_from_json(path, hit, findings=False) if hit is not None else None


def _facts_plan(plan: Plan) -> Plan:
    """Only the fact collectors of the plan's project rules, whatever the run selected."""
    collectors = tuple(dict.fromkeys(c for rule in plan.project_rules for c in rule.COLLECTORS))
    return replace(plan, config=plan.config.with_overrides(select=(), ignore=(), skip=()),
                   rules=collectors, project_rules=(), file_adapters=(), project_adapters=())


def _lookup(
    cache: Cache | NullCache, sources: Sequence[SourcePath], read: Sequence[Read]
) -> tuple[dict[int, FileResult], list[tuple[int, Item, str]]]:
    """-> (index -> cached result, the files to check: index, work item, digest)."""
    results: dict[int, FileResult] = {}
    todo: list[tuple[int, Item, str]] = []
    for index, (source, (data, problem, digest)) in enumerate(zip(sources, read)):
        cached = _cached(cache, source.path, digest)
        if cached is not None:
            results[index] = cached
        else:
            if data is None and not problem:  # known unchanged (replay.py), but not cached
                data, problem = read_bytes(source.abspath)
            todo.append((index, (source, data, problem), digest))
    return results, todo


def _remember(cache: Cache | NullCache, digest: str, result: FileResult) -> None:
    if digest and not result.transient:  # a time-out may not recur: never cache it
        cache.put(result.path, digest, result_to_json(result))


def _cached(cache: Cache | NullCache, path: str, digest: str) -> FileResult | None:
    hit = cache.get(path, digest) if digest else None
    return result_from_json(path, hit) if hit is not None else None


def _execute(
    items: list[Item], plan: Plan, jobs: int, progress: bool
) -> list[FileResult]:
    _settle_heap()
    if jobs <= 1 or len(items) < SERIAL_BELOW:
        sizes = _sizes(items, range(len(items)))
        return list(_progress((_work(item, plan) for item in items), sizes, progress))
    return _in_pool(items, plan, jobs, progress)


def _settle_heap() -> None:
    """In the console script's own process (`_entry.OWNS_PROCESS`), before the files are
    checked: the modules, rules and configuration loaded so far live as long as the process,
    so they move to the collector's permanent generation (`gc.freeze`), where no collection
    walks them again, in this process or in the workers forked from it (whose pages they then
    share). About 4% of a cold run; an embedding program's heap is left alone."""
    entry = sys.modules.get("backend_gate._entry")
    if entry is not None and getattr(entry, "OWNS_PROCESS", False):
        gc.freeze()


def _in_pool(items: list[Item], plan: Plan, jobs: int, progress: bool) -> list[FileResult]:
    # Largest files first, in small chunks: a large file met last would keep one worker busy
    # while the others wait (Django's biggest modules sit together in db/models/).
    order = sorted(range(len(items)), key=lambda i: -_size(items[i]))
    size = max(1, min(8, len(items) // (jobs * 16)))
    chunks = [order[i:i + size] for i in range(0, len(order), size)]
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(chunks)), initializer=_watch_parent)
    try:
        futures = [pool.submit(_work_chunk, [items[i] for i in chunk], plan) for chunk in chunks]
        mapped = (result for future in futures for result in future.result())
        done = dict(zip(order, _progress(mapped, _sizes(items, order), progress)))
    except BaseException:  # Ctrl-C, SIGTERM (cli), a failure: stop now, not after the queue
        _stop(pool)
        raise
    pool.shutdown()
    return [done[i] for i in range(len(items))]


def _work_chunk(chunk: list[Item], plan: Plan) -> list[FileResult]:
    return [_work(item, plan) for item in chunk]


def _stop(pool: ProcessPoolExecutor) -> None:
    """Stop handing out work and leave the workers be: each ends after its current chunk, or
    at once when the process exits (its parent watch). Killing them here raced the pool's own
    manager thread: on Python 3.11 it dies on a cancelled future when a worker dies, leaving
    a queue thread that blocks the exit (a rare hang after Ctrl-C under load), or it printed a
    traceback from a closed pipe. The console script leaves with `os._exit` once the pool is
    abandoned (`_entry.main`), so an interrupted run ends at once."""
    pool.shutdown(wait=False, cancel_futures=True)
    ABANDONED.set()


def _watch_parent() -> None:
    """In each pool worker: Ctrl-C is the parent's to handle (it stops the workers), SIGTERM
    (sent to the whole process group, as a CI runner cancelling a job does) ends the worker
    quietly instead of raising the handler it inherited from the cli, and a worker whose parent is gone (`kill -9`) exits instead of
    waiting for work forever."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = os.getppid()
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True,
                     name="backend-gate-parent-watch").start()


def _exit_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(2)


def _size(item: Item) -> int:
    return len(item[1] or b"")


def _sizes(items: list[Item], order: Iterable[int]) -> list[int]:
    """The bytes of each file in the order its result will come back (the progress line)."""
    return [_size(items[i]) for i in order]


def _progress(results: Iterator[FileResult], sizes: list[int], wanted: bool
              ) -> Iterator[FileResult]:
    if not wanted or len(sizes) < PROGRESS_FROM or not sys.stderr.isatty():
        return results
    from backend_gate.progress import tracked

    return tracked(results, sizes, sys.stderr)
