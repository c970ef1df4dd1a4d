"""The schemas shipped with the tests are the published ones, and they do reject bad files."""

from __future__ import annotations

import pytest
from lxml import etree

from .conftest import SHARED_DATA, STANDARDS, TMX_DTD, XLIFF_SCHEMAS

SHIPPED = [TMX_DTD, XLIFF_SCHEMAS / "xliff_core_2.0.xsd", XLIFF_SCHEMAS / "xliff-core-1.2-strict.local.xsd",
           XLIFF_SCHEMAS / "informativeCopiesOf3rdPartySchemas" / "w3c" / "xml.xsd"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_the_shipped_standard_is_the_development_datas_copy(path) -> None:
    upstream = SHARED_DATA / path.relative_to(STANDARDS)
    if not upstream.exists():
        pytest.skip(f"{upstream} is not beside this checkout: nothing to compare the shipped copy with")
    assert path.read_bytes() == upstream.read_bytes()


def test_the_tmx_dtd_rejects_a_unit_without_segments() -> None:
    dtd = etree.DTD(str(TMX_DTD))
    good = etree.fromstring(
        b'<tmx version="1.4"><header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t"'
        b' adminlang="en" srclang="en" datatype="plaintext"/><body><tu><tuv xml:lang="en"><seg>Hi.</seg></tuv>'
        b'</tu></body></tmx>')
    assert dtd.validate(good), dtd.error_log.filter_from_errors()
    bad = etree.fromstring(etree.tostring(good).replace(b"<seg>Hi.</seg>", b""))
    assert not dtd.validate(bad)


def test_the_xliff_schemas_load_offline_and_reject_a_unit_without_a_source() -> None:
    schema = etree.XMLSchema(etree.parse(str(XLIFF_SCHEMAS / "xliff_core_2.0.xsd")))
    ns = "urn:oasis:names:tc:xliff:document:2.0"
    good = etree.fromstring(f'<xliff xmlns="{ns}" version="2.0" srcLang="en"><file id="f"><unit id="u">'
                            f'<segment><source>Hi.</source></segment></unit></file></xliff>'.encode())
    assert schema.validate(good), schema.error_log.filter_from_errors()
    bad = etree.fromstring(etree.tostring(good).replace(b"<source>Hi.</source>", b""))
    assert not schema.validate(bad)
    etree.XMLSchema(etree.parse(str(XLIFF_SCHEMAS / "xliff-core-1.2-strict.local.xsd")))  # imports resolve locally
