"""Site furniture in release text: what it looks like, and what a batch of releases teaches.

Two kinds of evidence, in this order of trust:

- **Repetition across a batch** (:class:`Furniture`): a line that opens or closes many of
  the files of one input batch ("Coalition News", "Print this page", a breadcrumb) is
  the site's, not the release's. Only the edges of a file are looked at (the lines
  before its first sentence and after its last), so a header block after the title
  ("Press release" / "Media Department"), which every release repeats too, stays.
- **A few hand patterns** for shapes a site has once per page and a batch may not show
  often enough: listing headers ("20 October 2017 In Coalition News"), breadcrumbs,
  share/print links, "Read more", the French footer, "Version en arabe".

A pattern only matches a short line without sentence punctuation inside, so that a
sentence of the release is never dropped; everything dropped is reported with why.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .dates import _ARABIC_DIGITS, _MONTHS

_LINK_WORDS = (
    # English
    r"share|share this|share on \w+|print|print this page|email|e-mail|tweet|read more|more|related"
    r"|related (?:news|articles|posts)|back to top|advertisement|top of page|next|previous|comments?|close"
    r"|(?:for )?(?:more|further) (?:details|information|info)|share this (?:article|story|post)|most read"
    r"|most popular|recommended|sponsored(?: content)?|story continues below(?: this)? advertisement"
    r"|continue reading(?: the main story)?|listen to this (?:article|story)|sign up for (?:our|the) newsletter"
    r"|click here to subscribe"
    # French
    r"|partager|imprimer|imprimer cette page|lire la suite|lire aussi|à lire aussi|envoyer|retour en haut"
    r"|articles similaires|version imprimable|fermer|en savoir plus|plus d'informations|les plus lus"
    r"|publicité|contenu sponsorisé|la suite après (?:cette )?(?:la )?publicité|écouter cet article"
    # Arabic
    r"|مشاركة|شارك|طباعة|اطبع هذه الصفحة|اقرأ المزيد|المزيد|أخبار ذات صلة|إرسال|إغلاق|الأكثر قراءة|إعلان"
)

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:" + _LINK_WORDS + r")\s*[:.»›>…]*$", re.I), "navigation link"),
    # "Read more: Looted colonial art", "À lire aussi : ...": a link to another article.
    (re.compile(r"^(?:read more|read also|see also|related|more on this|lire aussi|à lire aussi|lire la suite|"
                r"voir aussi|sur le même sujet|اقرأ أيضا|اقرأ أيضاً|اقرأ المزيد)\s*[:|\-–—»]\s*\S", re.I),
     "link to another article"),
    (re.compile(r"^(?:image|photo) (?:d')?illustration$|^(?:image|photo) illustrative$", re.I), "picture caption"),
    (re.compile(r"^(?:photo|photos|image|image illustrative|photo d'illustration|crédits? photos?|photo credits?|"
                r"image credits?|credit|crédit|"
                r"source photo|الصورة)\s*:\s*\S.{0,80}$", re.I), "picture credit"),
    (re.compile(r"^(?:tags?|categories|filed under|mots-clés|étiquettes|الوسوم)\s*:", re.I), "tag list"),
    # "Copyright 2024 ...", "© Ministry", not "Copyright law was changed on Monday."
    (re.compile(r"^(?:©|(?:copyright|\(c\))\s*(?:©\s*)?(?:\d{4}|by\b)|all rights reserved|tous droits réservés"
                r"|جميع الحقوق محفوظة)", re.I),
     "copyright notice"),
    (re.compile(r"^(?:home|accueil|الرئيسية)(?:\s*[›»>/|]\s*|\s+)\S", re.I), "breadcrumb"),
    # "20 October 2017 In Coalition News", "21 آذار/مارس 2018 In بيانات صحفية"
    (re.compile(r"^\d{1,2}(?:er)?\s+[^\W\d_]+(?:\s[^\W\d_]+)?\.?(?:\s*/\s*[^\W\d_]+)?\s+\d{4}\s+(?:In|Dans|في)\s+\S.{0,60}$", re.I),
     "listing header"),
    (re.compile(r"(?:items filtered by date|éléments filtrés par date|مواضيع تم تصنيفها حسب التاريخ)", re.I),
     "listing page header"),
    (re.compile(r"^plan du site\b", re.I), "site footer"),
    (re.compile(r"^(?:version en (?:arabe|anglais)|arabic version|english version|النسخة (?:الإنجليزية|الفرنسية))$",
                re.I), "language link"),
    (re.compile(r"^(?:[-=_*•·#]\s*){3,}$"), "separator"),
]

# A link that sits at the end of a header line after a run of spaces (a right-aligned
# link in the page): "Assemblée générale            Version en arabe".
_TRAILING_LINK = re.compile(
    r"[ \t\u00a0]{3,}(?P<link>version en (?:arabe|anglais)|arabic version|english version|print this page"
    r"|imprimer)$", re.I)

# "Follow The Gleaner on Twitter and Instagram ...", "Suivez-nous sur Facebook": the page's, even
# when a second call to action follows in the same paragraph.
_FOLLOW_US = re.compile(r"(?:follow (?:us|[\w@.&' ]{2,40}?) on|suivez[- ]nous sur|تابعونا على|تابعنا على)\s+"
                        r"(?:twitter|facebook|instagram|x\b|youtube|telegram|linkedin|tiktok|تويتر|فيسبوك)", re.I)
# The site's cookie banner, which extraction may keep with the article (two sentences
# or more, so it is looked for before the one-sentence rule below).
_COOKIE_NOTICE = re.compile(
    r"(?:\b(?:this (?:web)?site|we|our (?:web)?site) uses? cookies|\bwe use cookies|\baccept (?:all )?cookies"
    r"|\b(?:nous utilisons|ce site utilise|il utilise) des cookies|\bacceptez (?:les|tous les) cookies"
    r"|(?:يستخدم|نستخدم) (?:هذا الموقع )?(?:ملفات (?:تعريف )?الارتباط|الكوكيز))", re.I)
# A teaser of another article: its opening cut off, then a link "... more" ("Yet, the...
# more", "… Lire la suite", "... المزيد"); no sentence of a release ends so.
_TEASER = re.compile(r"\S(?:\.{3}|…)\s*(?:\[?(?:read more|more|continue reading|lire la suite|la suite|suite"
                     r"|اقرأ المزيد|المزيد)\]?)\s*[»›>]*$", re.I)
# A copyright line, which may hold two sentences ("Copyright 2019 The Associated Press. All
# rights reserved."), and the wire's redistribution notice.
_COPYRIGHT = re.compile(r"^(?:copyright|©|\(c\))\s*(?:©\s*)?(?:\d{4}|by\b)|\b(?:all rights reserved|tous droits réservés"
                        r"|جميع الحقوق محفوظة)\.?$|^this material may not be published, broadcast, rewritten", re.I)
_COOKIE_CONTEXT = re.compile(r"site|brows|experience|consent|privacy|polic|navigat|expérience|confidentialit"
                             r"|données|الموقع|تجربة|الخصوصية", re.I)
_SENTENCE_INSIDE = re.compile(r"[.!?؟][\"'”’»)]*\s+\S")


# Calls to action that close a web article (subscribe, newsletter, the app): looked for
# only in the last paragraphs of a page, and only as the opening of a paragraph.
_CALL_TO_ACTION = re.compile(
    r"^(?:subscribe\b|sign up\b|get (?:the|our) .{0,60}\b(?:by e-?mail|newsletter|daily edition)|"
    r"for the latest (?:stories|news|updates)|download (?:the|our) .{0,30}\bapp\b|"
    r"do you want to be informed|abonnez-vous|inscrivez-vous|recevez (?:notre|la) newsletter|"
    r"téléchargez (?:notre|l')application|اشترك|اشتركوا|حمّل تطبيق|حمل تطبيق)", re.I)
_TAIL_PARAGRAPHS = 3


def call_to_action_reason(paragraph: str, from_end: int) -> str | None:
    """Why a paragraph ``from_end`` places before a page's end (0: the last) is the site's
    call to action ("Subscribe now to our edition ..."), or None."""
    if from_end >= _TAIL_PARAGRAPHS or len(paragraph) > 300:
        return None
    return "call to action" if _CALL_TO_ACTION.match(paragraph.strip()) else None


def boilerplate_reason(line: str, title: str = "") -> str | None:
    """Why ``line`` is site furniture by its shape, or None when it may be release text."""
    stripped = line.strip()
    if not stripped:
        return None
    # The breadcrumb repeats the title after the site's navigation words.
    title = title.strip()
    if title and stripped.endswith(title) and len(stripped) > len(title):
        prefix = stripped[: -len(title)].strip()
        if prefix and not re.search(r"[.!?؟]$", prefix) and len(prefix.split()) <= 8:
            return "breadcrumb"
    if len(stripped) <= 300 and _FOLLOW_US.match(stripped):
        return "social media link"
    if len(stripped) <= 400 and _COOKIE_NOTICE.search(stripped) and _COOKIE_CONTEXT.search(stripped):
        return "cookie notice"
    if len(stripped) <= 400 and _TEASER.search(stripped):
        return "teaser of another article"
    if len(stripped) <= 200 and _COPYRIGHT.search(stripped):
        return "copyright notice"
    if len(stripped) > 200 or _SENTENCE_INSIDE.search(stripped):
        return None
    shape = stripped.translate(_ARABIC_DIGITS)
    for pattern, reason in _PATTERNS:
        if pattern.search(shape):
            return reason
    return None


def split_trailing_link(line: str) -> tuple[str, str | None]:
    """``line`` without a right-aligned link at its end, and the link (None if none)."""
    match = _TRAILING_LINK.search(line)
    if match is None:
        return line, None
    return line[: match.start()].rstrip(), match.group("link")


_MONTH_WORDS = re.compile("|".join(sorted((re.escape(m) for m in _MONTHS if len(m) > 2), key=len, reverse=True)),
                          re.I)


def line_shape(line: str) -> str:
    """What two lines of furniture share: case, digits, month names and spacing ignored
    ("Items filtered by date: Friday, 20 October" and "...: Monday, 7 May" agree)."""
    text = " ".join(line.translate(_ARABIC_DIGITS).split()).casefold()
    text = _MONTH_WORDS.sub("M", text)
    return re.sub(r"\d+", "0", text)


def edge_lines(text: str) -> list[str]:
    """The lines at the edges of a text: its page prelude and its tail (see :func:`edges`)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    prelude_end, tail_start = edges(lines)
    return lines[:prelude_end] + lines[tail_start:]


def edges(lines: Sequence[str]) -> tuple[int, int]:
    """Where a text's prelude ends and its tail starts, as line numbers.

    The prelude is what comes before the first date line (a page header above
    "20 October 2017 In Coalition News" or "Monday, 10 September 2018 16:14"), when
    one comes within the first lines; the tail is what follows the last sentence (a
    line of six or more words ending in sentence punctuation). A header block after
    the date or the title is neither, so it is never learned as furniture."""
    prelude_end = 0
    for number, line in enumerate(lines[:_PRELUDE_LINES]):
        if _is_date_line(line):
            prelude_end = number
            break
    prose = [i for i, line in enumerate(lines) if _is_prose(line.strip())]
    tail_start = prose[-1] + 1 if prose else len(lines)
    return prelude_end, max(tail_start, prelude_end)


_PRELUDE_LINES = 8


def _is_date_line(line: str) -> bool:
    from .dates import parse_date

    return parse_date(line) is not None or boilerplate_reason(line) == "listing header"


def _is_prose(line: str) -> bool:
    return len(line.split()) >= 6 and bool(re.search(r"[.!?؟:»\"”)]$", line))


@dataclass
class Furniture:
    """Lines that recur at the edges of many files of one batch, learned with :meth:`learn`."""

    shapes: dict[str, int] = field(default_factory=dict)
    documents: int = 0

    @classmethod
    def learn(cls, texts: Iterable[str], min_files: int = 3, min_share: float = 0.25) -> Furniture:
        """Furniture of a batch: edge lines whose shape opens or closes at least ``min_files``
        files and ``min_share`` of them."""
        counts: Counter[str] = Counter()
        documents = 0
        for text in texts:
            documents += 1
            counts.update({line_shape(line) for line in edge_lines(text) if len(line.split()) <= 15})
        needed = max(min_files, int(min_share * documents + 0.999))
        return cls({shape: n for shape, n in counts.items() if n >= needed}, documents)

    def reason(self, line: str) -> str | None:
        count = self.shapes.get(line_shape(line))
        if count is None:
            return None
        return f"repeated site line (at the edge of {count} of {self.documents} files in this batch)"


def drop_edge_furniture(lines: Sequence[str], furniture: Furniture | None) -> tuple[list[str], list[str]]:
    """``lines`` without learned furniture at their edges, and what was dropped (with why).

    Lines a hand pattern knows are left for it (its reason is the more telling one)."""
    if furniture is None or not furniture.shapes:
        return list(lines), []
    content = [i for i, line in enumerate(lines) if line.strip()]
    prelude_end, tail_start = edges([lines[i].strip() for i in content])
    edge = set(content[:prelude_end]) | set(content[tail_start:])
    kept, dropped = [], []
    for number, line in enumerate(lines):
        reason = None
        if number in edge and boilerplate_reason(line) is None:
            reason = furniture.reason(line)
        if reason:
            dropped.append(f"{reason}: {shorten(line)}")
        else:
            kept.append(line)
    return kept, dropped


def shorten(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width] + "…"
