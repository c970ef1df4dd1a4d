"""Word lists the segmenter decides by: abbreviations and titles, words that open
sentences, and the words around headlines, dates and Arabic datelines. Data only, so
that a list is extended without touching the rules that read it."""

from __future__ import annotations

# Abbreviations after which a full stop does not end a sentence, lower-cased, no
# final dot. Titles before names never end one; the others usually do not.
TITLES = {
    "en": {
        "mr", "mrs", "ms", "dr", "prof", "gen", "sen", "rep", "gov", "lt", "col", "capt",
        "sgt", "maj", "adm", "cmdr", "rev", "hon", "pres", "amb", "st", "sr", "jr", "messrs",
        "mme", "mlle", "fr", "sheikh", "drs",
    },
    "fr": {
        "m", "mm", "mme", "mmes", "mlle", "mlles", "dr", "pr", "me", "mgr", "st", "ste",
        "prof", "gén", "gen", "lt", "col", "cdt", "cne",
    },
    "ar": {"د", "أ", "م", "أ.د", "ا.د", "د.م", "ج", "ت", "ص.ب"},
}
ABBREVIATIONS = {
    "en": {
        "no", "nos", "vol", "vols", "art", "arts", "fig", "figs", "p", "pp", "para", "sec",
        "ch", "ed", "eds", "est", "approx", "dept", "univ", "assn", "bros", "vs", "v",
        "cf", "al", "ca", "op", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec", "mon", "tue", "tues", "wed", "thu", "thur", "thurs",
        "fri", "sat", "sun", "mt", "ft", "ave", "blvd", "rd", "hwy", "e.g", "i.e", "viz",
        "inc", "ltd", "co", "corp", "plc", "llc", "etc", "a.m", "p.m", "ps", "p.s", "assoc", "pvt",
    },
    "fr": {
        "n", "no", "nº", "vol", "art", "fig", "p", "pp", "av", "apr", "env", "cf", "éd",
        "ex", "chap", "bd", "boul", "janv", "févr", "avr", "juil", "sept", "oct", "nov",
        "déc", "etc", "cie", "hab", "min", "max", "c.-à-d", "c-à-d", "j.-c", "av. j.-c",
        "p.-d.g", "pdg", "ann", "suiv", "tél", "vs",
    },
    "ar": {"إلخ", "الخ", "ق.م", "ه", "هـ", "ص", "س", "ش", "ع"},
}
# Abbreviations that often do end a sentence ("... in the U.S. The ..."): they end
# one when a typical sentence opener follows.
SENTENCE_FINAL_ABBREVIATIONS = {
    "etc", "inc", "ltd", "co", "corp", "plc", "llc", "a.m", "p.m", "jr", "sr", "cie",
}
# Abbreviations that stand before a number ("Art. 5", "vol. 2", "fig. 3") and are also
# ordinary words ("a diversity of art.", "c'est du vol.", "Ils sont sept."): before a
# capitalised word that is no Roman numeral they end the sentence.
WORDS_TOO = {
    "en": {"art", "arts", "fig", "figs", "vol", "vols"},
    "fr": {"art", "vol", "fig", "sept"},
    "ar": set(),
}
SENTENCE_OPENERS = {
    "en": {
        "the", "a", "an", "he", "she", "it", "they", "we", "i", "you", "this", "that",
        "these", "those", "there", "his", "her", "its", "their", "our", "in", "on", "at",
        "but", "and", "however", "meanwhile", "moreover", "also", "for", "as", "after",
        "before", "while", "when", "if", "some", "many", "both", "according", "earlier",
        "last", "during", "since", "what", "why", "how", "who", "one", "two", "all",
    },
    "fr": {
        "le", "la", "les", "l", "un", "une", "des", "il", "elle", "ils", "elles", "nous",
        "on", "je", "ce", "cette", "ces", "cet", "mais", "et", "en", "dans", "selon",
        "par", "pour", "après", "avant", "lors", "depuis", "si", "quand", "son", "sa",
        "ses", "leur", "leurs", "de", "du", "au", "aux", "c", "j", "qu", "ça", "cela", "ceci",
        "sur", "pourquoi", "comment", "tout", "tous", "toutes", "à",
    },
}

# "Number" abbreviations: abbreviations only before a number ("No. 5"; "No. Not really."
# is the word no).
NUMBER_SIGNS = {"no", "nos", "n°", "nº"}
# Words that, abbreviated, do not end a sentence before a number: "p. 12", "c. 1818",
# "ext. 37625".
BEFORE_NUMBERS = NUMBER_SIGNS | {"n", "art", "p", "pp", "vol", "c", "ext"}

# The pronoun "I" and its contractions, either apostrophe: it follows names and adverbs
# too often to open a body after a headline in sentence case ("Dan I", "Luckily I").
PRONOUN_I = {"I", "I'm", "I've", "I'd", "I'll", "I’m", "I’ve", "I’d", "I’ll"}

# Bullets: one between spaces opens a list item, after a colon or a sentence end alike.
BULLETS = "·•▪‣●◦⁃"

# Words that lead up to a date or a time stamp after them ("on", "Sent", "is").
LEADS_TO_A_DATE = {
    "on", "at", "by", "from", "of", "since", "until", "till", "before", "after", "to", "between",
    "and", "or", "the", "dated", "sent", "received", "posted", "written", "updated", "modified",
    "born", "died", "issued", "published", "released", "effective", "as", "for", "in", "through",
    "is", "was", "will", "be", "last", "next", "every", "this", "that",
}

# Headlines and headings that lost their line break (see unpunctuated.headline_end).
STRONG_HEADLINE_OPENERS = {
    "The", "This", "They", "We", "My", "Our", "If", "When", "What", "Thanks", "Do",
}
HEADLINE_OPENERS = STRONG_HEADLINE_OPENERS | PRONOUN_I | {
    "These", "Those", "That", "He", "She", "It", "Its", "Your", "Their", "His", "Her", "Why", "How",
    "Whether", "While", "After", "Before", "Although", "Though", "Because", "Since", "Once", "As", "There",
    "Here", "A", "An", "Don't", "Please", "Be", "Not", "Thank", "Let",
}
CLAUSE_OPENERS = {"it's", "that's", "there's", "here's", "what's", "i'm", "he's", "she's", "we're", "they're",
                   "you're", "let's"}
# Words a headline does not end on: they lead into what follows.
LEADING_WORDS = set("""
    a an the and or but nor of to in on at by for from with without into onto over under about as than that
    this these those is are was were be been being am do does did has have had will would can could shall
    should may might must not no my our your their his her its i we you he she it they me us him them who
    whom which what when where why how if so then now very too also just only even still yet more most less
    least such own same other another each every some any all both either neither few many much several
    said says say it's it’s that's that’s there's there’s here's here’s what's what’s let's let’s i'm i’m
    yesterday today tomorrow tonight well here there recently meanwhile earlier later finally first however
    instead currently previously again once sometimes often actually apparently unfortunately fortunately
    luckily clearly obviously perhaps maybe last next ok okay yes oh hey hi hello dear thus therefore anyway
    besides um uh mom dad glad cause
""".split())

# Arabic news run a headline into the dateline that opens the article ("... الصينية
# بكين ــ من المؤكد ..."): a city, then a tatweel or a dash. The dash alone is no sign
# (it also sets off asides), so the city must be a known one and not follow a
# preposition ("في تونس ـ ..."). Underscores join the words of a city's name.
ARABIC_DATELINE_CITIES = """
    واشنطن نيويورك لندن باريس برلين بروكسل جنيف فيينا روما مدريد لشبونة أمستردام امستردام لاهاي
    ستوكهولم أوسلو اوسلو كوبنهاغن هلسنكي موسكو وارسو براغ بودابست أثينا اثينا أنقرة انقرة اسطنبول
    إسطنبول طهران بغداد دمشق بيروت عمان عمّان القدس غزة القاهرة الإسكندرية الاسكندرية الرياض جدة
    الدوحة دبي أبوظبي الكويت المنامة مسقط صنعاء الخرطوم طرابلس تونس الجزائر الرباط نواكشوط بكين
    بيجين شنغهاي طوكيو سيول نيودلهي مومباي كابول جاكرتا سنغافورة بانكوك سيدني ملبورن كانبرا أوتاوا
    اوتاوا تورونتو برازيليا سانتياغو ليما بوغوتا كراكاس نيروبي لاغوس أبوجا جوهانسبرغ داكار أكرا
    كمبريدج كليرمونت أكسفورد اكسفورد بيركلي ميونيخ فرانكفورت ميلانو زيوريخ دافوس ستانفورد بوسطن شيكاغو دنفر
    برينستون كييف ستراسبورغ لوكسمبورغ دبلن إدنبرة مانيلا هانوي كوالالمبور دكا كولومبو كاتماندو حلب
    حمص اللاذقية طرطوس درعا إدلب الرقة دير_الزور رام_الله إسلام_أباد اسلام_آباد أبو_ظبي
    الدار_البيضاء هونغ_كونغ هونج_كونج مكسيكو_سيتي ريو_دي_جانيرو ساو_باولو بوينس_آيرس أديس_أبابا
    كيب_تاون سان_فرانسيسكو لوس_أنجلوس نيو_هافن تل_أبيب
""".split()

# Kickers: the label a news item opens with before a colon ("EXCLUSIVE: ...",
# "Communiqué : ...", "عاجل: ..."), a segment of its own. Lower-cased; in English and
# French the kicker must be capitalised where it stands.
KICKERS = {
    "en": {
        "exclusive", "breaking", "breaking news", "update", "updated", "urgent", "analysis", "opinion", "editorial",
        "watch", "video", "photos", "in pictures", "live", "statement", "press release", "news release", "alert",
        "just in", "correction", "interview", "factbox", "explainer", "fact check", "read", "communique",
        "communiqué", "announcement", "flash", "developing",
    },
    "fr": {
        "communiqué", "communiqué de presse", "exclusif", "urgent", "dernière minute", "dernière heure", "alerte",
        "vidéo", "photos", "en images", "analyse", "éditorial", "tribune", "entretien", "déclaration",
        "mise à jour", "en direct", "direct", "info", "flash", "correctif", "rectificatif", "annonce",
    },
    "ar": {
        "عاجل", "خاص", "حصري", "حصريا", "حصرياً", "بيان", "بيان صحفي", "تصريح", "فيديو", "بالفيديو", "صور", "بالصور",
        "تحليل", "رأي", "مقال", "تحديث", "مباشر", "هام", "خبر عاجل", "إعلان", "تنويه", "تصحيح",
    },
}
