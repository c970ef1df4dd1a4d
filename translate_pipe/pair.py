"""Which release translates which: pair English documents with French or Arabic ones by content.

Folders saved from the English, French and Arabic sites have unrelated file names, some
releases exist in one language only, and a translation may stop paragraphs early. A
document is reduced to *anchors* that survive translation: the dates it mentions, its
numbers, its names (a consonant skeleton that a name keeps in Latin and Arabic script),
the countries it names (CLDR names through Babel) and, for French, word stems that
English shares; with a translator, also the content words of the MT of its first
sentences. Against Arabic, names whose Arabic form keeps none of the Latin consonants
(Aleppo/حلب) are learned from the pairs a first pass finds, and a second pass uses them. Rare anchors weigh more (inverse document frequency over both folders), and
an inverted index over the anchors finds candidates, so no pair of documents that shares
nothing is ever scored.

A listing page that holds several releases ("30 August 2017 In Coalition News" before
each) is split into its items first; each item is paired on its own, so the item that
is the translation pairs even when the rest of the page is about something else.

The decision is mutual best with a threshold: an item pairs with the item that scores
highest with it only if it is also that item's best, and the score is high enough.
A release with no counterpart therefore stays unpaired, and of two releases of the same
day, the one that shares the names and numbers wins.
"""

from __future__ import annotations

import heapq
import logging
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from .config import PairConfig
from .errors import InputError
from .signals import (
    content_words,
    country_codes,
    dates_in,
    latin_name_runs,
    length_agreement,
    name_keys,
    numbers_in,
    script_share,
)

log = logging.getLogger(__name__)

#: Weight of each kind of anchor, before its rarity: a date or a number that two texts
#: share says more than a name skeleton (which can collide) or a word stem.
ANCHOR_WEIGHTS = {"date": 1.5, "number": 1.0, "name": 1.0, "country": 0.6, "stem": 0.3, "mt": 0.6, "learned": 0.8}

# "30 August 2017 In Coalition News", "21 آذار/مارس 2018 In بيانات صحفية": the header
# of each item of a listing page.
_LISTING_HEADER = re.compile(
    r"(?<![\w\d])[\d٠-٩]{1,2}\s+[^\W\d_]+(?:\s[^\W\d_]+)?(?:\s*/\s*[^\W\d_]+)?[,،]?\s+[\d٠-٩]{4}\s+In\s", re.UNICODE)


_MIN_ITEM_CHARS = 200
_OPENING_CHARS = 300


#: How the pairing decides (the ``pair`` section of the config):
#: ``threshold``, the lowest score of an accepted pair (tuned on bench/pair_quality.py);
#: ``norm_prior``, added to each item's total anchor weight, so that two items with few
#: anchors, sharing two or three topical ones (the same countries), do not look alike;
#: ``sure_score`` and ``min_margin``, below ``sure_score`` a pair must score
#: ``min_margin`` times the runner-up of either side; ``max_days_apart`` and
#: ``date_disagreement``, releases dated further apart have their score multiplied by
#: it; ``max_df_share``, anchors found in more than this share of the documents of a
#: side are too common to count; ``index_df_share``/``index_min_df``, anchors in more
#: documents than this share (or count, whichever is larger) count in the score but do
#: not bring candidates; ``candidates``, how many candidates of each English item are
#: scored in full; ``mt_sentences``, how many first sentences of each English item the
#: translator translates.
PairingOptions = PairConfig


@dataclass(frozen=True)
class PairingDocument:
    """A document to pair: where it came from, its language, its text and (if known) its date."""

    origin: str
    lang: str
    text: str
    date: str | None = None


@dataclass(frozen=True)
class DocumentPair:
    """An English document and its translation, with the pairing score in [0, 1]."""

    en: str
    other: str
    score: float


@dataclass(frozen=True)
class PairingResult:
    pairs: tuple[DocumentPair, ...]
    unpaired_en: tuple[str, ...]
    unpaired_other: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...] = ()


@dataclass
class _Unit:
    """One release: a whole document, or one item of a listing page.

    ``kinds`` maps each anchor to its kind; ``weights`` each anchor that counts to its
    weight (kind weight times rarity); ``day`` is the release's date as a day number.
    """

    doc: int
    text: str
    day: int | None = None
    kinds: dict[str, str] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)
    norm: float = 0.0


# --- items of a listing page ---------------------------------------------------------


def split_listing(text: str) -> list[str]:
    """The releases of ``text``: one per listing header after the first, else the whole text."""
    starts = [m.start() for m in _LISTING_HEADER.finditer(text)]
    if len(starts) < 2:
        return [text]
    cuts = [0, *starts[1:], len(text)]
    items: list[str] = []
    carry = ""
    for a, b in zip(cuts, cuts[1:]):
        part = carry + text[a:b]
        # A header with no release under it (the page title repeats the first header)
        # belongs to the item that follows.
        if len(part.strip()) < _MIN_ITEM_CHARS and b < len(text):
            carry = part
            continue
        items.append(part)
        carry = ""
    if carry.strip() and items:
        items[-1] += carry
    return items or [text]


# --- anchors -----------------------------------------------------------------------


def anchors_of(text: str, lang: str, date: str | None = None, tgt_lang: str | None = None) -> dict[str, str]:
    """Anchor → kind, for one release in ``lang`` (``en``, ``fr`` or ``ar``), to be
    compared with releases in ``tgt_lang``."""
    anchors: dict[str, str] = {}
    year = int(date[:4]) if date and date[:4].isdigit() else None
    days = dates_in(text, year) | ({date[:10]} if date else set())
    # The day and year of a date are not numbers of their own: they would count twice.
    in_dates = {part.lstrip("0") for day in days for part in day.split("-") if part}
    for day in days:
        anchors["d:" + day] = "date"
    for number in numbers_in(text, lang):
        if number in in_dates:
            continue
        if len(number) >= 2 or "." in number:  # 1-digit numbers are everywhere
            anchors.setdefault("n:" + number, "number")
    for key in name_keys(text, lang, joined=tgt_lang == "ar"):
        anchors.setdefault("k:" + key, "name")
    for code in country_codes(text, lang):
        anchors["c:" + code] = "country"
    if lang != "ar" and tgt_lang != "ar":
        # French and English share long word stems ("humanitaire"/"humanitarian").
        for word in content_words(text, lang, min_length=7):
            anchors.setdefault("s:" + word[:5], "stem")
    return anchors


# --- pairing -----------------------------------------------------------------------


def pair_documents(
    english: Sequence[PairingDocument],
    others: Sequence[PairingDocument],
    tgt_lang: str,
    translator=None,
    options: PairingOptions | None = None,
    progress=None,
    english_mt: Sequence[str] | None = None,
) -> PairingResult:
    """Pair each English document with the document of ``others`` that translates it, if any.

    ``translator`` (a :class:`~translate_pipe.translate.Translator` into ``tgt_lang``)
    adds the content words of the MT of each item's first sentences as anchors;
    ``english_mt`` (the MT of each English document, already made) does the same
    without translating again.
    """
    options = options or PairingOptions()
    en_units = _units(english, "en", tgt_lang)
    other_units = _units(others, tgt_lang, tgt_lang)
    if english_mt is not None:
        _add_word_anchors(en_units, other_units, tgt_lang, [english_mt[unit.doc] for unit in en_units])
    elif translator is not None:
        _add_mt_anchors(en_units, other_units, tgt_lang, translator, options, progress)
    matches = _pair_units(en_units, other_units, tgt_lang, options, progress)
    if tgt_lang == "ar" and len(matches) >= _MIN_PAIRS_TO_LEARN:
        # Names Arabic writes other than by their consonants (Aleppo/حلب, Germany/ألمانيا,
        # Security Council/مجلس الأمن) are learned from the pairs found, then the pairing
        # runs again with them.
        if _add_learned_anchors(en_units, other_units, matches):
            matches = _pair_units(en_units, other_units, tgt_lang, options, progress)
    accepted: dict[tuple[int, int], float] = {}
    for i, j, score in matches:
        key = (en_units[i].doc, other_units[j].doc)
        accepted[key] = max(score, accepted.get(key, 0.0))
    pairs = tuple(DocumentPair(english[a].origin, others[b].origin, round(min(1.0, s), 4))
                  for (a, b), s in sorted(accepted.items()))
    paired_en = {a for a, _ in accepted}
    paired_other = {b for _, b in accepted}
    return PairingResult(
        pairs=pairs,
        unpaired_en=tuple(d.origin for n, d in enumerate(english) if n not in paired_en),
        unpaired_other=tuple(d.origin for n, d in enumerate(others) if n not in paired_other),
    )


def _pair_units(en_units: list[_Unit], other_units: list[_Unit], tgt_lang: str, options: PairingOptions,
                progress) -> list[tuple[int, int, float]]:
    weights = _anchor_weights(en_units, other_units, options)
    for unit in (*en_units, *other_units):
        unit.weights = {a: weights[a] * ANCHOR_WEIGHTS[kind] for a, kind in unit.kinds.items() if weights.get(a, 0.0) > 0}
        unit.norm = math.sqrt(sum(unit.weights.values()) + options.norm_prior)
    top_en, top_other = _best_two(en_units, other_units, tgt_lang, options, progress)
    return _mutual_best(top_en, top_other, options)


_MIN_PAIRS_TO_LEARN = 5


def _add_learned_anchors(en_units: list[_Unit], other_units: list[_Unit], matches: list[tuple[int, int, float]]) -> int:
    """Learn (English name word, Arabic word) pairs that occur together in the matched
    items and rarely apart; give both sides an anchor for each. Returns how many were learned."""
    en_words = [{word.lower() for word, _ in latin_name_runs(unit.text)} for unit in en_units]
    ar_words = [_with_proclitic_stripped(content_words(unit.text, "ar", min_length=3)) for unit in other_units]
    en_count: Counter[str] = Counter()
    ar_count: Counter[str] = Counter()
    for i, j, _ in matches:
        en_count.update(en_words[i])
        ar_count.update(ar_words[j])
    joint: Counter[tuple[str, str]] = Counter()
    for i, j, _ in matches:
        names = [w for w in en_words[i] if en_count[w] >= 2]
        words = [w for w in ar_words[j] if ar_count[w] >= 2]
        joint.update((e, a) for e in names for a in words)
    lexicon: dict[str, str] = {}
    best: dict[str, float] = {}
    for (e, a), together in joint.items():
        if together < 2:
            continue
        dice = 2 * together / (en_count[e] + ar_count[a])
        if dice >= _LEARN_MIN_DICE and dice > best.get(e, 0.0):
            lexicon[e], best[e] = a, dice
    for unit, words in zip(en_units, en_words):
        for word in words & lexicon.keys():
            unit.kinds["l:" + word] = "learned"
    by_arabic: dict[str, list[str]] = defaultdict(list)
    for e, a in lexicon.items():
        by_arabic[a].append(e)
    for unit, words in zip(other_units, ar_words):
        for word in words & by_arabic.keys():
            for e in by_arabic[word]:
                unit.kinds["l:" + e] = "learned"
    return len(lexicon)


_LEARN_MIN_DICE = 0.7


def _with_proclitic_stripped(words: set[str]) -> set[str]:
    """Arabic words, and each also without a one-letter proclitic (و, ب, ل, ف, ك): "ودمشق"."""
    return words | {w[1:] for w in words if len(w) >= 4 and w[0] in "وبلفك"}


_TopTwo = dict[int, list[tuple[float, int]]]  # item -> its two best (score, other item), best first


def _best_two(en_units: list[_Unit], other_units: list[_Unit], tgt_lang: str, options: PairingOptions,
              progress) -> tuple[_TopTwo, _TopTwo]:
    """The two best-scoring counterparts of every item, on each side."""
    # Candidates come from the rarer anchors only (an anchor in many documents would make
    # every document a candidate of every other); the score then uses all anchors.
    df_other: dict[str, int] = defaultdict(int)
    for unit in other_units:
        for anchor in unit.weights:
            df_other[anchor] += 1
    index_cap = max(options.index_min_df, options.index_df_share * len(other_units))
    postings: dict[str, list[int]] = defaultdict(list)
    for j, unit in enumerate(other_units):
        for anchor in unit.weights:
            if df_other[anchor] <= index_cap:
                postings[anchor].append(j)

    if progress is not None:
        progress.start("pairing", len(en_units))
    top_en: _TopTwo = defaultdict(list)
    top_other: _TopTwo = defaultdict(list)
    for i, unit in enumerate(en_units):
        shared: dict[int, float] = defaultdict(float)
        for anchor, weight in unit.weights.items():
            for j in postings.get(anchor, ()):
                shared[j] += weight
        for j, _ in heapq.nlargest(options.candidates, shared.items(), key=lambda item: item[1]):
            score = _score(unit, other_units[j], tgt_lang, options)
            _keep_two(top_en[i], (score, j))
            _keep_two(top_other[j], (score, i))
        if progress is not None:
            progress.advance()
    if progress is not None:
        progress.finish()
    return top_en, top_other


def _score(unit: _Unit, other: _Unit, tgt_lang: str, options: PairingOptions) -> float:
    """Shared anchor weight over the geometric mean of both items' weights, in [0, 1],
    lowered when the lengths do not fit a translation or the dates are days apart."""
    if not unit.norm or not other.norm:
        return 0.0
    small, large = (unit.weights, other.weights) if len(unit.weights) < len(other.weights) else \
        (other.weights, unit.weights)
    score = sum(weight for anchor, weight in small.items() if anchor in large) / (unit.norm * other.norm)
    score *= 0.8 + 0.2 * length_agreement(len(unit.text), len(other.text), tgt_lang)
    if unit.day is not None and other.day is not None and abs(unit.day - other.day) > options.max_days_apart:
        score *= options.date_disagreement
    return score


def _mutual_best(top_en: _TopTwo, top_other: _TopTwo, options: PairingOptions) -> list[tuple[int, int, float]]:
    """(English item, other item, score) for each pair that is each other's best and
    passes the threshold and the margin."""
    accepted = []
    for i, best in top_en.items():
        score, j = best[0]
        if score < options.threshold or top_other[j][0][1] != i:
            continue
        # How far the pair stands above the runner-up of either side: a release without
        # a counterpart has a best match too, but one barely above its others.
        runner_up = max([s for s, _ in best[1:]] + [s for s, _ in top_other[j][1:]] + [1e-9])
        if score < options.sure_score and score / runner_up < options.min_margin:
            continue
        accepted.append((i, j, score))
    return accepted


def _keep_two(top: list[tuple[float, int]], item: tuple[float, int]) -> None:
    if not top or item[0] > top[0][0]:
        top.insert(0, item)
    elif len(top) < 2 or item[0] > top[1][0]:
        top.insert(1, item)
    del top[2:]


def _primary_date(text: str, date: str | None) -> str | None:
    """The day a release is dated: its dateline, else the first full date of its opening."""
    if date:
        return date[:10]
    found = sorted(d for d in dates_in(text[:_OPENING_CHARS]) if not d.startswith("--"))
    if not found:
        return None
    # The earliest full date of the opening: headers name the day of publication or the
    # day before, later text may look back.
    return found[0]


def _day_number(day: str | None) -> int | None:
    if not day:
        return None
    try:
        return date.fromisoformat(day).toordinal()
    except ValueError:
        return None


def _units(documents: Sequence[PairingDocument], lang: str, tgt_lang: str) -> list[_Unit]:
    units = []
    for n, document in enumerate(documents):
        for k, text in enumerate(split_listing(document.text)):
            dated = document.date if k == 0 else None
            units.append(_Unit(n, text, _day_number(_primary_date(text, dated)),
                               anchors_of(text, lang, dated, tgt_lang)))
    return units


def _add_mt_anchors(en_units: list[_Unit], other_units: list[_Unit], tgt_lang: str, translator,
                    options: PairingOptions, progress) -> None:
    from .segment import split_sentences

    sentences = [split_sentences(unit.text, "en")[: options.mt_sentences] for unit in en_units]
    flat = [s for group in sentences for s in group]
    if progress is not None:
        progress.start("MT for pairing", len(flat))
    outputs: list[str] = []
    batch = 32
    for start in range(0, len(flat), batch):
        outputs.extend(r.text for r in translator.translate(flat[start:start + batch]))
        if progress is not None:
            progress.advance(len(flat[start:start + batch]))
    if progress is not None:
        progress.finish()
    position = 0
    mt_texts = []
    for group in sentences:
        mt_texts.append(" ".join(outputs[position:position + len(group)]))
        position += len(group)
    _add_word_anchors(en_units, other_units, tgt_lang, mt_texts)


def _add_word_anchors(en_units: list[_Unit], other_units: list[_Unit], tgt_lang: str, mt_texts: Sequence[str]) -> None:
    for unit, mt in zip(en_units, mt_texts):
        for word in content_words(mt, tgt_lang):
            unit.kinds.setdefault("m:" + word, "mt")
    for unit in other_units:
        for word in content_words(unit.text, tgt_lang):
            unit.kinds.setdefault("m:" + word, "mt")


def _anchor_weights(en_units: list[_Unit], other_units: list[_Unit], options: PairingOptions) -> dict[str, float]:
    """Inverse document frequency of each anchor over both sides; 0 for anchors too common
    to index (on either side) or found on one side only."""
    df_en: dict[str, int] = defaultdict(int)
    df_other: dict[str, int] = defaultdict(int)
    for unit in en_units:
        for anchor in unit.kinds:
            df_en[anchor] += 1
    for unit in other_units:
        for anchor in unit.kinds:
            df_other[anchor] += 1
    cap_en = max(3, options.max_df_share * len(en_units))
    cap_other = max(3, options.max_df_share * len(other_units))
    total = len(en_units) + len(other_units)
    weights: dict[str, float] = {}
    for anchor in set(df_en) | set(df_other):
        a, b = df_en.get(anchor, 0), df_other.get(anchor, 0)
        # A name key or stem of one side only cannot be shared; counted, it would only
        # make documents with many such words (Arabic, where every word gives a name key)
        # look less alike than they are. A number or date of one side only is evidence:
        # a translation keeps them.
        one_sided = (a == 0 or b == 0) and anchor[:2] not in ("n:", "d:")
        if one_sided or a > cap_en or b > cap_other:
            weights[anchor] = 0.0
            continue
        weights[anchor] = math.log(1 + total / (a + b))
    return weights


# --- documents from folders ------------------------------------------------------------


_ENGLISH_WORDS = frozenset("the and of to in is that for with was on by has have said".split())
_FRENCH_WORDS = frozenset("le la les des et du un une est que pour dans sur par a été au aux".split())


def language_of(text: str) -> str:
    """``ar``, ``fr`` or ``en`` by script and by the commonest function words."""
    share = script_share(text, "ar")
    if share is not None and share > 0.5:
        return "ar"
    words = re.findall(r"[^\W\d_]+", text.lower())
    english = sum(1 for w in words if w in _ENGLISH_WORDS)
    french = sum(1 for w in words if w in _FRENCH_WORDS)
    return "fr" if french > english else "en"


def read_documents(folder: str | Path, lang: str, ingest_config=None) -> tuple[list[PairingDocument], list[tuple[str, str]]]:
    """The documents of ``folder`` in ``lang`` and the files skipped, with the reason.

    Files that are not releases (binary, empty), files in another language and second
    copies of the same document are skipped, each with a warning; a folder with none
    left is an :class:`InputError`.
    """
    from .ingest import Skipped, read_releases

    documents: list[PairingDocument] = []
    skipped: list[tuple[str, str]] = []
    # Files that ingest does not read at all (a PDF, an image) come out of read_releases
    # as skipped, with the reason, like every other file it cannot read.
    seen: dict[str, str] = {}
    wrong_language = 0
    for item in read_releases([folder], ingest_config, lang=lang):
        if isinstance(item, Skipped):
            skipped.append((item.origin, item.reason))
            continue
        text = _listing_text(item.origin) or release_text(item)
        if item.id in seen:
            skipped.append((item.origin, f"the same document as {seen[item.id]}"))
            continue
        found = language_of(text)
        if found != lang:
            wrong_language += 1
            skipped.append((item.origin, f"written in {_LANG_NAMES.get(found, found)}, not {_LANG_NAMES[lang]}"))
            continue
        seen[item.id] = item.origin
        documents.append(PairingDocument(item.origin, lang, text, item.date))
    if documents:
        for origin, reason in skipped:
            log.warning("%s: skipped: %s", origin, reason)
    else:
        if wrong_language:
            raise InputError(f"{folder}: no {_LANG_NAMES[lang]} documents ({wrong_language} in another language): "
                             f"wrong folder?")
        raise InputError(f"{folder}: no readable documents ({len(skipped)} files skipped)")
    return documents, skipped


_LANG_NAMES = {"en": "English", "fr": "French", "ar": "Arabic"}


def _listing_text(origin: str) -> str | None:
    """The raw text of a plain-text listing page, headers kept; None for anything else.

    Ingest drops the listing headers as page furniture, but they are where one release
    of the page ends and the next begins: pairing needs them to pair item by item.
    """
    from .ingest import read_text

    path = Path(origin)
    if path.suffix.lower() not in (".txt", ".text", "") or not path.is_file():
        return None
    try:
        text = read_text(path)
    except InputError:
        return None
    return text if len(_LISTING_HEADER.findall(text)) >= 2 else None


def release_text(release) -> str:
    """The text of a :class:`~translate_pipe.model.Release`: title, then paragraphs, once each."""
    paragraphs = [p.text for p in release.paragraphs]
    if not release.paragraphs or release.paragraphs[0].kind != "title":
        paragraphs.insert(0, release.title)
    return "\n\n".join(paragraphs)


def pair_folders(
    en_dir: str | Path,
    other_dir: str | Path,
    tgt_lang: str,
    translator=None,
    options: PairingOptions | None = None,
    progress=None,
    ingest_config=None,
) -> PairingResult:
    """Pair the English documents of ``en_dir`` with the ``tgt_lang`` documents of ``other_dir``."""
    if Path(en_dir).resolve() == Path(other_dir).resolve():
        raise InputError(f"{en_dir}: the English and the {_LANG_NAMES.get(tgt_lang, tgt_lang)} folder are the same")
    english, skipped_en = read_documents(en_dir, "en", ingest_config)
    others, skipped_other = read_documents(other_dir, tgt_lang, ingest_config)
    result = pair_documents(english, others, tgt_lang, translator, options, progress)
    return PairingResult(result.pairs, result.unpaired_en, result.unpaired_other,
                         tuple(skipped_en + skipped_other))
