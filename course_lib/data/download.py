"""Download a file safely: progress bar, temporary file, SHA-256 check, atomic rename.

A download that is interrupted or corrupt never leaves a half-written file where a loader
would find it: bytes go to ``<name>.<pid>.part`` next to the target, and only a file whose
checksum matches is renamed into place.
"""

from __future__ import annotations

import hashlib
import os
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm


class ChecksumError(ValueError):
    """A file's SHA-256 is not the published one."""


def sha256sum(path: str | Path, chunk_size: int = 1 << 20) -> str:
    """The SHA-256 hex digest of a file, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


_HASHED: dict[tuple[str, int, int], str] = {}  # (resolved path, size, mtime_ns) -> digest


def cached_sha256(path: str | Path) -> str:
    """``sha256sum(path)``, computed once per file version: the result is kept for as long as
    the file's resolved path, size and modification time stay the same."""
    stat = Path(path).stat()
    key = (str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _HASHED:
        _HASHED[key] = sha256sum(path)
    return _HASHED[key]


def partial_name(target: Path) -> Path:
    """A temporary name next to ``target`` that no other process uses at the same time."""
    return target.with_name(f"{target.name}.{os.getpid()}.part")


def verify_sha256(path: str | Path, expected: str) -> None:
    """Raise ``ChecksumError`` naming the file and both checksums when they differ
    (a file already verified and unchanged since is not read again)."""
    actual = cached_sha256(path)
    if actual != expected:
        raise ChecksumError(
            f"{path} is corrupt or altered: its SHA-256 is {actual}, expected {expected}. "
            "Delete it and load again (it will be downloaded afresh), or copy a good file there."
        )


def download(url: str, target: str | Path, sha256: str, timeout: float = 60.0) -> Path:
    """Download ``url`` to ``target`` and check its SHA-256; return the target path.

    Raises ``ChecksumError`` (and removes the partial file) if the bytes do not match, and
    ``ConnectionError`` with advice when the network cannot be reached.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = partial_name(target)
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response, open(partial, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=target.name, leave=False) as bar:
                for chunk in iter(lambda: response.read(1 << 16), b""):
                    out.write(chunk)
                    bar.update(len(chunk))
        verify_sha256(partial, sha256)
        os.replace(partial, target)
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise ConnectionError(
            f"Could not download {url} ({err}). Check your internet connection, or put the "
            f"file at {target} yourself (or point COURSE_DATA_DIR at a folder that has it)."
        ) from err
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target
