"""Dates in release text: datelines in English, French and Arabic, to ISO 8601."""

from __future__ import annotations

import re
from datetime import datetime

_MONTH_NAMES = [
    # English, French, Arabic (Egyptian/Gulf), Arabic (Levantine/Iraqi)
    ("january", "jan", "janvier", "janv", "يناير", "كانون الثاني"),
    ("february", "feb", "février", "fevrier", "févr", "فبراير", "شباط"),
    ("march", "mar", "mars", "مارس", "آذار"),
    ("april", "apr", "avril", "avr", "أبريل", "ابريل", "إبريل", "نيسان"),
    ("may", "mai", "مايو", "أيار"),
    ("june", "jun", "juin", "يونيو", "حزيران"),
    ("july", "jul", "juillet", "juil", "يوليو", "تموز"),
    ("august", "aug", "août", "aout", "أغسطس", "آب"),
    ("september", "sep", "sept", "septembre", "سبتمبر", "أيلول"),
    ("october", "oct", "octobre", "أكتوبر", "اكتوبر", "تشرين الأول"),
    ("november", "nov", "novembre", "نوفمبر", "تشرين الثاني"),
    ("december", "dec", "décembre", "decembre", "déc", "ديسمبر", "كانون الأول"),
]
_MONTHS = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}
_WORD = r"[^\W\d_]+"
# An optional weekday in any language ("Monday,", "Mardi", "الثلاثاء،").
_WEEKDAY = r"(?:" + _WORD + r"\.?[,،]?\s+)?"
_MONTH = r"(?P<month>" + _WORD + r"(?:\s" + _WORD + r")?)"
_TIME = r"(?:[,،\s]+(?:at\s+|à\s+)?(?P<hour>\d{1,2})[:.h]\s?(?P<minute>\d{2})\s*(?P<ampm>[ap]\.?m\.?)?(?:\s*[A-Z]{2,4})?)?"
_DATE_PATTERNS = [
    # Monday, 10 September 2018 16:14 / Mardi 12 mars 2024 09:30 / الثلاثاء 12 آذار 2024
    re.compile(_WEEKDAY + r"(?P<day>\d{1,2})(?:st|nd|rd|th|er)?\s+" + _MONTH + r"\.?[,،]?\s+(?P<year>\d{4})" + _TIME + r"$", re.I),
    # Monday, September 10, 2018 4:14 pm
    re.compile(_WEEKDAY + _MONTH + r"\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})" + _TIME + r"$", re.I),
    # 2018-09-10 16:14
    re.compile(r"(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})" + r"(?:[T\s]+(?P<hour>\d{2}):(?P<minute>\d{2})(?::\d{2})?)?" + r"$"),
]
_ARABIC_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}


def parse_date(line: str) -> str | None:
    """An ISO date (``2018-09-10T16:14`` or ``2018-09-10``) if ``line`` is a dateline."""
    line = line.strip().translate(_ARABIC_DIGITS)
    if len(line) > 60:
        return None
    for pattern in _DATE_PATTERNS:
        match = pattern.match(line)
        if not match:
            continue
        groups = match.groupdict()
        month = int(groups["mnum"]) if groups.get("mnum") else _MONTHS.get(groups["month"].lower().rstrip("."))
        if month is None:
            continue
        try:
            day = datetime(int(groups["year"]), month, int(groups["day"]))
        except ValueError:
            continue
        if groups.get("hour"):
            hour = int(groups["hour"])
            ampm = (groups.get("ampm") or "").lower().replace(".", "")
            if ampm == "pm" and hour < 12:
                hour += 12
            elif ampm == "am" and hour == 12:
                hour = 0
            if hour > 23 or int(groups["minute"]) > 59:
                continue
            return f"{day:%Y-%m-%d}T{hour:02d}:{int(groups['minute']):02d}"
        return f"{day:%Y-%m-%d}"
    return None
