"""Files from translators' tools back into the store, one module per format.

``xliff``: post-edited XLIFF 1.2/2.0 (from ``export --format xliff``/``xliff1``) as review
versions of the pairs. ``tmx``: an existing translation memory, used before the model.
The kind of a file is read from its root element, not its name.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ..errors import InputError


def file_kind(path: str | Path) -> str:
    """``xliff`` or ``tmx``, from the file's root element (read without parsing the rest)."""
    path = Path(path)
    try:
        for _, element in etree.iterparse(str(path), events=("start",), resolve_entities=False, no_network=True):
            name = etree.QName(element)
            if name.localname == "xliff":
                return "xliff"
            if name.localname == "tmx":
                return "tmx"
            raise InputError(f"{path}: neither XLIFF nor TMX (root element {element.tag})")
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{path}: not well-formed XML: {exc.msg}") from None
    raise InputError(f"{path}: empty file")


__all__ = ["file_kind"]
