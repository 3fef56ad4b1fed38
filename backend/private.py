"""Files only the server's user may read: the data dir (0700), the database and the signing key
(0600), whatever the umask.

Modes are set explicitly after creation (``mkdir``/``open`` modes are masked by the umask, so a
umask of 0 or 0277 would otherwise leave them wider or unusable); existing ones that are wider
are narrowed with a warning. SQLite creates its ``-wal`` and ``-shm`` files with the mode of the
database file, so making that file 0600 first covers them too.

`create_once` publishes a file atomically: the content goes to a temporary file in the same
folder, which is then hard-linked to the final name. ``link`` fails if the name exists, so of
several processes racing, exactly one wins and the others read the winner's complete file:
nobody can see a created but not yet written file.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from pathlib import Path

log = logging.getLogger("backend.private")

DIR_MODE = 0o700
FILE_MODE = 0o600


def _set_mode(path: Path, mode: int) -> None:
    if os.name != "posix":
        return  # no mode bits on Windows; the data dir's ACL is the operator's business
    current = stat.S_IMODE(path.stat().st_mode)
    if current & ~mode:
        log.warning("%s had mode %o; restricting it to %o", path, current, mode)
    if current != mode:
        path.chmod(mode)


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) if needed; make it 0700."""
    path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    _set_mode(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if it does not exist; make it 0600."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE))
    _set_mode(path, FILE_MODE)
    return path


def create_once(path: Path, content: bytes) -> bool:
    """Write ``path`` with ``content`` (mode 0600) unless it exists; True if this call did."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            if os.name == "posix":
                os.fchmod(fh.fileno(), FILE_MODE)  # before it has its name: readers see 0600
            fh.write(content)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            return False
        return True
    finally:
        os.unlink(temp)
