"""The one atomic writer: a run's files land in their folder all at once, or not at all."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["write_outputs", "write_atomic", "remove_stale_staging"]


def write_outputs(out_dir, files: dict[str, object]) -> list[Path]:
    """Write ``{filename: str | bytes | callable(path)}`` into ``out_dir`` atomically per run.

    Everything is first written to a temporary folder beside ``out_dir``; only when every
    file is complete are they moved in (``os.replace``, atomic per file). A failure while
    writing leaves ``out_dir`` untouched.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_staging(out_dir)
    staging = Path(
        tempfile.mkdtemp(prefix=_staging_prefix(out_dir) + f"{os.getpid()}-", dir=out_dir.parent)
    )
    try:
        for name, content in files.items():
            target = staging / name
            if callable(content):
                content(target)
            elif isinstance(content, (bytes, memoryview)):
                target.write_bytes(content)
            else:
                target.write_text(content)
        out_dir.mkdir(exist_ok=True)
        written = []
        for name in files:
            os.replace(staging / name, out_dir / name)
            written.append(out_dir / name)
        return written
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _staging_prefix(out_dir: Path) -> str:
    return f".{out_dir.name}.staging-"


def remove_stale_staging(out_dir) -> list[Path]:
    """Remove staging folders of ``out_dir`` left by runs that were killed (their process is gone).

    A run killed with SIGKILL while writing cannot clean up after itself; its folder is named
    ``.<out>.staging-<pid>-<random>``, so the next run finds it and removes it if no process
    with that pid is alive. Folders of live runs are left alone.
    """
    out_dir = Path(out_dir)
    removed = []
    for folder in out_dir.parent.glob(_staging_prefix(out_dir) + "*"):
        pid_text = folder.name[len(_staging_prefix(out_dir)) :].split("-", 1)[0]
        if not pid_text.isdigit() or _alive(int(pid_text)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def write_atomic(path, text: str) -> Path:
    """Write one text file atomically: a reader (or a resumed run) sees the whole file or none.

    The text goes to a temporary file in the same folder, is flushed to disk, then renamed
    over ``path`` (``os.replace`` is atomic on one file system).
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
