"""What every input kind shares: the skip record, release ids, decoding bytes to text,
the characters ingest removes or flags, and how file names are shown in messages."""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..model import Paragraph


@dataclass(frozen=True)
class Skipped:
    """An input that was not read as a release, and why."""

    origin: str
    reason: str


def display_name(path: str | Path) -> str:
    """A file name as messages print it: one line, no terminal escapes.

    Names that are not valid UTF-8 come from the file system as surrogate escapes;
    they are shown as ``\\xNN`` instead of aborting the print, and newlines, tabs and
    other control characters as Python escapes, so a warning is always one line.
    """
    text = str(path)
    if text.isprintable():
        return text
    shown = []
    for char in text:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte the file system could not decode
            shown.append(f"\\x{code - 0xDC00:02x}")
        elif char.isprintable() and char != "\\" or char == " ":
            shown.append(char)
        else:
            shown.append(char.encode("unicode_escape").decode("ascii"))
    return "".join(shown)


def release_id(title: str, paragraphs: Iterable[Paragraph]) -> str:
    """Content hash of a release: the same text under another name gets the same id."""
    digest = hashlib.sha256()
    for part in (title, *(p.text for p in paragraphs)):
        normalised = " ".join(unicodedata.normalize("NFC", part).split())
        digest.update(normalised.encode("utf-8"))
        digest.update(b"\x00")
    return digest.hexdigest()[:16]


_UTF16_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
               (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def decode_text(data: bytes, origin: str) -> str:
    """Bytes of a release file as text, or :class:`InputError` naming ``origin``.

    UTF-8 (with or without a byte-order mark) and UTF-16/32 with a byte-order mark are
    read; anything else is refused with the encoding named when it can be told.
    """
    name = display_name(origin)
    for bom, encoding in _UTF16_BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}: starts with a {encoding.upper()} byte-order mark but is not valid "
                                 f"{encoding.upper()} (byte {exc.start})") from None
            if not _plausible(text):
                raise InputError(f"{name}: binary file (starts like {encoding.upper()} but does not decode to "
                                 f"text in a known script)")
            return text
    head = data[:65536]
    if head.count(b"\x00") > len(head) // 4 and _looks_like_bomless_utf16(head):
        raise InputError(f"{name}: looks like UTF-16 without a byte-order mark; convert it with "
                         f"iconv -f UTF-16LE -t UTF-8 (or UTF-16BE)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if b"\x00" in head:
            raise InputError(f"{name}: binary file (NUL bytes), not a text release") from None
        raise InputError(f"{name}: not valid UTF-8 (byte {exc.start}); convert it with iconv first") from None
    if text and text.count("\x00") * 10 > min(len(text), 65536):
        raise InputError(f"{name}: binary file (NUL bytes), not a text release")
    return text


def _plausible(text: str) -> bool:
    """Whether text decoded from UTF-16/32 is mostly Latin, Arabic, punctuation or space
    (random bytes after a byte-order mark decode to CJK and private-use characters)."""
    sample = text[:10_000].lstrip("\ufeff")
    if not sample:
        return True
    usual = sum(1 for c in sample if ord(c) < 0x250 or 0x600 <= ord(c) < 0x700 or 0x2000 <= ord(c) < 0x2070
                or 0xFB50 <= ord(c) < 0xFF00)
    return usual >= 0.6 * len(sample) and "\x00" not in sample


def _looks_like_bomless_utf16(head: bytes) -> bool:
    even, odd = head[0::2], head[1::2]
    return even.count(0) > len(even) * 0.6 or odd.count(0) > len(odd) * 0.6


def read_text(path: Path) -> str:
    """The file's text, or :class:`InputError` for binary or undecodable content."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{display_name(path)}: cannot read: {exc.strerror}") from None
    return decode_text(data, str(path))


def read_lines(path: Path) -> list[str]:
    """A file's lines, split on line breaks only (as sacrebleu and aligners count lines):
    U+2028 or a form feed inside a line does not make two."""
    lines = read_text(path).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


# Explicit bidirectional embeddings, overrides and isolates: invisible, they can make
# text display in another order than it is stored (and translated).
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile("[" + BIDI_CONTROLS + "]")


def clean_text(text: str) -> tuple[str, list[str], list[str]]:
    """``text`` without NUL characters, what was removed, and warnings about what stays.

    NUL is removed at ingest so that every store (SQLite keeps it, PostgreSQL refuses
    it) holds the same text. Bidi controls are kept (right-to-left text may need them)
    but flagged: an override can show a sentence in another order than it is stored.
    """
    removed: list[str] = []
    warnings: list[str] = []
    if "\x00" in text:
        removed.append(f"NUL characters: {text.count(chr(0))} removed")
        text = text.replace("\x00", "")
    if _BIDI.search(text):
        found = sorted({f"U+{ord(c):04X}" for c in _BIDI.findall(text)})
        warnings.append(f"bidirectional control characters ({', '.join(found)}): "
                        f"the text may display in another order than it is stored")
    return text, removed, warnings


def reason_of(exc: InputError, path: Path | str) -> str:
    """The message of ``exc`` without the leading ``PATH: `` (callers print it themselves)."""
    message = str(exc)
    for prefix in (f"{display_name(path)}: ", f"{path}: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message
