"""Reading PDF files with pypdf: page count, and whether the file is encrypted.

pypdf is imported when a PDF is first probed: it costs 60 ms, and most runs (every ``harness`` command loads
this plugin) have no PDF.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from harness_gemini.probe import ProbeError


@dataclass(frozen=True)
class PdfProbe:
    pages: int
    #: The file is encrypted, but opens without a password (an owner password only restricts editing).
    encrypted: bool


def probe_pdf(path: Path) -> PdfProbe:
    """Count the pages of a PDF; raise ProbeError when it cannot be read or needs a password to open."""
    stat = path.stat()
    return _probe_pdf(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _probe_pdf(path: str, size: int, mtime_ns: int) -> PdfProbe:
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError, PyPdfError

    try:
        reader = PdfReader(path)
        encrypted = reader.is_encrypted
        if encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise ProbeError("the PDF needs a password to open, so the model cannot read it; remove the password")
        return PdfProbe(pages=len(reader.pages), encrypted=encrypted)
    except ProbeError:
        raise
    except (PyPdfError, DependencyError, OSError, ValueError, KeyError, TypeError) as error:
        raise ProbeError(str(error) or type(error).__name__) from error
