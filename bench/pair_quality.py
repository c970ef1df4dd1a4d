"""Document pairing: precision, recall and time, en–fr and en–ar, without MT (``--mt none``).

The dev set is built here, with a fixed seed, from parallel material we wrote ourselves
(sentence templates in English, French and Arabic with slots for people, places,
countries, numbers and dates, and the 30 parallel sentences of
translate_pipe/data/tiny_corpus), plus the real releases of ../shared/data/releases with
the true pairs of pairs.tsv. Per language: 80 English releases with a translation, 20
English ones without, 20 translations of nothing. What makes it hard:

- a small pool of names and places, so unrelated releases share them;
- releases clustered on few days (same day, other subject);
- 10 of the unpaired English releases reuse the people and places of a paired one on
  another day with other numbers (same subject, not a translation);
- 15% of translations lose their last third; 10% sit on a listing page between other
  items; translators drop a sentence now and then (10%) and name people by surname only;
- Arabic: Arabic-Indic digits half the time, Levantine or Egyptian month names.

The "hard" variant loses more: 25% of sentences left out, 60% of people by surname only,
30% of numbers written as "dozens of" and countries as "this country", 30% cut short.

It is not real crawled data: every true pair shares its numbers exactly (unless a
sentence was dropped), and sentences repeat across documents. The real releases are few.
Read the figures as "the signals work as intended", not as held-out quality.

Usage: python bench/pair_quality.py [--scale 2000] [--lang fr,ar]
Prints precision and recall on the dev set (real subset separately), and the time to
pair 100×100 and N×N documents read from folders, as a user would.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from translate_pipe.pair import PairingOptions, pair_documents, pair_folders, read_documents  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "releases"
TINY = ROOT / "translate_pipe" / "data" / "tiny_corpus"

PEOPLE = [  # English (also French), Arabic
    ("Riad Seif", "رياض سيف"), ("Nasr al-Hariri", "نصر الحريري"), ("Anas al-Abdah", "أنس العبدة"),
    ("Abdulrahman Mustafa", "عبد الرحمن مصطفى"), ("Salem al-Meslet", "سالم المسلط"), ("Hadi al-Bahra", "هادي البحرة"),
    ("Badr Jamous", "بدر جاموس"), ("Dima Moussa", "ديما موسى"), ("Yahya Maktabi", "يحيى مكتبي"),
    ("Geir Pedersen", "غير بيدرسن"), ("Staffan de Mistura", "ستيفان دي ميستورا"), ("Khaled Khoja", "خالد خوجة"),
    ("Mustafa Sabbagh", "مصطفى الصباغ"), ("Abdulbasit Sieda", "عبد الباسط سيدا"), ("Hisham Marwa", "هشام مروة"),
    ("Fadi Ibrahim", "فادي إبراهيم"), ("Rima Fleihan", "ريما فليحان"), ("Samira Masalmeh", "سميرة مسالمة"),
    ("Michel Kilo", "ميشيل كيلو"), ("George Sabra", "جورج صبرا"), ("Brigitte Curmi", "بريجيت كرمي"),
    ("Joel Rayburn", "جويل رايبرن"), ("James Jeffrey", "جيمس جيفري"), ("Sergey Lavrov", "سيرغي لافروف"),
    ("Vladimir Putin", "فلاديمير بوتين"), ("Emmanuel Macron", "إيمانويل ماكرون"),
    ("Antonio Guterres", "أنطونيو غوتيريش"), ("Recep Tayyip Erdogan", "رجب طيب أردوغان"),
    ("Mohammad Yahya Maktabi", "محمد يحيى مكتبي"), ("Abdulahad Astepho", "عبد الأحد اسطيفو"),
]
PLACES = [  # English, French, Arabic
    ("Idlib", "Idleb", "إدلب"), ("Aleppo", "Alep", "حلب"), ("Damascus", "Damas", "دمشق"), ("Homs", "Homs", "حمص"),
    ("Hama", "Hama", "حماة"), ("Daraa", "Deraa", "درعا"), ("Raqqa", "Raqqa", "الرقة"),
    ("Deir Ezzor", "Deir ez-Zor", "دير الزور"), ("Afrin", "Afrin", "عفرين"), ("Douma", "Douma", "دوما"),
    ("Latakia", "Lattaquié", "اللاذقية"), ("Jarablus", "Jarablus", "جرابلس"), ("Azaz", "Azaz", "إعزاز"),
    ("Manbij", "Manbij", "منبج"), ("Qamishli", "Qamichli", "القامشلي"), ("Kafr Nabl", "Kafranbel", "كفرنبل"),
    ("Maarat al-Numan", "Maarat al-Nouman", "معرة النعمان"), ("Ariha", "Ariha", "أريحا"),
    ("Saraqib", "Saraqeb", "سراقب"), ("Jisr al-Shughur", "Jisr al-Choughour", "جسر الشغور"),
    ("Khan Sheikhoun", "Khan Cheikhoun", "خان شيخون"), ("Harasta", "Harasta", "حرستا"),
    ("Tal Rifaat", "Tal Rifaat", "تل رفعت"), ("Atareb", "Atareb", "الأتارب"), ("Kafr Batikh", "Kafr Batikh", "كفر بطيخ"),
    ("Sarmada", "Sarmada", "سرمدا"), ("Binnish", "Binnech", "بنش"), ("Taftanaz", "Taftanaz", "تفتناز"),
    ("Haas", "Haas", "حاس"), ("Talbiseh", "Talbiseh", "تلبيسة"),
]
COUNTRIES = [  # English, French, Arabic
    ("Turkey", "la Turquie", "تركيا"), ("Russia", "la Russie", "روسيا"), ("Iran", "l'Iran", "إيران"),
    ("France", "la France", "فرنسا"), ("Germany", "l'Allemagne", "ألمانيا"), ("Jordan", "la Jordanie", "الأردن"),
    ("Lebanon", "le Liban", "لبنان"), ("Qatar", "le Qatar", "قطر"), ("Iraq", "l'Irak", "العراق"),
    ("the United States", "les États-Unis", "الولايات المتحدة"), ("Kuwait", "le Koweït", "الكويت"),
    ("Belgium", "la Belgique", "بلجيكا"), ("Egypt", "l'Égypte", "مصر"), ("China", "la Chine", "الصين"),
]
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "ar_levant": ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
                  "تشرين الثاني", "كانون الأول"],
    "ar_egypt": ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر",
                 "ديسمبر"],
}
# (English, French, Arabic) with slots P, Q (people), L, M (places), C (country), N, K (numbers), D (date).
TEMPLATES = [
    ("{P} met {Q} in {L} to discuss the situation in {M}.",
     "{P} a rencontré {Q} à {L} pour discuter de la situation à {M}.",
     "التقى {P} مع {Q} في {L} لبحث الوضع في {M}."),
    ("Airstrikes on {L} killed at least {N} civilians, including {K} children.",
     "Des frappes aériennes sur {L} ont tué au moins {N} civils, dont {K} enfants.",
     "أسفرت الغارات الجوية على {L} عن مقتل {N} مدنياً على الأقل، بينهم {K} طفلاً."),
    ("{P} said that {C} must stop supporting the regime.",
     "{P} a déclaré que {C} doit cesser de soutenir le régime.",
     "وقال {P} إن على {C} التوقف عن دعم النظام."),
    ("More than {N} families fled {L} towards the border with {C}.",
     "Plus de {N} familles ont fui {L} vers la frontière avec {C}.",
     "نزحت أكثر من {N} عائلة من {L} باتجاه الحدود مع {C}."),
    ("The meeting took place on {D}, at the request of {P}.",
     "La réunion a eu lieu le {D}, à la demande de {P}.",
     "وعُقد الاجتماع في {D} بطلب من {P}."),
    ("The delegation handed {N} letters to the envoy of {C}.",
     "La délégation a remis {N} lettres à l'envoyé de {C}.",
     "وسلم الوفد {N} رسالة إلى مبعوث {C}."),
    ("{P} called on the Security Council to protect the people of {L}.",
     "{P} a appelé le Conseil de sécurité à protéger la population de {L}.",
     "ودعا {P} مجلس الأمن إلى حماية أهالي {L}."),
    ("The hospital in {L} received {N} wounded people.",
     "L'hôpital de {L} a reçu {N} blessés.",
     "واستقبل مستشفى {L} {N} جريحاً."),
    ("According to local sources, {N} houses were destroyed in {L} and {M}.",
     "Selon des sources locales, {N} maisons ont été détruites à {L} et à {M}.",
     "وبحسب مصادر محلية، دُمّر {N} منزلاً في {L} و{M}."),
    ("{P} arrived in {L} from {C} on {D}.",
     "{P} est arrivé à {L} en provenance de {C} le {D}.",
     "ووصل {P} إلى {L} قادماً من {C} في {D}."),
    ("{P} stressed that the talks with {Q} would continue.",
     "{P} a souligné que les discussions avec {Q} se poursuivraient.",
     "وأكد {P} أن المحادثات مع {Q} ستستمر."),
    ("Regime forces shelled {L} with {N} barrel bombs.",
     "Les forces du régime ont bombardé {L} avec {N} barils d'explosifs.",
     "قصفت قوات النظام {L} بـ {N} برميلاً متفجراً."),
]
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def _number(value: int, lang: str, rng: random.Random) -> str:
    if lang == "en":
        return f"{value:,}"
    if lang == "fr":
        return f"{value:,}".replace(",", "\u202f" if rng.random() < 0.5 else " ")
    text = str(value)
    return text.translate(ARABIC_DIGITS) if rng.random() < 0.5 else text


def _date(day: tuple[int, int, int], lang: str, rng: random.Random) -> str:
    year, month, dom = day
    if lang == "en":
        return f"{MONTHS['en'][month - 1]} {dom}, {year}" if rng.random() < 0.5 else f"{dom} {MONTHS['en'][month - 1]} {year}"
    if lang == "fr":
        return f"{dom} {MONTHS['fr'][month - 1]} {year}"
    months = MONTHS["ar_levant"] if rng.random() < 0.6 else MONTHS["ar_egypt"]
    text = f"{dom} {months[month - 1]} {year}"
    return text.translate(ARABIC_DIGITS) if rng.random() < 0.5 else text


class Story:
    """One release's content, renderable in en, fr and ar."""

    def __init__(self, rng: random.Random, day: tuple[int, int, int], people=None, places=None, country=None):
        self.day = day
        self.people = people or rng.sample(range(len(PEOPLE)), 2)
        self.places = places or rng.sample(range(len(PLACES)), 2)
        self.country = country if country is not None else rng.randrange(len(COUNTRIES))
        self.sentences = []  # (template index or tiny-corpus line, numbers)
        for _ in range(rng.randint(5, 9)):
            if rng.random() < 0.25:
                self.sentences.append(("tiny", rng.randrange(30), ()))
            else:
                self.sentences.append(("tpl", rng.randrange(len(TEMPLATES)),
                                       (rng.randint(3, 400), rng.randint(2, 60))))
        self.paragraph_breaks = {i for i in range(1, len(self.sentences)) if rng.random() < 0.5}

    def render(self, lang: str, rng: random.Random, tiny: dict[str, list[str]], *, translated: bool = False,
               keep: float = 1.0, hard: bool = False) -> str:
        column = {"en": 0, "fr": 1, "ar": 2}[lang]
        rendered = []
        for kind, index, numbers in self.sentences:
            if translated and rng.random() < (0.25 if hard else 0.1):
                continue  # the translator left this sentence out
            if kind == "tiny":
                rendered.append(tiny[lang][index])
                continue
            person = [PEOPLE[p][1 if lang == "ar" else 0] for p in self.people]
            if translated and rng.random() < (0.6 if hard else 0.3):
                person = [p.split()[-1] for p in person]  # "Seif said" for "Riad Seif said"
            place = [PLACES[p][column] for p in self.places]
            slots = {"P": person[0], "Q": person[1], "L": place[0], "M": place[1],
                     "C": COUNTRIES[self.country][column], "N": _number(numbers[0], lang, rng),
                     "K": _number(numbers[1], lang, rng), "D": _date(self.day, lang, rng)}
            if translated and hard and rng.random() < 0.3:
                # "dozens of civilians" where the English counts them; a country left unnamed.
                slots["N"] = {"fr": "des dizaines de", "ar": "عشرات"}[lang]
                slots["C"] = {"fr": "ce pays", "ar": "هذا البلد"}[lang]
            rendered.append(TEMPLATES[index][column].format(**slots))
        cut = max(1, round(len(rendered) * keep))
        rendered = rendered[:cut]
        paragraphs, current = [], []
        for n, sentence in enumerate(rendered):
            if n in self.paragraph_breaks and current:
                paragraphs.append(" ".join(current))
                current = []
            current.append(sentence)
        paragraphs.append(" ".join(current))
        dateline = _dateline(self.day, lang, rng)
        return dateline + "\n\n" + "\n\n".join(paragraphs) + "\n"


def _dateline(day: tuple[int, int, int], lang: str, rng: random.Random) -> str:
    hour = f"{rng.randint(8, 19)}:{rng.randint(0, 59):02d}"
    if lang == "en":
        return f"{day[2]} {MONTHS['en'][day[1] - 1]} {day[0]} {hour}"
    if lang == "fr":
        return f"{day[2]} {MONTHS['fr'][day[1] - 1]} {day[0]} {hour}"
    return _date(day, "ar", rng)


def _listing(items: list[tuple[tuple[int, int, int], str]], lang: str) -> str:
    heading = {"en": "Coalition News", "fr": "Coalition News", "ar": "بيانات صحفية"}[lang]
    parts = []
    for day, text in items:
        body = text.split("\n\n", 1)[1]
        month = MONTHS["ar_levant" if lang == "ar" else lang][day[1] - 1]
        parts.append(f"{day[2]} {month} {day[0]} In {heading}\n\n{body}")
    return "\n".join(parts)


def build_dev_set(folder: Path, lang: str, seed: int, n_pairs: int = 80, n_single: int = 20,
                  real: bool = True, hard: bool = False) -> set[tuple[str, str]]:
    """Write en/ and LANG/ under ``folder``; return the true pairs as (en path, other path)."""
    rng = random.Random(seed)
    tiny = {code: (TINY / f"{code}.txt").read_text(encoding="utf-8").splitlines() for code in ("en", "fr", "ar")}
    en_dir, other_dir = folder / "en", folder / lang
    en_dir.mkdir(parents=True)
    other_dir.mkdir(parents=True)
    days = [(rng.choice((2017, 2018, 2019)), rng.randint(1, 12), rng.randint(1, 28))
            for _ in range(max(8, (n_pairs + n_single) // 4))]
    stories = [Story(rng, rng.choice(days)) for _ in range(n_pairs)]
    gold: set[tuple[str, str]] = set()
    order = list(range(n_pairs + n_single))
    rng.shuffle(order)  # file numbers say nothing
    other_order = list(range(n_pairs + n_single))
    rng.shuffle(other_order)
    extra_items = [Story(rng, rng.choice(days)) for _ in range(n_pairs // 5)]
    for n, story in enumerate(stories):
        en_path = en_dir / f"release-{order[n]:05d}.txt"
        en_path.write_text(story.render("en", rng, tiny), encoding="utf-8")
        roll = rng.random()
        keep = 2 / 3 if roll < (0.3 if hard else 0.15) else 1.0
        text = story.render(lang, rng, tiny, translated=True, keep=keep, hard=hard)
        if 0.15 <= roll < 0.25 and extra_items:
            other = extra_items.pop()
            items = [(story.day, text), (other.day, other.render(lang, rng, tiny))]
            rng.shuffle(items)
            text = _listing(items, lang)
        other_path = other_dir / f"{lang}-{other_order[n]:05d}.txt"
        other_path.write_text(text, encoding="utf-8")
        gold.add((str(en_path), str(other_path)))
    for k in range(n_single):
        n = n_pairs + k
        if k < n_single // 2:  # same subject as a paired release, another day, other numbers
            twin = stories[k]
            story = Story(rng, rng.choice(days), twin.people, twin.places, twin.country)
        else:
            story = Story(rng, rng.choice(days))
        (en_dir / f"release-{order[n]:05d}.txt").write_text(story.render("en", rng, tiny), encoding="utf-8")
        lonely = Story(rng, rng.choice(days))
        (other_dir / f"{lang}-{other_order[n]:05d}.txt").write_text(
            lonely.render(lang, rng, tiny, translated=True, hard=hard), encoding="utf-8")
    if real and SHARED.is_dir():
        for path in sorted((SHARED / "en").glob("*.txt")):
            (en_dir / f"real-{path.name}").write_bytes(path.read_bytes())
        for path in sorted((SHARED / lang).glob("*.txt")):
            (other_dir / f"real-{path.name}").write_bytes(path.read_bytes())
        for line in (SHARED / "pairs.tsv").read_text(encoding="utf-8").splitlines()[1:]:
            en_file, other_file = line.split("\t")[:2]
            if other_file.startswith(lang + "/"):
                gold.add((str(en_dir / f"real-{Path(en_file).name}"), str(other_dir / f"real-{Path(other_file).name}")))
    return gold


def _quality(pairs: set[tuple[str, str]], gold: set[tuple[str, str]]) -> tuple[float, float, int, int]:
    correct = len(pairs & gold)
    return (correct / len(pairs) if pairs else 1.0), (correct / len(gold) if gold else 1.0), correct, len(pairs)


def evaluate(lang: str, seed: int, show_errors: bool, hard: bool = False) -> tuple[int, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        gold = build_dev_set(Path(tmp), lang, seed, hard=hard)
        start = time.perf_counter()
        result = pair_folders(Path(tmp) / "en", Path(tmp) / lang, lang)
        seconds = time.perf_counter() - start
        found = {(p.en, p.other) for p in result.pairs}
        precision, recall, correct, predicted = _quality(found, gold)
        real_gold = {g for g in gold if "/real-" in g[0]}
        real_found = {f for f in found if "/real-" in f[0] or "/real-" in f[1]}
        real_p, real_r, _, _ = _quality(real_found, real_gold)
        n_en = len(list((Path(tmp) / "en").iterdir()))
        n_other = len(list((Path(tmp) / lang).iterdir()))
        print(f"en-{lang} {'hard ' if hard else ''}dev ({n_en}×{n_other} docs, {len(gold)} true pairs, seed {seed}): "
              f"precision {precision:.3f}, recall {recall:.3f} ({correct} of {predicted} found pairs right), "
              f"{seconds:.2f} s; real releases only: precision {real_p:.2f}, recall {real_r:.2f}")
        if show_errors:
            scores = {(p.en, p.other): p.score for p in result.pairs}
            for pair in sorted(found - gold):
                print(f"  wrong  {Path(pair[0]).name} {Path(pair[1]).name} {scores[pair]}")
            for pair in sorted(gold - found):
                print(f"  missed {Path(pair[0]).name} {Path(pair[1]).name}")
        return correct, predicted, len(gold)


def timing(lang: str, sizes: list[int], seed: int) -> None:
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            gold = build_dev_set(Path(tmp), lang, seed, n_pairs=size * 4 // 5, n_single=size // 5, real=False)
            start = time.perf_counter()
            result = pair_folders(Path(tmp) / "en", Path(tmp) / lang, lang)
            seconds = time.perf_counter() - start
            found = {(p.en, p.other) for p in result.pairs}
            precision, recall, _, _ = _quality(found, gold)
            print(f"en-{lang} {size}×{size}: {seconds:.1f} s (reading included), precision {precision:.3f}, "
                  f"recall {recall:.3f}")


def index_against_baseline(lang: str, size: int, seed: int) -> None:
    """The inverted index against the baseline that scores every pair sharing an anchor
    in full (no candidate pruning): same documents, same process, pairing time only."""
    with tempfile.TemporaryDirectory() as tmp:
        build_dev_set(Path(tmp), lang, seed, n_pairs=size * 4 // 5, n_single=size // 5, real=False)
        english, _ = read_documents(Path(tmp) / "en", "en")
        others, _ = read_documents(Path(tmp) / lang, lang)
        exhaustive = PairingOptions(index_df_share=1.0, index_min_df=10**9, candidates=10**9)
        timings = {}
        results = {}
        for name, options in (("baseline", exhaustive), ("index", PairingOptions())):
            start = time.perf_counter()
            results[name] = {(p.en, p.other) for p in pair_documents(english, others, lang, options=options).pairs}
            timings[name] = time.perf_counter() - start
        same = len(results["index"] & results["baseline"]) / max(1, len(results["baseline"]))
        print(f"en-{lang} {size}×{size} pairing only: index {timings['index']:.2f} s, every-candidate baseline "
              f"{timings['baseline']:.2f} s, {timings['baseline'] / timings['index']:.1f}× faster; "
              f"{same:.3f} of the baseline's pairs found")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", default="fr,ar")
    parser.add_argument("--seed", type=int, action="append",
                        help="dev-set seed (repeatable; default 11-15; seeds 1-5 were used to tune the pairing)")
    parser.add_argument("--scale", type=int, default=2000, help="N for the N×N timing run (0: skip)")
    parser.add_argument("--errors", action="store_true", help="list wrong and missed pairs")
    args = parser.parse_args()
    for lang in args.lang.split(","):
        for hard in (False, True):
            totals = [0, 0, 0]
            for seed in args.seed or [11, 12, 13, 14, 15]:
                for n, value in enumerate(evaluate(lang, seed, args.errors, hard)):
                    totals[n] += value
            correct, predicted, gold = totals
            print(f"en-{lang} {'hard ' if hard else ''}dev, all seeds: precision {correct / max(predicted, 1):.3f}, "
                  f"recall {correct / max(gold, 1):.3f}")
        timing(lang, [100] + ([args.scale] if args.scale else []), seed=7)
        index_against_baseline(lang, 500, seed=7)
    print("(times on a shared, loaded 2-core machine)")


if __name__ == "__main__":
    main()
