"""The splitter: candidates at terminators, a decision per candidate, and the
boundaries with no terminator (``unpunctuated``) merged in, line by line."""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Release, Segment
from .lexicon import (
    ABBREVIATIONS, BEFORE_NUMBERS, BULLETS, NUMBER_SIGNS, SENTENCE_FINAL_ABBREVIATIONS,
    SENTENCE_OPENERS, TITLES, WORDS_TOO,
)
from .unpunctuated import headline_end, kicker_end, unpunctuated_boundaries

SUPPORTED_LANGS = ("en", "fr", "ar")

# Closing quotes and brackets that belong to the sentence they follow.
_CLOSERS = "\"'”’»)]}›"
# Characters that may open a sentence (besides letters and digits); "@" and "#" open
# replies and tags in the comments and posts that releases quote.
_OPENERS = "\"'“‘«([{‹¿¡-–—•·▪‣●◦⁃*@#$£€¥_=~+<>"

_TERMINATORS = ".!?؟…‼⁇⁈⁉。"

# A terminator run, then optional closers (French puts a space before »), then white
# space: the candidate boundary lies after the closers.
_CANDIDATE = re.compile(
    # A spaced ellipsis (". . .") is one terminator, as "..." is.
    # Never inside a run of terminators: a candidate starts where the run starts (a
    # start further in could only fail where the first did, after scanning the run).
    r"(?<![" + re.escape(_TERMINATORS) + r"])"
    r"(?P<term>\.(?:[ \u00a0]\.){2,}|[" + re.escape(_TERMINATORS) + r"]+)"
    # Footnote markers ("... in 1805. [6] Then") and marks of omitted text ("... for
    # all! [...] What") belong to the sentence they follow too.
    r"(?P<close>(?:[ \u00a0\u202f]?(?:[" + re.escape(_CLOSERS) + r"]|\[\d{1,3}\]|\[(?:\.\.\.|…)\]))*)"
    # At the end of the text the closers still belong to the sentence: "$" keeps the
    # split of a sentence on its own the same as inside its document (idempotence).
    r"(?P<space>[ \t\u00a0\u202f\u2009\u200b\u200e\u200f]+|$)"
)

# A list item's marker: a number or a letter, a bullet before it ("• 9."), ")" after it.
_ITEM_MARKER = r"(?:[" + BULLETS + r"][ \t]?)?(\d{1,3}|[A-Za-z])"
_ITEM_MARKER_ALONE = re.compile(r"\s*" + _ITEM_MARKER)
_ITEM_OPENING = re.compile(r"\s*" + _ITEM_MARKER + r"\.\)?[ \t\u00a0]")
_ITEM_MARKER_BEFORE = re.compile(r"\s" + _ITEM_MARKER + r"$")

# The look-behind keeps the search linear on long runs of spaces: without it every
# space of a run would start a scan of the rest of the run (40k spaces took 7 s).
_LINE_BREAK = re.compile(r"(?<![ \t])[ \t]*(?:\r\n|\r|\n|\u2028|\u2029)\s*")
_LINE_END = re.compile(r"\r\n|\r|\n|\u2028|\u2029")
_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")

# How far back the decision at a terminator looks: the patterns below need no more.
_LOOK_BACK = 48
_WORD_BEFORE = re.compile(r"(\S{1,40})$")
_LOWER_CASE_WORD_BEFORE = re.compile(r"(?<![^\W\d_])[a-z]{1,30}[ \t\u00a0]{1,8}$")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")
_FOUR_WORDS = re.compile(r"\s*\S+\s+\S+\s+\S+\s+\S")
# The same with the one space French puts inside guillemets.
_TOKEN_BEFORE = re.compile(r"(\S{1,40})[ \u00a0\u202f]?$")
_NEXT_WORD = re.compile(r"[\W_]*(\w+)")
_ROMAN = re.compile(r"[IVXLC]{1,6}")
_ACRONYM = re.compile(r"^(?:[^\W\d_]{1,2}\.-?){1,5}[^\W\d_]{1,2}$")


@dataclass(frozen=True)
class SentenceSpan:
    """A sentence as character offsets into the text it came from."""

    paragraph: int
    start: int
    end: int
    text: str


def _check_lang(lang: str) -> str:
    lang = lang.lower().split("-")[0].split("_")[0]
    if lang not in SUPPORTED_LANGS:
        # English rules are the safest fallback for Latin-script text.
        return "en"
    return lang


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Offsets of the paragraphs of ``text``: runs of text between blank lines.

    Split at the blank lines, then trimmed: linear however long the white space runs
    (a single regular expression with a look-ahead over white space was quadratic)."""
    spans = []
    start = 0
    for separator in [*_BLANK_LINE.finditer(text), None]:
        end = separator.start() if separator is not None else len(text)
        left, right = start, end
        while left < right and text[left].isspace():
            left += 1
        while right > left and text[right - 1].isspace():
            right -= 1
        if left < right:
            spans.append((left, right))
        if separator is not None:
            start = separator.end()
    return spans


def sentence_spans(text: str, lang: str) -> list[tuple[int, int]]:
    """Offsets ``(start, end)`` of the sentences of ``text``, white space excluded."""
    lang = _check_lang(lang)
    spans: list[tuple[int, int]] = []
    # Found once for the whole text (per line would cost a search set-up per line).
    unpunctuated = unpunctuated_boundaries(text, lang)
    breaks = list(_LINE_BREAK.finditer(text))
    lines = []
    line_start = 0
    for line_break in breaks:
        lines.append((line_start, line_break.start()))
        line_start = line_break.end()
    lines.append((line_start, len(text)))
    narrow = _narrow_blocks(lines, breaks)
    for number, (start, end) in enumerate(lines):
        first = len(spans)
        _split_line(text, start, end, lang, spans, unpunctuated)
        if (number and first < len(spans) and first > 0 and narrow[number - 1]
                and _wrapped(text, lines[number - 1], start, spans[first - 1])):
            # The sentence was only wrapped onto this line: one sentence across the break.
            spans[first - 1 : first + 1] = [(spans[first - 1][0], spans[first][1])]
    return spans


# Hard-wrapped text (an e-mail, a text file saved at 72 columns) breaks sentences across
# lines; a header block ("Press release" / "Media Department" / "March 22, 2018") is
# short lines that are each a unit. A line break continues a sentence when the sentence
# on the line before reaches the break without a terminator and either the next line
# goes on in lower case, or that sentence's part of the line is long (a header line is
# short; a wrapped line is most of a wrap width). Only the sentence's own text decides,
# so a sentence split again on its own splits the same way.
_WRAPPED_PART = 50
_ENDS_UNIT = frozenset(".!?;:؟؛…\"”»)]")
# Hard-wrapped text has no line longer than a wrap width (72 to 80 columns, 100 at
# most). A block of lines (between blank lines) with a longer line is not wrapped: its
# line breaks end paragraphs or units, whatever case follows ("gone\nlibrary is
# closed."). A sentence split again on its own has no longer line than its block had,
# so the decision stays the same (idempotence).
_WRAP_WIDTH = 100


def _narrow_blocks(lines: list[tuple[int, int]], breaks: list[re.Match[str]]) -> list[bool]:
    """For each line, whether every line of its block (lines between blank lines) is
    at most ``_WRAP_WIDTH`` characters long."""
    narrow = [True] * len(lines)
    block_start = 0
    for number in range(len(lines) + 1):
        if number == len(lines) or (number > 0 and len(_LINE_END.findall(breaks[number - 1].group())) > 1):
            wide = any(end - start > _WRAP_WIDTH for start, end in lines[block_start:number])
            if wide:
                narrow[block_start:number] = [False] * (number - block_start)
            block_start = number
    return narrow


def _wrapped(text: str, previous_line: tuple[int, int], next_start: int, last_span: tuple[int, int]) -> bool:
    line_start, line_end = previous_line
    if last_span[1] < line_end - 1 or last_span[1] <= line_start:
        return False  # the line's last sentence does not reach its end (trailing white space aside)
    if text[last_span[1] - 1] in _ENDS_UNIT:
        return False
    following = text[next_start] if next_start < len(text) else ""
    if following.islower():
        return True
    return last_span[1] - max(last_span[0], line_start) >= _WRAPPED_PART


def split_sentences(text: str, lang: str) -> list[str]:
    """The sentences of ``text`` in order; each a substring of ``text``, never empty."""
    return [text[start:end] for start, end in sentence_spans(text, lang)]


def segment_document(text: str, lang: str) -> list[SentenceSpan]:
    """Paragraphs first, then sentences: spans keep the paragraph number and offsets."""
    result = []
    for number, (p_start, p_end) in enumerate(paragraph_spans(text)):
        for start, end in sentence_spans(text[p_start:p_end], lang):
            result.append(
                SentenceSpan(number, p_start + start, p_start + end, text[p_start + start : p_start + end])
            )
    return result


def _split_line(text: str, start: int, end: int, lang: str, spans: list[tuple[int, int]],
                unpunctuated: list[int]) -> None:
    first = len(spans)
    sentence_start = start
    # Whether the sentence has a letter or a digit yet, found by scanning each character
    # once (not once per candidate: a long sentence of many candidates stays linear).
    said, scanned = False, start
    for boundary, match in _candidates(text, start, end, unpunctuated):
        if boundary < sentence_start:
            continue  # inside a terminator candidate already taken
        if match is not None and (item := _next_item_start(text, match, sentence_start)) is not None:
            # "1. The first item 2. The second item": the item ends before its successor's marker.
            _append_trimmed(text, sentence_start, item, spans)
            sentence_start = item
            said, scanned = False, item
            continue
        if match is not None and not said:
            said = _LETTER_OR_DIGIT.search(text, scanned, match.start("term")) is not None
            scanned = max(scanned, match.start("term"))
        if match is None or _is_boundary(text, match, lang, sentence_start, end, said):
            _append_trimmed(text, sentence_start, boundary, spans)
            sentence_start = boundary if match is None else match.end()
            said, scanned = False, sentence_start
    _append_trimmed(text, sentence_start, end, spans)
    _split_kickers(text, spans, first, lang)
    if lang == "en":
        _split_headlines(text, spans, first)


def _split_kickers(text: str, spans: list[tuple[int, int]], first: int, lang: str) -> None:
    """Split a kicker ("EXCLUSIVE:", "Communiqué :", "عاجل:") off each sentence from ``first`` on."""
    index = first
    while index < len(spans):
        start, end = spans[index]
        rest = kicker_end(text, start, end, lang)
        if rest is not None:
            head: list[tuple[int, int]] = []
            _append_trimmed(text, start, rest, head)
            # The rest is split as it would be on its own, so that splitting a sentence again
            # changes nothing: in context "EXCLUSIVE:  Friday, May 8, 2009  Mr. Smith ..." read
            # as "Geneva: Friday, May 8, 2009" and kept the date in the next sentence. Its own
            # split also takes off a further kicker ("EXCLUSIVE: VIDEO: ...").
            tail = [(rest + a, rest + b) for a, b in sentence_spans(text[rest:end], lang)]
            spans[index:index + 1] = [*head, *tail]
            index += len(head) + len(tail)
        else:
            index += 1


def _next_item_start(text: str, match: re.Match[str], sentence_start: int) -> int | None:
    """Where the next item of a numbered or lettered list starts, if the sentence opens
    on an item's marker ("2.") and the terminator ends the next one's ("3."), else None."""
    if match.group("term") != ".":
        return None
    opening = _ITEM_OPENING.match(text, sentence_start)
    if opening is None:
        return None
    marker = _ITEM_MARKER_BEFORE.search(text, max(sentence_start, match.start("term") - _LOOK_BACK),
                                        match.start("term"))
    if marker is None or not _follows_in_a_list(opening.group(1), marker.group(1)):
        return None
    return marker.start() + 1  # after the white space the marker pattern opens on


def _follows_in_a_list(previous: str, current: str) -> bool:
    if previous.isdigit():
        return current.isdigit() and int(current) == int(previous) + 1
    return (current.isalpha() and current.islower() == previous.islower()
            and ord(current) == ord(previous) + 1)


def _split_headlines(text: str, spans: list[tuple[int, int]], first: int) -> None:
    """Split the headlines off the sentences from ``first`` on until no piece splits
    again, both the headline and the body, so that each piece split on its own gives
    itself (the rule looks ahead, and a piece sees less than its sentence did)."""
    index = first
    while index < len(spans):
        start, end = spans[index]
        body = headline_end(text, start, end)
        if body is None:
            index += 1
            continue
        head: list[tuple[int, int]] = []
        _append_trimmed(text, start, body, head)
        spans[index:index + 1] = [*head, (body, end)]  # the head is looked at again


def _candidates(text: str, start: int, end: int,
                unpunctuated: list[int]) -> Iterator[tuple[int, re.Match[str] | None]]:
    """Candidate boundaries of a line in order: terminators (with their match, to
    decide) and the unpunctuated boundaries in it (None: always a boundary)."""
    terminated = ((match.start("space"), match) for match in _CANDIDATE.finditer(text, start, end))
    inside = unpunctuated[bisect.bisect_left(unpunctuated, start):bisect.bisect_right(unpunctuated, end)]
    if not inside:
        yield from terminated
        return
    yield from heapq.merge(terminated, ((offset, None) for offset in inside), key=lambda candidate: candidate[0])


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


def _is_boundary(text: str, match: re.Match[str], lang: str, sentence_start: int, line_end: int,
                 said: bool) -> bool:
    """Whether the terminator ``match`` ends the sentence that began at ``sentence_start``
    (``said``: it has a letter or a digit before the terminator). Every look back is
    bounded (``_LOOK_BACK``), so that a long sentence of many candidates stays linear."""
    term_start = match.start("term")
    look_from = max(sentence_start, term_start - _LOOK_BACK)
    next_pos = match.end()
    if next_pos >= line_end:
        return True
    next_char = text[next_pos]
    terminator = match.group("term")
    closed = bool(match.group("close").strip())
    if not said:
        return False  # nothing said yet: a stray mark is no sentence of its own
    if terminator == "." and _ITEM_MARKER_ALONE.fullmatch(text, sentence_start, term_start):
        return False  # a list item's marker: "1. The first item", "• 9. The first item"
    is_ellipsis = terminator.strip(". \u00a0…") == "" and (len(terminator) > 1 or terminator == "…")
    if is_ellipsis:
        # An ellipsis that opens a quote marks omitted text: 'wrote: "... It', « … Nous.
        # A straight quote must touch it: French spaces close one too ('noir " ... Ah').
        before = _TOKEN_BEFORE.search(text, look_from, term_start)
        if (before is not None and all(char in _OPENERS for char in before.group(1))
                and not (before.group(0)[-1].isspace() and any(char in "\"'" for char in before.group(1)))):
            return False
    if (terminator.count(".") >= 3 or "…" in terminator) and _next_word(text, next_pos, line_end) == "I":
        # "the thing is ... I didn't mean it" (on the dev sets 3 of 5 are no boundary);
        # the next word stops at the apostrophe, so "I'm" counts too.
        return False
    lower_start = next_char.isalpha() and next_char.islower()
    if lower_start:
        # A lower-case word after a quote ('"Why?" he asked') or an ellipsis continues
        # the sentence; after a bare "?" or "!" it starts one (informal text often
        # skips the capital). After "." it does unless an abbreviation precedes.
        if closed or "…" in terminator or "." in terminator and len(terminator) > 1:
            return False
        if terminator != ".":
            return True  # "?", "!", also repeated: "awesome place!!! it was worth it"
    elif not _can_open_sentence(next_char, lang):
        return False
    elif "." not in terminator or len(terminator) > 1 or closed:
        # "!", "?", "؟", an ellipsis or a quoted sentence end.
        return True

    word_match = _WORD_BEFORE.search(text, look_from, term_start)
    if word_match is None:
        return True
    word = word_match.group(1).lstrip(_OPENERS + "(")
    key = word.lower()
    next_word = _next_word(text, next_pos, line_end)

    if key in TITLES[lang]:
        return False
    if key in NUMBER_SIGNS and not lower_start:
        # "No. 5" abbreviates "number"; "No. Not really." is the word no.
        return not (next_char.isdigit() or next_char == "#")
    if lower_start:
        # Only an ordinary word ends a sentence before a lower-case start: not an
        # abbreviation, an acronym, an initial or a number ("No. 5", "p. 12").
        # A quotation closed before the full stop counts as its word: 'said "egg him on". maybe'.
        bare = word.rstrip(_CLOSERS) if word[-1:] in _CLOSERS else word
        return (lang != "ar" and len(bare) > 1 and bare.isalpha() and bare.lower() not in ABBREVIATIONS[lang]
                and bare.lower() not in SENTENCE_FINAL_ABBREVIATIONS)
    if lang == "ar":
        # Arabic has no letter case: the abbreviation list is all there is.
        return key not in ABBREVIATIONS["ar"]
    if key == "etc" and next_char.isalpha():
        return True  # a list's end: "... improved mood, etc. When it comes", "... etc. VK Choudhry"
    if key in WORDS_TOO[lang] and word.isalpha() and next_char.isalpha() and not _ROMAN.fullmatch(next_word):
        return True  # "a diversity of art. Destiny", but "Art. IV", "vol. 2"
    if key in ABBREVIATIONS[lang] or _ACRONYM.match(word):
        # Listed abbreviations that look like acronyms ("e.g.", "P.S.") stay listed:
        # "(e.g. The Programming Historian)" goes on.
        if key in SENTENCE_FINAL_ABBREVIATIONS:
            # A title after one: "... at 6 P.M. Mr. Smith then went ...", unless the words
            # so far only open the sentence ("At 5 a.m. Mr. Smith went"); never after an
            # acronym: "U.S. Sen. Warren".
            return next_word.lower() in SENTENCE_OPENERS.get(lang, ()) or (
                next_word.lower() in TITLES[lang] and _FOUR_WORDS.match(text, sentence_start, term_start) is not None)
        if key not in ABBREVIATIONS[lang]:
            return next_word.lower() in SENTENCE_OPENERS.get(lang, ())
        return False
    if len(word) == 1 and word.isalpha() and word.isupper():
        # An initial ("John F. Kennedy"), unless a typical opener follows or it is the
        # pronoun after a lower-case word ("a good team, you and I. Did you ...").
        if word == "I" and lang == "en" and _LOWER_CASE_WORD_BEFORE.search(
                text, max(sentence_start, word_match.start() - _LOOK_BACK), word_match.start()):
            return True
        return next_word.lower() in SENTENCE_OPENERS.get(lang, ())
    if next_char.isdigit() and key in BEFORE_NUMBERS:
        return False
    return True


def _can_open_sentence(char: str, lang: str) -> bool:
    if char.isalpha():
        # Scripts without case (Arabic) always can; cased scripts need an upper case.
        return not char.islower()
    return char.isdigit() or char in _OPENERS


def _next_word(text: str, pos: int, end: int) -> str:
    match = _NEXT_WORD.match(text, pos, min(end, pos + 60))
    return match.group(1) if match else ""


def segment_release(release: Release, release_id: str | None = None) -> list[Segment]:
    """The release's sentences, paragraph by paragraph, numbered over the whole release.

    ``release_id`` files them under another release: a human translation's sentences
    belong to the English release they translate.
    """
    segments: list[Segment] = []
    for number, paragraph in enumerate(release.paragraphs):
        for start, end in sentence_spans(paragraph.text, release.lang):
            segments.append(Segment(
                release_id=release_id or release.id, lang=release.lang, index=len(segments), paragraph=number,
                # A sentence wrapped over lines is one line of text (as `segment` prints it).
                text=_LINE_BREAK.sub(" ", paragraph.text[start:end]), kind=paragraph.kind, start=start, end=end,
            ))
    return segments
