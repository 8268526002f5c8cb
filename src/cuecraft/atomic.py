"""Atomic file writes (temp file in the same folder, then rename) so no reader ever sees half a file."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; on success rename it over `target`, else delete it.

    The temporary name keeps the target's suffix so writers that infer a format from it still work.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".tmp{target.suffix}", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; outputs get the usual permissions
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_text_atomic(target: str | Path, text: str) -> None:
    """Write UTF-8 text to `target` atomically."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


OWNER = ".owner"  # a staging folder names the process writing it, so a later run can tell one left by a killed run


@contextmanager
def staged_folder(outdir: str | Path, last: str | None = None) -> Iterator[Path]:
    """Yield a hidden staging folder beside `outdir`; when the block succeeds, move every file into
    `outdir` by rename (each appears whole or not at all; `last`, e.g. the project file, goes last).
    On failure nothing in `outdir` changes. Staging folders that killed runs left behind are removed."""
    outdir = Path(outdir)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(outdir)
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.partial-", dir=outdir.parent))
    try:  # from here a SIGTERM (raised as SystemExit) removes the folder, even while its owner is written
        (staging / OWNER).write_text(str(os.getpid()))
        yield staging
        (staging / OWNER).unlink()
        outdir.mkdir(parents=True, exist_ok=True)
        files = sorted((p for p in staging.rglob("*") if p.is_file()), key=lambda p: (p.name == last, str(p)))
        for path in files:
            target = outdir / path.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def remove_stale_staging(outdir: Path) -> list[Path]:
    """Remove the staging folders beside `outdir` whose writer is no longer running (killed, or the
    machine went down); return them. A folder being written by a live process is left alone."""
    removed = []
    for folder in outdir.parent.glob(f".{outdir.name}.partial-*"):
        try:
            pid = int((folder / OWNER).read_text())
        except (OSError, ValueError):
            pid = None
        if pid is None or not _running(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def check_room_to_write(folder: Path, needed_bytes: int) -> None:
    """Fail at once, in one line, where `folder` cannot take the outputs: read-only, not ours to write,
    or short of `needed_bytes` of free space (rather than after the slow stages, mid-write)."""
    from cuecraft.errors import CuecraftError

    parent = folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".write-check-", dir=parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise CuecraftError(parent, f"cannot write here ({exc.strerror or exc.__class__.__name__})") from None
    free = shutil.disk_usage(parent).free
    if free < needed_bytes:
        raise CuecraftError(parent, f"not enough free space: about {needed_bytes / 2**20:.0f} MB needed, {free / 2**20:.0f} MB free")
