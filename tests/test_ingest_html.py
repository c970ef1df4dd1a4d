"""HTML ingest, the extract command, boilerplate and header lines, on real pages and releases
from ../shared/data (skipped with the reason when absent) and on pages written here."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_pipe.cli import main
from translate_pipe.config import IngestConfig
from translate_pipe.errors import InputError
from translate_pipe.ingest import (
    Furniture, Skipped, boilerplate_reason, extract_page, extract_release, looks_like_html, parse_release_text,
    read_releases, releases_from_bytes, site_furniture,
)
from translate_pipe.model import Release
from translate_pipe.segment import segment_document, segment_release

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
PAGES = SHARED / "pages"
RELEASES = SHARED / "releases"


def _shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not here (shared/data is not beside this checkout)")
    return path


def _gold(name: str) -> dict:
    for line in _shared(PAGES / "gold.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if record["file"] == f"html/{name}":
            return record
    pytest.skip(f"{name} is not in gold.jsonl")


def _body(release: Release) -> str:
    return " ".join(" ".join(p.text.split()) for p in release.paragraphs[1:])


# --- pages written here ---------------------------------------------------------------

ARTICLE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="{charset}">
<title>{title} | Ministry of Water</title>
<link rel="canonical" href="https://example.org/news/{slug}.html">
<meta property="article:published_time" content="2024-06-02T09:30:00Z">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/contact">Contact us</a></li></ul></nav>
<article><h1>{title}</h1>
<p>{first}</p>
<p>The ministry said the new pipes would reach another 12 villages before the end of the year, and that the
work had been paid for by the regional development fund and by the three districts together.</p>
<p>Engineers from the water authority will inspect the network every month, the minister added. Residents
can report leaks by telephone or at the offices of their district, which are open every weekday.</p>
<p>Read more: Harbour reopens after storm</p>
<p>Subscribe now to our newsletter for the latest news from the ministry.</p>
</article>
<footer><p>Copyright 2024 Ministry of Water. All rights reserved.</p><p>Share this</p></footer>
</body></html>
"""


def _page(title: str = "Water Project Completed", first: str = "A water project that serves 40 villages was "
          "completed on Sunday, the ministry announced.", lang: str = "en", charset: str = "utf-8",
          slug: str = "water") -> str:
    return ARTICLE.format(title=title, first=first, lang=lang, charset=charset, slug=slug)


def test_a_page_gives_title_date_url_and_body_in_order(tmp_path: Path) -> None:
    path = tmp_path / "water.html"
    path.write_text(_page(), encoding="utf-8")
    (release,) = read_releases([path])
    assert isinstance(release, Release)
    assert release.title == "Water Project Completed"
    assert release.date == "2024-06-02"
    assert release.url == "https://example.org/news/water.html"
    body = [p.text for p in release.paragraphs[1:]]
    assert body[0].startswith("A water project that serves 40 villages")
    assert body[1].startswith("The ministry said") and body[2].startswith("Engineers from")
    assert not any("Read more" in p or "Contact us" in p or "Copyright" in p for p in body)
    reasons = "\n".join(release.dropped)
    assert "link to another article: Read more: Harbour reopens" in reasons
    assert "menu: Contact us" in reasons
    assert "call to action: Subscribe now to our newsletter" in reasons


def test_text_after_a_comment_is_kept_and_the_comment_is_not(tmp_path: Path) -> None:
    # "<h2><!--filter-->Text": the text is the comment's tail; the comment is no text of the page.
    page = _page().replace("<p>The ministry said", "<h2><!--smart_filter-->The summary says that the pipes now "
                           "reach forty villages in the north.</h2><p>The ministry said")
    page = page.replace("<p>A water project", "<div class=\"lead\"><!--smart_filter-->The lead says that the "
                        "pipes reach forty villages.</div><p>A water project")
    path = tmp_path / "comment.html"
    path.write_text(page, encoding="utf-8")
    (release,) = read_releases([path])
    body = [p.text for p in release.paragraphs[1:]]
    assert not any("smart_filter" in p for p in body)
    assert "The summary says that the pipes now reach forty villages in the north." in body
    assert "The lead says that the pipes reach forty villages." in body


def test_link_lines_of_the_site_are_dropped_but_a_contact_address_is_kept(tmp_path: Path) -> None:
    page = _page().replace(
        "<p>Engineers from", "<p class=\"promo\"><a href=\"/signup\">Get the Ministry's Daily Edition by email and "
        "never miss our top stories</a> <a href=\"/signup\">Free Sign Up</a></p><p>Engineers from")
    page = page.replace("<p>Read more: Harbour reopens after storm</p>",
                        "<p>Questions: <a href=\"mailto:press@example.org\">press@example.org</a></p>"
                        "<p>Our Standards: <a href=\"/principles\">The Ministry Trust Principles.</a></p>")
    path = tmp_path / "links.html"
    path.write_text(page, encoding="utf-8")
    (release,) = read_releases([path])
    body = [p.text for p in release.paragraphs[1:]]
    assert not any("Daily Edition" in p or "Trust Principles" in p for p in body), body
    assert "Questions: press@example.org" in body
    assert body[-2].startswith("Engineers from")  # the promotion in the middle is gone, the text around it not
    reasons = "\n".join(release.dropped)
    assert "call to action (a link): Get the Ministry's Daily Edition" in reasons
    assert "link at the end of the article: Our Standards: The Ministry Trust Principles." in reasons


def test_a_linked_sentence_in_the_middle_of_an_article_is_kept(tmp_path: Path) -> None:
    page = _page().replace("<p>Engineers from", "<p><a href=\"/report\">The full report of the water authority was "
                           "published on Monday.</a></p><p>Engineers from")
    path = tmp_path / "linked.html"
    path.write_text(page, encoding="utf-8")
    (release,) = read_releases([path])
    assert "The full report of the water authority was published on Monday." in [p.text for p in release.paragraphs]


def test_loose_text_after_a_block_is_a_paragraph(tmp_path: Path) -> None:
    # Text right in the article's container after a photo block, lines broken by <br>.
    page = _page().replace("<p>A water project", "<div class=\"img_box top\"><div class=\"photo no-print\">"
                           "<img src=\"pipes.jpg\" alt=\"Pipes\"></div><p class=\"cap no-print\">Photo : Agency</p>"
                           "</div>\nAnchor: The lead says that the pipes now reach forty villages in the north.<br>\n"
                           "<b>Report:</b> The engineers worked for two years.<br>\n<p>A water project")
    path = tmp_path / "loose.html"
    path.write_text(page, encoding="utf-8")
    (release,) = read_releases([path])
    body = _body(release)
    assert "Anchor: The lead says that the pipes now reach forty villages in the north." in body
    assert "Report: The engineers worked for two years." in body
    assert body.index("Anchor:") < body.index("A water project")


def test_time_stamps_at_the_edges_of_a_page_are_dropped(tmp_path: Path) -> None:
    # The stamps above the page's heading: the heading (the title again) goes too.
    page = _page().replace("<article><h1>Water Project Completed</h1>",
                           "<article><p>Posted on</p><p>June 2, 2024 News</p><h1>Water Project Completed</h1>")
    page = page.replace("<p>Read more: Harbour reopens after storm</p>",
                        "<p>The meeting was held on May 6, 2024 in Geneva.</p><p>Updated: 2024-06-03 10:00</p>")
    path = tmp_path / "stamps.html"
    path.write_text(page, encoding="utf-8")
    (release,) = read_releases([path])
    body = [p.text for p in release.paragraphs[1:]]
    assert body[0].startswith("A water project") and "The meeting was held on May 6, 2024 in Geneva." in body
    assert not any("Posted on" in p or "News" == p[-4:] or "Updated" in p for p in body), body
    assert {"time stamp: Posted on", "time stamp: June 2, 2024 News", "time stamp: Updated: 2024-06-03 10:00"} <= set(
        release.dropped)
    assert release.date == "2024-06-02"  # from the page's metadata, as before
    assert "title repeated: Water Project Completed" in release.dropped


def test_picture_captions_with_their_credit_are_dropped(tmp_path: Path) -> None:
    page = _page().replace("<p>Engineers from", "<p>The minister at the opening of the new pumping station. Photo: "
                           "Jo Smith/AFP</p><p>Engineers from")
    page = page.replace("<p>Read more: Harbour reopens after storm</p>",
                        "<p>The photo by the agency was shared widely on Monday.</p>")
    path = tmp_path / "captions.html"
    path.write_text(page, encoding="utf-8")
    (release,) = read_releases([path])
    body = [p.text for p in release.paragraphs[1:]]
    assert not any("Jo Smith/AFP" in p for p in body)
    assert "The photo by the agency was shared widely on Monday." in body
    assert any(d.startswith("picture caption: The minister at the opening") for d in release.dropped)


def test_the_declared_charset_is_honoured(tmp_path: Path) -> None:
    path = tmp_path / "latin.htm"
    page = _page(title="Fin des travaux à Genève", first="Les travaux de réfection du réseau d’eau sont terminés"
                 " depuis dimanche, a annoncé le ministère.", lang="fr", charset="iso-8859-1")
    path.write_bytes(page.replace("’", "'").encode("iso-8859-1"))
    (release,) = read_releases([path])
    assert release.title == "Fin des travaux à Genève" and release.lang == "fr"
    assert "réfection du réseau" in _body(release)


def test_a_page_without_html_suffix_is_sniffed_and_read(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "saved_page").write_text(_page(), encoding="utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not a release")
    items = list(read_releases([folder]))
    releases = [i for i in items if isinstance(i, Release)]
    skipped = [i for i in items if isinstance(i, Skipped)]
    assert [r.title for r in releases] == ["Water Project Completed"]
    assert len(skipped) == 1 and skipped[0].origin.endswith("notes.pdf") and "not a release file" in skipped[0].reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10" * 50, "binary"),
        (b"<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
         "no article text"),
    ],
)
def test_bad_pages_are_skipped_with_one_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.html"
    path.write_bytes(content)
    (item,) = read_releases([path])
    assert isinstance(item, Skipped) and item.origin == str(path) and reason in item.reason
    assert "\n" not in item.reason


def test_a_huge_page_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    filler = b"<div><span>x</span></div>\n" * (50_000_000 // 27)
    path.write_bytes(b"<html><body>" + filler + b"</body></html>")
    (item,) = read_releases([path], IngestConfig())
    assert isinstance(item, Skipped) and "max_page_bytes" in item.reason


def test_plain_text_named_html_is_read_as_a_page_or_skipped_with_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "not-really.html"
    path.write_text("Just a line of text without any markup at all.\n", encoding="utf-8")
    (item,) = read_releases([path])
    assert isinstance(item, (Release, Skipped))
    if isinstance(item, Skipped):
        assert item.reason


def test_looks_like_html() -> None:
    assert looks_like_html(b"\xef\xbb\xbf<!DOCTYPE html><html>")
    assert looks_like_html(b"  <!-- saved --><html lang='fr'>")
    assert not looks_like_html(b"Monday, 10 September 2018 16:14\n\nPresident Meets Envoy\n")


# --- the extract command --------------------------------------------------------------

def test_extract_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "water.html"
    path.write_text(_page(), encoding="utf-8")
    assert main(["extract", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Water Project Completed" and lines[1].startswith("A water project") and len(lines) == 4
    assert main(["extract", str(path), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "Water Project Completed" and data["date"] == "2024-06-02"
    assert data["language"] == "en" and data["url"] == "https://example.org/news/water.html"
    assert data["paragraphs"] == lines[1:]
    assert {"reason": "link to another article", "text": "Read more: Harbour reopens after storm"} in data["dropped"]


def test_extract_with_site_drops_what_run_drops_from_the_folder(capsys: pytest.CaptureFixture[str]) -> None:
    folder = _shared(RELEASES / "en")
    by_run = {Path(i.origin).name: i for i in read_releases([folder]) if isinstance(i, Release)}
    furniture = site_furniture(folder)
    for name, release in by_run.items():
        alone = extract_release(folder / name, furniture=furniture)
        assert [p.text for p in alone.paragraphs] == [p.text for p in release.paragraphs], name
        assert alone.dropped == release.dropped, name
    page = folder / "news-2017-10-20.txt"
    assert main(["extract", str(page)]) == 0
    without_site = capsys.readouterr().out.splitlines()
    assert main(["extract", str(page), "--site"]) == 0  # the page's own folder
    with_site = capsys.readouterr().out.splitlines()
    assert without_site[0] == "Coalition News" and "Coalition News" not in with_site
    assert with_site == [" ".join(p.text.split()) for p in by_run["news-2017-10-20.txt"].paragraphs]
    assert main(["extract", str(page), "--site", str(folder), "--format", "json"]) == 0
    dropped = json.loads(capsys.readouterr().out)["dropped"]
    assert any(d["text"] == "Coalition News" and d["reason"].startswith("repeated site line") for d in dropped)


def test_extract_site_must_be_a_folder_with_releases(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    page = tmp_path / "one.txt"
    page.write_text("Title\n\nThe first sentence of the body is here.\n", encoding="utf-8")
    assert main(["extract", str(page), "--site", str(page)]) == 1
    assert "not a folder" in capsys.readouterr().err
    assert main(["extract", str(page), "--site"]) == 1  # one file is too few to learn from
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "fewer than 3" in err[0]


def test_extract_a_jsonl_record_and_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "wire.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "title": "First", "text": "One sentence here."},
        {"id": "b", "title": "Second", "text": "Another sentence here."}]) + "\n", encoding="utf-8")
    assert main(["extract", str(path), "--record", "2"]) == 0
    assert capsys.readouterr().out.splitlines() == ["Second", "Another sentence here."]
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    assert main(["extract", str(empty)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(empty) in err[0] and "empty" in err[0]
    with pytest.raises(InputError, match="no such file"):
        extract_release(tmp_path / "missing.html")


# --- real pages ---------------------------------------------------------------------

@pytest.mark.parametrize("name", ["dw.com.colonial.html", "jamaica.gleaner.com-victims.html",
                                  "lapresse.tn.parite.html", "wikimediafoundation.org.turkey.html"])
def test_real_pages_keep_the_body_and_drop_the_furniture(name: str) -> None:
    gold = _gold(name)
    release = extract_release(_shared(PAGES / gold["file"]))
    body = " ".join(_body(release).split())
    kept = [s for s in gold["with"] if " ".join(s.split()) in body]
    leaked = [s for s in gold["without"] if " ".join(s.split()) in body]
    assert len(kept) >= len(gold["with"]) - 1, kept
    assert not leaked
    assert release.dropped  # the furniture is reported, not silently gone
    if gold["title"]:
        assert release.title
    assert release.lang == gold["lang"]


def test_page_metadata_date_and_canonical_url() -> None:
    gold = _gold("lapresse.tn.parite.html")
    page = extract_page(_shared(PAGES / gold["file"]).read_bytes(), gold["file"])
    assert page.date == gold["date"] and page.title == gold["title"]
    assert page.url == gold["url"]


# --- releases: boilerplate and header lines ---------------------------------------------

def test_listing_headers_breadcrumbs_and_links_are_dropped_with_reasons() -> None:
    items = {Path(i.origin).name: i for i in read_releases([_shared(RELEASES / "en")]) if isinstance(i, Release)}
    news = items["news-2017-10-20.txt"]
    assert any(d.startswith("listing header: 20 October 2017 In Coalition News") for d in news.dropped)
    assert any(d.startswith("breadcrumb: Home Media Center") for d in news.dropped)
    # Learned from the batch: "Coalition News" opens many of these files.
    assert any(d.startswith("repeated site line") and d.endswith("Coalition News") for d in news.dropped)
    assert news.date == "2017-10-20"
    printed = items["2019-03-10-final-communique-44th-session-print.txt"]
    assert "navigation link: Print this page" in printed.dropped


def test_no_sentence_of_a_release_is_dropped() -> None:
    for item in read_releases([_shared(RELEASES)]):
        if isinstance(item, Skipped):
            continue
        for reason in item.dropped:
            text = reason.split(": ", 1)[1]
            # A dropped line is never a sentence: short, or without a sentence end inside.
            assert len(text.split()) <= 16 or not any(mark in text for mark in (". ", "؟ ", "! ")), reason


def test_arabic_and_french_furniture() -> None:
    items = {Path(i.origin).name: i for i in read_releases([_shared(RELEASES / "ar"), _shared(RELEASES / "fr")])
             if isinstance(i, Release)}
    arabic = items["press-2018-03.txt"]
    assert any(d.startswith("listing header: 30 آذار/مارس 2018 In بيانات صحفية") for d in arabic.dropped)
    assert any(d.startswith("listing page header") for d in arabic.dropped)
    assert arabic.date == "2018-03-21"  # the earliest of the listing's items (30 and 21 March)
    french = items["2017-09-15-communique-final-35e-session.txt"]
    assert "language link: Version en arabe" in french.dropped
    assert any(p.text.endswith("Assemblée générale\nLe 15 septembre 2017") for p in french.paragraphs)


def test_hand_shapes_in_three_languages() -> None:
    text = ("Monday, 10 September 2018 16:14\n\nTitle of the release\n\nThe first sentence of the body is here."
            "\n\nLire la suite\n\nPLAN DU SITE Accueil Actualités Contact\n\nاقرأ المزيد\n\nPartager\n")
    release = parse_release_text(text, "x.txt")
    assert [p.text for p in release.paragraphs[1:]] == ["The first sentence of the body is here."]
    assert {d.split(":")[0] for d in release.dropped} == {"navigation link", "site footer"}


@pytest.mark.parametrize("line, reason", [
    ("This website uses cookies and other technology to enhance quality of service. Continuous usage of the "
     "website will be considered as giving consent.", "cookie notice"),
    ("Nous utilisons des cookies pour améliorer l'offre que nous vous proposons. Vous trouverez davantage "
     "d'informations dans la déclaration sur la protection des données.", "cookie notice"),
    ("يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك.", "cookie notice"),
    ("Close", "navigation link"), ("Fermer", "navigation link"), ("For further details >", "navigation link"),
    ("En savoir plus", "navigation link"),
    ("Kaieteur News – The Petroleum Commission is far more important than the Board. Yet, the... more",
     "teaser of another article"),
    ("Le Conseil a voté mardi. La décision… Lire la suite", "teaser of another article"),
    ("دان الائتلاف الوطني القصف... المزيد", "teaser of another article"),
    ("He wanted more... and more.", None), ("The council asked for more...", None),
    ("Copyright 2019 The Associated Press. All rights reserved.", "copyright notice"),
    ("This material may not be published, broadcast, rewritten or redistributed.", "copyright notice"),
    ("Example Media Group. Tous droits réservés.", "copyright notice"),
    ("Copyright law was changed on Monday. The minister said so.", None),
    ("Copyright law was changed on Monday", None), ("Copyright 2024 Ministry of Water", "copyright notice"),
    ("© Ministry of Water", "copyright notice"),
    ("The court said all rights reserved by the state were returned to the people.", None),
    ("Story continues below advertisement", "navigation link"), ("Most Read", "navigation link"),
    ("La suite après cette publicité", "navigation link"), ("الأكثر قراءة", "navigation link"),
    # A sentence of a release that speaks of cookies or of closing is text.
    ("The company said it uses cookies from the local bakery in its canteen.", None),
    ("We use cookies from the bakery.", None),
    ("Close to 300 families were displaced.", None),
])
def test_cookie_banners_and_closing_links(line: str, reason: str | None) -> None:
    assert boilerplate_reason(line) == reason


_OPENING = st.sampled_from(["The", "Officials", "Le", "La", "Our", "This", "We", "Copyright", "Share", "Update"])
_WORDS = st.lists(st.sampled_from(
    ["cookies", "website", "uses", "close", "more", "rights", "reserved", "all", "read", "share", "copyright", "link",
     "privacy", "site", "the", "coalition", "said", "on", "Monday", "and", "policy", "subscribe", "follow", "us",
     "newsletter", "email", "print", "sign", "up", "2019", "©", "des", "droits", "réservés", "suite", "lire"]),
    min_size=5, max_size=25)


@given(_OPENING, _WORDS, st.sampled_from([".", "!", "?"]))
@settings(max_examples=300, deadline=None)
def test_a_sentence_of_words_is_never_furniture(opening: str, words: list[str], end: str) -> None:
    # Whatever words a release uses, a sentence of six or more words ending in a full stop
    # is not site furniture, unless it opens like a copyright line ("Copyright 2019 ...").
    sentence = " ".join([opening, *words]) + end
    reason = boilerplate_reason(sentence)
    assert reason is None or (reason == "copyright notice" and sentence.startswith("Copyright 2019")), sentence


_PARAGRAPH = st.builds(lambda opening, words: " ".join([opening, *words]) + ".",
                       st.sampled_from(["The", "Officials", "Residents", "Engineers", "This", "We"]), _WORDS)


@given(st.lists(_PARAGRAPH, min_size=3, max_size=7, unique=True), st.booleans())
@settings(max_examples=40, deadline=None)
def test_every_paragraph_of_an_article_page_is_kept_in_order(paragraphs: list[str], linked: bool) -> None:
    # Whatever words they use (cookies, rights reserved, share, more ...), and even when a
    # link sits in them, the article's paragraphs all come out, in order.
    body = "".join(f"<p>{p}</p>" if not linked else f"<p>{p} <a href=\"/x\">details</a></p>" for p in paragraphs)
    page = _page().replace("<p>Read more: Harbour reopens after storm</p>", "").replace(
        "<p>Subscribe now to our newsletter for the latest news from the ministry.</p>", body)
    (release,) = releases_from_bytes("page.html", page.encode("utf-8"))
    assert isinstance(release, Release)
    text = "\n".join(p.text for p in release.paragraphs)
    positions = [text.find(p if not linked else f"{p} details") for p in paragraphs]
    assert all(position >= 0 for position in positions), (paragraphs, release.dropped)
    assert positions == sorted(positions)


def test_a_line_repeated_at_the_edges_of_a_batch_is_furniture_but_header_lines_are_not() -> None:
    texts = [f"Site Name News\nMonday, {day} May 2018 10:00\n\nTitle {day}\n\nPress release\nMedia Department\n\n"
             f"The body sentence number {day} says something new today.\n\nFollow us on our channels\n"
             for day in range(1, 6)]
    furniture = Furniture.learn(texts)
    release = parse_release_text(texts[0], "1.txt", furniture=furniture)
    assert "Press release\nMedia Department" in [p.text for p in release.paragraphs]
    dropped = [d.split(": ", 1)[1] for d in release.dropped]
    assert dropped == ["Site Name News", "Follow us on our channels"]
    # Learned from one file only, nothing is furniture.
    assert Furniture.learn(texts[:1]).shapes == {}


def test_header_block_gives_the_same_segments_in_run_and_segment() -> None:
    path = _shared(RELEASES / "en" / "2018-03-22-russian-forces-two-massacres-rural-idlib.txt")
    text = path.read_text(encoding="utf-8")
    (release,) = read_releases([path])
    run_segments = [s.text for s in segment_release(release)]
    segment_lines = [" ".join(s.text.splitlines()) for s in segment_document(text, "en")]
    for line in ("Press release", "Syrian Coalition", "Media Department", "March 22, 2018"):
        assert line in run_segments and line in segment_lines
    # run keeps segment's sentences in order, minus the date line and the dropped breadcrumb.
    iterator = iter(segment_lines)
    assert all(any(s == line for line in iterator) for s in run_segments)
    assert len(segment_lines) - len(run_segments) == 2


def test_header_block_run_end_to_end_stores_separate_segments(
    tmp_path: Path, model_args: list[str], fast_config_file: Path
) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "water.html").write_text(_page(), encoding="utf-8")
    (folder / "harbour.htm").write_text(_page(title="Harbour Reopens After Storm", slug="harbour",
                                              first="The harbour reopened on Monday after the storm damage was "
                                                    "repaired, the port authority said."), encoding="utf-8")
    (folder / "header.txt").write_text(
        "Thursday, 22 March 2018 10:26\n\nMinistry Opens New School\n\nPress release\nMinistry of Education\n"
        "March 22, 2018\n\nThe ministry opened a new school in the north on Wednesday.\n", encoding="utf-8")
    db = tmp_path / "t.db"
    assert main(["run", str(folder), "--to", "fr", "--db", str(db), "--config", str(fast_config_file),
                 "--strict", *model_args]) == 0
    with sqlite3.connect(db) as conn:
        titles = {t for (t,) in conn.execute("SELECT title FROM releases")}
        sources = {s for (s,) in conn.execute("SELECT source FROM releases")}
        segments = [t for (t,) in conn.execute("SELECT text FROM segments")]
        translated = conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
    assert titles == {"Water Project Completed", "Harbour Reopens After Storm", "Ministry Opens New School"}
    assert "https://example.org/news/water.html" in sources
    assert {"Press release", "Ministry of Education", "March 22, 2018"} <= set(segments)
    assert not any("Read more" in s for s in segments)
    assert translated == len(segments)
    # A bad page in a second run: one line, exit 1 with --strict, nothing stored lost.
    (folder / "broken.html").write_bytes(b"\x00\x01\x02" * 100)
    assert main(["run", str(folder), "--to", "fr", "--db", str(db), "--config", str(fast_config_file),
                 "--strict", *model_args]) == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0] == translated
