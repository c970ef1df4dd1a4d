"""Boundaries that no terminator marks: lines run together in flat text.

A headline run into its body, an e-mail header's fields, a list of links, a date line,
speech broken off by a dash, a bullet, an Arabic dateline. Each finder returns offsets
in the text (the splitter trims the white space there). A finder is kept only where,
on the development sets, it found more boundaries than it made up; the comments give
the counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .lexicon import (
    ARABIC_DATELINE_CITIES, BULLETS, CLAUSE_OPENERS, HEADLINE_OPENERS, KICKERS, LEADING_WORDS, LEADS_TO_A_DATE,
    PRONOUN_I, SENTENCE_OPENERS, STRONG_HEADLINE_OPENERS,
)

# Lines run together in flat text leave boundaries with no terminator at all. Some are
# safe to split when a capital follows: after an e-mail header's time stamp ("Kay Mann
# 04/26/2001 07:17 AM Will you ..."), a web address, a sender's <address>, a smiley, a
# rule, a letter's greeting or closing. (Not after a bare e-mail address: author lists
# put the affiliation there.) Some are safe before anything: a web address before
# another, the value of an "Email:" or "Groups:" header field (on the English dev sets
# these three found 20 boundaries, none false). Bounded repeats keep the search linear
# in time.

# White space, then a capital that is not the rest of a time stamp ("AM", "EST", "UTC").
_BEFORE_CAPITAL = r"(?=[ \t\u00a0]+(?!(?:[AaPp][Mm]|UTC|GMT|[A-Z]{1,3}T)\b)[A-Z])"
# Each pattern comes with the strings one of which its match must contain: the regular
# expression engine tries a pattern at every character that may open it (every capital,
# for the greetings), while looking for a plain string is a fast scan, so a text without
# them is not searched at all. (One alternation of all the patterns searched several
# times slower.)
_UNPUNCTUATED_ENDS: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    # A time stamp: "04/26/2001 07:17 AM".
    (("/",), re.compile(r"\d(?<!\w\d)\d?/\d{1,2}/\d{2,4}[ \t]+\d{1,2}:\d{2}(?::\d{2})?(?:[ \t]*[AaPp][Mm]\b)?"
               r"(?:[ \t]+(?:UTC|GMT|[A-Z]{1,3}T)\b)?" + _BEFORE_CAPITAL)),
    # A web address, before a capital or another address (a list of links).
    (("http", "www."), re.compile(r"(?:https?://|www\.)\S{0,300}[\w/](?:" + _BEFORE_CAPITAL
                                   + r"|(?=[ \t\u00a0]+(?:https?://|www\.)))")),
    # A header field's value: "Email: Jo <jo@un.org> Groups: alt.animals.cat I have ...".
    (("mail:", "From:", "Reply-To:"),
     re.compile(r"(?:E-?mail|From|Reply-To):[ \t]+(?:\"[^\"\n]{0,80}\"[ \t]*<[^<>\s]{1,200}>"
                r"|[^\s<>]{1,64}@[^\s<>]{1,255}|[\w .'-]{1,60}<[^<>\s]{1,200}>)(?=[ \t\u00a0]+\S)")),
    (("roups:",), re.compile(r"(?:Groups|Newsgroups):[ \t]+[\w.+-]{1,100}(?:,[ \t]*[\w.+-]{1,100}){0,30}"
                              r"(?=[ \t\u00a0]+\S)")),
    # A contact block's next field after a number: "PA 16802 Phone: 814.863.1874 Fax: ...".
    (("Phone", "Tel", "Fax", "Mobile", "Cell", "mail", "Web"),
     re.compile(r"\d[\d.()/-]{0,30}"
                r"(?=[ \t\u00a0]+(?:Phone|Tel|Telephone|Fax|Mobile|Cell|E-?mail|Website|Web)[ \t]?:)")),
    # A sender's address ("Jo Smith <jo@un.org> 03/23/2001 ..."), a smiley, a rule of one
    # repeated character ("-----", "====") before a capital or a digit.
    ((), re.compile(r"[<:;=_*~-](?:(?<=<)[\w.+-]{1,64}@[\w.-]{1,255}>|(?<=(?<!\S)[:;])-?[)(DP]|(?<=-)-{2,}|(?<==)={2,}"
               r"|(?<=_)_{2,}|(?<=\*)\*{2,}|(?<=~)~{2,})(?=[ \t\u00a0]+[A-Z0-9])")),
    # A letter's greeting or closing, before a capital that is not a title: "Dear Nina, I
    # ...", "Best regards, Debra ...", but "Thank you, Mr. President" stays one sentence.
    (("Dear", "Hi", "Hello", "Hey", "Thank", "egards", "Cheers", "Sincerely", "Best", "Yours", "Respectfully",
      "Warmly", "Love", "Take care", "Many thanks"),
     re.compile(r"(?:(?:Dear|Hi|Hello|Hey)(?:[ \t]+[A-Z][\w.'-]{0,30}){0,3}|Thanks|Thank you|Regards|Best regards"
               r"|Kind regards|Warm regards|Cheers|Sincerely|Best wishes|Yours truly|Yours sincerely|Yours"
               r"|Respectfully|Warmly|Best|Love|Take care|Many thanks),"
               r"(?=[ \t\u00a0]+(?!(?:Mr|Mrs|Ms|Dr|Madam|Madame|Sir|Mister|President|Chairman|Excellency|Your"
               r"|Prof|Professor|Ladies|Everyone|All)\b)[A-Z])")),
)

# Speech broken off by a dash, then a new sentence: "You — No, because she doesn't —
# All you said ...". Only before words that open sentences and seldom follow a dash
# inside one: not "I" ("I'm gonna conquer — I'm gonna conquer you"), not names ("the
# envoy — Geir Pedersen — arrived"). On the English dev sets: 19 boundaries, 3 not.
_ENGLISH_UNPUNCTUATED_ENDS: tuple[tuple[tuple[str, ...], re.Pattern[str]], ...] = (
    (("—", "–", " -"),
     re.compile(r"[—–-](?<=[\w)?!.,'’][ \t\u00a0][—–-])-?(?=[ \t\u00a0]+(?:No|Yes|Yeah|Well|So|Oh|Okay|OK|Right"
               r"|See|Look|All|She|He|We|You|You'll|You're|They|This|That|That's|These|Those|Are|Is|Do|Did|Does"
               r"|What|Why|How|Where|When|Although|It|It's|There|Just|Thanks)\b)")),
)

# French writes a lower-case word after ";": a capitalised opener after one starts a
# sentence ("... se convertissant au catholicisme ; En 1945 la production ..."). Only
# openers, not names ("à Paris ; Lyon suit").
_FRENCH_SEMICOLON_END = re.compile(
    r";(?=[ \t\u00a0]+(?:" + "|".join(sorted((word.capitalize() for word in SENTENCE_OPENERS["fr"]), key=len,
                                               reverse=True)) + r")\b)"
)
_UNPUNCTUATED_ENDS_OF = {"en": _ENGLISH_UNPUNCTUATED_ENDS, "fr": (((";",), _FRENCH_SEMICOLON_END),)}

# Arabic news run a headline into the dateline that opens the article: a city (one of
# lexicon.ARABIC_DATELINE_CITIES, not after a preposition), then a tatweel or a dash.
# A hyphen counts when a space follows it ("باريس- لقد كتبت"), not inside a name ("باريس-لندن").
_DATELINE_MARK = re.compile(r"[ـ–—]+|-(?=[ \t\u00a0])")
# What comes before a mark: the white space before the city (the boundary), the city,
# an optional second part ("واشنطن، العاصمة", "كمبريدج/أكسفورد").
_ARABIC_DATELINE = re.compile(
    r"(?<=[^\s.!?؟…])(?<!\sفي)(?<!\sمن)(?<!\sإلى)(?<!\sالى)(?<!\sعن)(?<!\sعلى)[ \t\u00a0]+(?:"
    + "|".join(sorted((re.escape(city.replace("_", " ")) for city in ARABIC_DATELINE_CITIES), key=len, reverse=True))
    + r")(?:[/،][ ]?[\u0621-\u064A]{2,}(?: [\u0621-\u064A]{2,})?)?[ ]?$"
)

# A bullet between spaces opens a list item, after a colon or a sentence end alike:
# "... four sentences: · "The first ..." · "The second ..."".
_BULLET = re.compile(r"[ \t\u00a0][" + BULLETS + r"](?=[ \t\u00a0]|\d)")
# The word before white space that ends at a given offset.
_WORD_BEFORE_SPACE = re.compile(r"(\S{1,40})[ \t\u00a0]+$")
# An e-mail header puts the sender before the time stamp ("Kay Mann 04/26/2001 07:17 AM"):
# a boundary, unless the words before lead up to the date ("on", "Sent", "Date:").
_TIME_STAMP = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}[ \t]+\d{1,2}:\d{2}")


# A headline run into the date line under it ("... leads to daughter's death Friday, May
# 8, 2009 Thomas Sam, 42, ..."), or a date line (and its time) before the headline
# ("Monday, 10 September 2018 16:14 President Mustafa Meets ..."): the date is a segment
# of its own.
_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_FULL_DATE = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday),?[ \t]+"
    r"(?:" + _MONTH + r"[ \t]+\d{1,2},?|\d{1,2}[ \t]+" + _MONTH + r",?)[ \t]+\d{4}\b"
    r"(?:[ \t]+\d{1,2}:\d{2}(?![\d:])(?:[ \t]?[AaPp]\.?[Mm]\.?)?"
    r"(?:[ \t]*\(?(?:GMT|UTC|CET|CEST|EST|EDT|CST|CDT|PST|PDT|BST)(?:[+-]\d{1,2})?\)?(?![\w]))?)?"
)
_CAPITAL_AFTER = re.compile(r"[ \t\u00a0]+[A-Z]")

# Headlines and headings that lost their line break (see headline_end), English only.
_HEADLINE_MAX_WORDS = 12
_WORD = re.compile(r"\S+")


def unpunctuated_boundaries(text: str, lang: str) -> list[int]:
    """Sorted offsets of the boundaries in ``text`` that no terminator marks: bullets, and
    in Arabic datelines; in English and French time stamps, dates, addresses, header
    fields, rules, greetings and closings, and per language the patterns of
    ``_UNPUNCTUATED_ENDS_OF`` (English dashes, French semicolons). The splitter adds
    the headlines (``headline_end``), which need its sentences."""
    if lang == "ar":
        found = [*_arabic_datelines(text), *_bullets(text), *_around_news_dates(text)]
    else:
        patterns = _UNPUNCTUATED_ENDS + _UNPUNCTUATED_ENDS_OF.get(lang, ())
        found = [*_bullets(text), *_before_time_stamps(text), *_around_news_dates(text),
                 *_capitals_datelines(text),
                 *(offset for needles, pattern in patterns if not needles or any(needle in text for needle in needles)
                   for offset in _unpunctuated_ends(pattern, text))]
        found.extend(_around_dates(text, set(found)))
    return sorted(set(found))


# News: a headline run into a wire dateline in capitals ("... in Idlib PARIS (AFP) - The
# ...", "... mondiale GENÈVE, 12 mars (Reuters) – Le ..."): the boundary is before the
# city. Found from the dash, looking back, as the Arabic datelines are.
_NEWS_DASH = re.compile(r"[ \t\u00a0][—–-][ \t\u00a0]")
_CAPS = "A-ZÀ-ÖØ-Þ"
_CAPITALS_DATELINE = re.compile(
    r"(?<=[^\s.!?…:;])[ \t\u00a0]+[" + _CAPS + r"][" + _CAPS + r"'’.\- ]{1,30}[" + _CAPS + r"]"
    r"(?:,[ \t\u00a0][^()\n—–]{1,40}?)?[ \t\u00a0]*(?:\([^()\n]{2,25}\)[ \t\u00a0]*)?$"
)
# A date line with its weekday and time (and time zone), run into the text around it:
# "Lundi 10 septembre 2018 16:14 GMT", "mardi, 12 mars 2024 à 09h30",
# "الاثنين 10 أيلول 2018 - 16:14 بتوقيت دمشق", "Monday, 10 September 2018 4:14 pm EST".
_WEEKDAYS = (r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|[Ll]undi|[Mm]ardi|[Mm]ercredi|[Jj]eudi"
             r"|[Vv]endredi|[Ss]amedi|[Dd]imanche|الاثنين|الإثنين|الثلاثاء|الأربعاء|الاربعاء|الخميس|الجمعة|السبت"
             r"|الأحد|الاحد)")
_NEWS_DATE = re.compile(
    _WEEKDAYS + r"[,،]?[ \t\u00a0]+(?:\d{1,2}(?:er)?[ \t\u00a0]+[^\W\d_]+(?:[ /][^\W\d_]+)?|[A-Z][a-z]+[ \t]+\d{1,2},?)"
    r"[,،]?[ \t\u00a0]+\d{4}[,،]?[ \t\u00a0]*(?:[-–—|][ \t\u00a0]*)?(?:à[ \t\u00a0]+|at[ \t\u00a0]+)?"
    r"\d{1,2}[:h]\d{2}(?![\d:])(?:[ \t\u00a0]?[AaPp]\.?[Mm]\.?)?"
    r"(?:[ \t\u00a0]*\(?(?:GMT|UTC|CET|CEST|EST|EDT|PST|PDT|BST|[A-Z]{2,4}T)(?:[+-]\d{1,2})?\)?"
    r"|[ \t\u00a0]+بتوقيت[ \t\u00a0]+(?:غرينتش|مكة المكرمة|[^\W\d_]+))?"
)
_CLOCK_TIME = re.compile(r"\d[:h]\d{2}(?![\d:])")
_FRENCH_PREPOSITIONS = {"à", "a", "de", "du", "des", "en", "au", "aux", "par", "pour", "sur", "vers", "depuis", "le",
                        "la", "les", "et", "ou"}


# A kicker ("EXCLUSIVE:", "Communiqué :", "عاجل:") that opens a sentence is a segment of
# its own when what follows can open a sentence: a capital, a digit, a quote or an
# Arabic letter ("Update: the list is ready" in informal text is no label). Looked for
# at the start of the splitter's sentences, so that a piece split again splits alike.
_KICKER = {
    lang: re.compile(r"(?:" + "|".join(sorted((re.escape(word).replace(r"\ ", r"[ \t\u00a0]+") for word in words),
                                              key=len, reverse=True))
                     + r")[ \t\u00a0\u202f]?:[ \t\u00a0]+(?=[^\W_]|[\"'“‘«])", re.I)
    for lang, words in KICKERS.items()
}
_KICKER_MAX = 30


def kicker_end(text: str, start: int, end: int, lang: str) -> int | None:
    """Where the text after a kicker starts, if the sentence at ``start`` opens with one."""
    if ":" not in text[start:min(end, start + _KICKER_MAX)]:
        return None
    found = _KICKER[lang].match(text, start, end)
    if found is None or found.end() >= end:
        return None
    first = text[found.end()]
    if lang != "ar" and not text[start].isupper():
        return None  # a kicker is capitalised ("Update:", "EXCLUSIVE:")
    if first.isupper() or first.isdigit() or first in "\"'“‘«" or "\u0600" <= first <= "\u06ff":
        return found.end()
    return None


def _capitals_datelines(text: str) -> Iterator[int]:
    """Offsets of the white space before each wire dateline in capitals."""
    for mark in _NEWS_DASH.finditer(text):
        found = _CAPITALS_DATELINE.search(text, max(0, mark.start() - 80), mark.start())
        if found is None or len(found.group().split("(")[0].split(",")[0].split()) > 4:
            continue
        after = text[mark.end():mark.end() + 2]
        if not after or not (after[0].isupper() or after[0] in "\"'«“‘"):
            continue  # "in GENEVA - talks went on": a dash inside a sentence
        before = _WORD_BEFORE_SPACE.search(text, max(0, found.start() - 40), found.start() + 1)
        if before is not None and (before.group(1).lower() in LEADS_TO_A_DATE or before.group(1)[-1].isdigit()
                                   or before.group(1).lower() in _FRENCH_PREPOSITIONS):
            continue
        yield found.start()


def _around_news_dates(text: str) -> Iterator[int]:
    """Offsets before and after each weekday-date-time line run into the text."""
    # Times are rare and cheap to find: the date line is looked for around each one only.
    last_end = -1
    for time_match in _CLOCK_TIME.finditer(text):
        if time_match.start() < last_end:
            continue
        match = _NEWS_DATE.search(text, max(0, time_match.start() - 70), min(len(text), time_match.end() + 40))
        if match is None or not match.start() <= time_match.start() < match.end():
            continue
        last_end = match.end()
        if match.start() > 0 and text[match.start() - 1].isalnum():
            continue
        first = text[match.start()]
        if first.islower():
            continue  # "se réunira lundi 10 septembre 2018 à 16h00": inside a sentence
        before = _WORD_BEFORE_SPACE.search(text, max(0, match.start() - 41), match.start())
        if before is not None and not _leads_to_a_date(before.group(1)) and before.group(1)[-1] not in ".!?؟…":
            yield before.end(1)
        after = match.end()
        rest = text[after:after + 3].lstrip(" \t\u00a0")
        if rest and (rest[0].isupper() or "\u0600" <= rest[0] <= "\u06ff") and after < len(text):
            yield after


def _bullets(text: str) -> Iterator[int]:
    """Offsets of the white space before each bullet (the boundary, once trimmed)."""
    if not any(bullet in text for bullet in BULLETS):
        return  # a fast scan for each saves a regular expression's slow one
    for match in _BULLET.finditer(text):
        yield match.start()


def _before_time_stamps(text: str) -> Iterator[int]:
    """Offsets of the white space before each time stamp that a sender's name precedes."""
    if "/" not in text:
        return
    for match in _TIME_STAMP.finditer(text):
        if match.start() > 0 and (text[match.start() - 1].isalnum() or text[match.start() - 1] in "/_"):
            continue  # inside a longer number (checked here: a look-behind slows the search)
        before = _WORD_BEFORE_SPACE.search(text, max(0, match.start() - 41), match.start())
        if before is not None and not _leads_to_a_date(before.group(1)):
            yield before.end(1)


def _around_dates(text: str, boundaries: set[int] | frozenset[int] = frozenset()) -> Iterator[int]:
    """Offsets before and after each full date that stands on a line of its own.

    A date right after one of ``boundaries`` (a letter's closing "Yours," found by
    another rule) opens its sentence, as it would in that sentence split on its own."""
    if "day" not in text:
        return
    for match in _FULL_DATE.finditer(text):
        if match.start() > 0 and text[match.start() - 1].isalnum():
            continue  # "NoMonday": not a whole word
        before = _WORD_BEFORE_SPACE.search(text, max(0, match.start() - 41), match.start())
        if before is not None and before.end(1) in boundaries:
            before = None  # the date opens a sentence
        if before is not None:  # else the text or a line starts with the date
            if _leads_to_a_date(before.group(1)):
                continue  # "on Friday, May 8, 2009", "Geneva, Friday, May 8, 2009"
            yield before.end(1)
        if _CAPITAL_AFTER.match(text, match.end()):
            yield match.end()


def _leads_to_a_date(word: str) -> bool:
    return word[-1] in ":,;-(" or word.lower() in LEADS_TO_A_DATE


def _unpunctuated_ends(pattern: re.Pattern[str], text: str) -> Iterator[int]:
    for match in pattern.finditer(text):
        at = match.start()
        # A pattern that opens on a word opens on a whole word ("Hi," not "Chi,"); checked
        # here because a leading look-behind would slow the search down.
        if at > 0 and text[at].isalnum() and text[at - 1].isalnum():
            continue
        yield match.end()


def _arabic_datelines(text: str) -> Iterator[int]:
    """Offsets of the white space before each dateline (the marks are rare: look back from them)."""
    for mark in _DATELINE_MARK.finditer(text):
        found = _ARABIC_DATELINE.search(text, max(0, mark.start() - 60), mark.start())
        if found:
            yield found.start()


def headline_end(text: str, start: int, end: int) -> int | None:
    """Where the body starts if the sentence opens with a headline or a heading that
    lost its line break ("Great Family Fun and Bonding What more can be said ...",
    "... at night. History The first inhabitants ..."), else None.

    The body must open on a capitalised word that starts sentences and is rare inside
    one ("The", "We", "If"); the headline must not end on a word that leads into it
    ("of", "Yesterday", "Dear,"), and in sentence case only the strongest openers
    count. Measured on the English dev sets (flat): 42 boundaries found, 3 false splits
    (two where the gold itself runs two sentences together), out of 3,576 sentences.
    """
    # Most sentences have no opener after their first word: a C-speed split tells.
    first_words = text[start:end].split(None, _HEADLINE_MAX_WORDS + 1)[:_HEADLINE_MAX_WORDS + 1]
    if not any(word in HEADLINE_OPENERS for word in first_words[1:-1]):
        return None
    words = [match for _, match in zip(range(_HEADLINE_MAX_WORDS + 1), _WORD.finditer(text, start, end))]
    if words and words[0].group().lower().replace("’", "'") in CLAUSE_OPENERS:
        return None  # "It's Iori I think": a clause, not a headline
    for k in range(1, len(words) - 1):
        opener_word, last = words[k].group(), words[k - 1].group()
        if opener_word not in HEADLINE_OPENERS:
            continue  # a quoted opener is a quotation: 'the clause reads "The value ...'
        headline = [match.group() for match in words[:k]]
        key = last.lower()
        if (not last[-1].isalnum() and last[-1] not in ")\"”'’") or key in LEADING_WORDS:
            continue  # "Dear Sir, We", "In The", "Yesterday The"
        if not any(word.isalpha() for word in headline):
            continue  # "1.1 What is Government?" is a numbered heading's sentence
        title_case = _is_title_case(headline)
        if title_case and _is_title_case(text[words[k].start():end].split(None, 4)[:4], at_least=2):
            # Still inside the headline: "Resolve to the Life We Evolved to Live" (but
            # "... in a Washing Machine Whether you are ..." has one capital, the opener's).
            continue
        if opener_word in PRONOUN_I and not (title_case and len(headline) >= 2):
            continue  # "I" follows a name or an adverb too often: "Dan I", "Luckily I"
        if not title_case and opener_word not in STRONG_HEADLINE_OPENERS:
            continue
        return words[k].start()
    return None


def _is_title_case(words: list[str], at_least: int = 1) -> bool:
    """Every word capitalised but short function words ("Bonding", "of", "the"), and at
    least ``at_least`` such words."""
    content = [word for word in words if len(word) > 3 or word.lower() not in LEADING_WORDS]
    return len(content) >= at_least and all(word[0].isupper() or not word[0].isalpha() for word in content)


