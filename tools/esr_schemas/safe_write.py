"""Every file the tool writes goes through here.

The bytes go to a temporary file beside the target, which is then renamed over it: a
reader never sees half a file, and a failed write leaves nothing behind. An existing
file is replaced only when the caller says so (``overwrite``, i.e. ``--force`` or a file
the tool made itself). A path that leads, through a symbolic link, into a published
version (``versions/X.Y.Z/``) is never written: published versions are immutable.
The new file gets ordinary permissions (those of the file it replaces, or 0666 less
the umask), not the 0600 of temporary files.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from .guards import os_reason

_VERSION_DIR = re.compile(r"^\d+\.\d+\.\d+")


class WriteRefused(Exception):
    """A write the tool will not do; the message is French and says what to do."""


def published_target(path: Path) -> bool:
    """Whether ``path``, once its links are followed, lies in ``versions/X.Y.Z/``."""
    parts = path.resolve().parts
    return any(
        part == "versions" and i + 1 < len(parts) - 1 and _VERSION_DIR.match(parts[i + 1])
        for i, part in enumerate(parts)
    )


def through_link_into_versions(path: Path) -> bool:
    """Whether writing ``path`` would follow a symbolic link into a published version."""
    absolute = Path(os.path.abspath(path))
    return absolute.resolve() != absolute and published_target(absolute)


def check_target(path: Path, *, overwrite: bool, release: bool = False) -> None:
    """Raise :class:`WriteRefused` unless ``path`` may be written (``release``: the
    publication itself, the only writer into ``versions/X.Y.Z/``)."""
    if not release and not through_link_into_versions(path) and published_target(path):
        raise WriteRefused(
            f"« {path} » est dans le dossier d'une version publiée ({path.resolve().parent}) : "
            "les versions publiées ne changent plus, rien n'y est écrit. Choisissez un autre "
            "dossier."
        )
    if through_link_into_versions(path):
        raise WriteRefused(
            f"« {path} » est un lien vers une version publiée ({path.resolve()}) : les versions "
            "publiées ne sont jamais réécrites. Remplacez le lien par une copie du fichier."
        )
    if path.is_symlink() and not path.exists():
        raise WriteRefused(
            f"« {path} » est un lien symbolique vers un fichier absent ({os.readlink(path)}) : "
            "supprimez ce lien ou choisissez un autre nom."
        )
    if path.is_dir():
        raise WriteRefused(
            f"« {path} » est un dossier : donnez le nom du fichier à écrire (par exemple "
            f"{path / 'donnees.csv'})."
        )
    if path.exists() and not path.is_file():
        raise WriteRefused(
            f"« {path} » n'est pas un fichier ordinaire (périphérique, tube…) : il n'est pas "
            "remplacé. Donnez le chemin d'un fichier."
        )
    if path.exists() and not overwrite:
        raise WriteRefused(
            f"« {path} » existe déjà : il n'est pas remplacé. Choisissez un autre nom, ou ajoutez "
            "--force pour le remplacer."
        )


def write_file(
    path: Path, data: bytes | str, *, overwrite: bool = False, release: bool = False
) -> None:
    """Write ``data`` to ``path`` (text as UTF-8) by a temporary file and a rename.

    Raises :class:`WriteRefused` (French) when the target may not be written or the
    system refuses."""
    check_target(path, overwrite=overwrite, release=release)
    content = data.encode("utf-8") if isinstance(data, str) else data
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        mode = _mode_for(path)
        descriptor, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        raise WriteRefused(f"Impossible d'écrire « {path} » : {os_reason(error)}.") from error
    temp = Path(temp_name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except OSError as error:
        raise WriteRefused(f"Impossible d'écrire « {path} » : {os_reason(error)}.") from error
    finally:
        if temp.exists():
            temp.unlink()


def _mode_for(path: Path) -> int:
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        return 0o666 & ~_umask()


def _umask() -> int:
    """The process' umask, read without changing it (other threads may be writing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022
