"""SharePoint Online's rules for file and folder names, applied so that every change is visible: a name is made
safe (characters SharePoint refuses become '_', leading/trailing spaces and trailing dots go, reserved names get a
suffix, long names are shortened keeping the extension) and the reason is returned for the report."""
from __future__ import annotations

import re

_INVALID = re.compile(r'["*:<>?/\\|\x00-\x1f]')
_RESERVED = {".lock", "con", "prn", "aux", "nul", "desktop.ini",
             *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))}
MAX_NAME = 255  # characters of one path segment
MAX_PATH = 400  # characters of the decoded path below the site


def safe_name(name: str, fallback: str) -> tuple[str, str | None]:
    """(a name SharePoint accepts, why it differs from `name` or None)."""
    reasons: list[str] = []
    cleaned = _INVALID.sub("_", name)
    if cleaned != name:
        reasons.append("characters SharePoint does not allow replaced by '_'")
    safe = cleaned.strip().rstrip(".").strip()
    if safe != cleaned:
        reasons.append("leading/trailing spaces or trailing dots removed")
    if safe.startswith("~$"):
        safe = "_" + safe[1:]
        reasons.append("a leading '~$' is reserved")
    if "_vti_" in safe.lower():
        safe = re.sub("_vti_", "_vti-", safe, flags=re.IGNORECASE)
        reasons.append("'_vti_' is reserved")
    if not safe:
        safe = fallback
        reasons.append("the name was empty")
    stem, dot, extension = _split(safe)
    if safe.lower() in _RESERVED or stem.lower() in _RESERVED:
        safe = f"{stem}_{dot}{extension}"
        reasons.append("a reserved name")
        stem = stem + "_"
    if len(safe) > MAX_NAME:
        keep = MAX_NAME - len(dot + extension)
        safe = stem[:keep].rstrip() + dot + extension if dot and keep > 0 else safe[:MAX_NAME].rstrip()
        reasons.append(f"shortened to {MAX_NAME} characters")
    return safe, "; ".join(reasons) or None


def _split(name: str) -> tuple[str, str, str]:
    return name.rpartition(".") if "." in name[1:] else (name, "", "")


def numbered(name: str, tag: str, max_length: int = MAX_NAME) -> str:
    """`Letter.pdf` with tag `Clio 123` → `Letter (Clio 123).pdf`: a second file of the same name in one folder,
    or a name shortened to `max_length` (the stem is cut; the tag and extension stay)."""
    stem, dot, extension = _split(name)
    suffix = f" ({tag})"
    return stem[:max(0, max_length - len(suffix + dot + extension))].rstrip() + suffix + dot + extension
