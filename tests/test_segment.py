from __future__ import annotations

import time

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from translate_pipe.segment import paragraph_spans, segment_document, sentence_spans, split_sentences


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        ("en", "Dr. Smith met Mr. Jones. They talked.", ["Dr. Smith met Mr. Jones.", "They talked."]),
        ("en", "He lives in the U.S. The weather is fine.", ["He lives in the U.S.", "The weather is fine."]),
        ("en", "The U.N. Security Council met.", ["The U.N. Security Council met."]),
        ("en", "It grew 2.5 percent. Prices fell.", ["It grew 2.5 percent.", "Prices fell."]),
        ("en", "He backed UN Security Council Resolution 2254. Talks resume.",
         ["He backed UN Security Council Resolution 2254.", "Talks resume."]),
        ("en", '"We are ready," he said. "The talks start today."',
         ['"We are ready," he said.', '"The talks start today."']),
        ("en", "“There is no other Idlib.” Mustafa said so.", ["“There is no other Idlib.”", "Mustafa said so."]),
        ("en", "John F. Kennedy spoke. Crowds cheered.", ["John F. Kennedy spoke.", "Crowds cheered."]),
        ("en", "Wait... what happened? Nobody knows!", ["Wait... what happened?", "Nobody knows!"]),
        ("en", "Headline Without Stop\nThe body starts here.", ["Headline Without Stop", "The body starts here."]),
        ("en", "See No. 5 for details.", ["See No. 5 for details."]),
        ("en", "where did you grow up? india? nice.", ["where did you grow up?", "india?", "nice."]),
        ("en", "we went to the party. max stayed home.", ["we went to the party.", "max stayed home."]),
        ("en", '"Why?" he asked. Nobody knew.', ['"Why?" he asked.', "Nobody knew."]),
        ("en", "Bring pens, paper, etc. and a bag.", ["Bring pens, paper, etc. and a bag."]),
        ("en", "It opened at 9 a.m. on Monday.", ["It opened at 9 a.m. on Monday."]),
        ("en", "See p. 12 and fig. 3 for more.", ["See p. 12 and fig. 3 for more."]),
        ("en", "Did it work? No. Not really.", ["Did it work?", "No.", "Not really."]),
        ("en", "He was born in 1788. [6] His father left. [7][8] Then", ["He was born in 1788. [6]",
                                                                        "His father left. [7][8]", "Then"]),
        ("en", "Surgeries for all! [...] What can we do?", ["Surgeries for all! [...]", "What can we do?"]),
        ("fr", "Il l'a annoncé. […] « Ce n'est pas rentable. »", ["Il l'a annoncé. […]", "« Ce n'est pas rentable. »"]),
        ("en", "Thanks for the link. @maria Which page?", ["Thanks for the link.", "@maria Which page?"]),
        # Web text run together: e-mail header time stamps, addresses, shouting, prices.
        ("en", "Kay Mann 04/26/2001 07:17 AM Will you come? Yes.",
         ["Kay Mann", "04/26/2001 07:17 AM", "Will you come?", "Yes."]),
        ("en", "Sent 04/26/2001 07:17 AM EST Please call.", ["Sent 04/26/2001 07:17 AM EST", "Please call."]),
        ("en", "The files of 04/26/2001 07:17 are lost.", ["The files of 04/26/2001 07:17 are lost."]),
        # The sender's name before an e-mail header's time stamp is a line of its own.
        ("en", "Fine, see you. Christa Winfrey 08/08/2000 11:36 AM Have you heard?",
         ["Fine, see you.", "Christa Winfrey", "08/08/2000 11:36 AM", "Have you heard?"]),
        ("en", "It was sent on 08/08/2000 11:36 AM by Jo.", ["It was sent on 08/08/2000 11:36 AM by Jo."]),
        # A headline run into its date line; a contact block's fields after a number.
        ("en", "Children lack iodine Thursday, February 23, 2006 Almost half of them do.",
         ["Children lack iodine", "Thursday, February 23, 2006", "Almost half of them do."]),
        ("en", "The talks ended on Thursday, February 23, 2006 in Geneva.",
         ["The talks ended on Thursday, February 23, 2006 in Geneva."]),
        ("en", "Monday, 10 September 2018 16:14 President Mustafa Meets French Envoy",
         ["Monday, 10 September 2018 16:14", "President Mustafa Meets French Envoy"]),
        ("en", "Park PA 16802-6601 Phone: 814.863.1874 Fax: 814.863.6874",
         ["Park PA 16802-6601", "Phone: 814.863.1874", "Fax: 814.863.6874"]),
        ("en", "More at www.un.org/sg The vote is on Monday.", ["More at www.un.org/sg", "The vote is on Monday."]),
        ("en", "See www.un.org for the text.", ["See www.un.org for the text."]),
        ("en", "http://un.org/a.html http://un.org/b.html see both", ["http://un.org/a.html", "http://un.org/b.html see both"]),
        # Header fields of posts and mails run together with the body.
        ("en", 'Email: "Julie"<julie@example.net> Groups: alt.animals.cat Like you said, he is stressed.',
         ['Email: "Julie"<julie@example.net>', "Groups: alt.animals.cat", "Like you said, he is stressed."]),
        ("en", "Email: franz@example.com lol, the last message came out weird.",
         ["Email: franz@example.com", "lol, the last message came out weird."]),
        ("en", "Write to desk@un.org for details.", ["Write to desk@un.org for details."]),
        ("en", '"Les Spahnn" <spahnn@hnks.com> 02/13/2001 08:02 PM All: It is time.',
         ['"Les Spahnn" <spahnn@hnks.com>', "02/13/2001 08:02 PM", "All: It is time."]),
        ("en", "Write to <desk@un.org> for details.", ["Write to <desk@un.org> for details."]),
        ("en", "She is the star of the family :) I love her.", ["She is the star of the family :)", "I love her."]),
        ("en", "Posted via Newsfeed ----- The news service.", ["Posted via Newsfeed -----", "The news service."]),
        ("en", "The envoy -- Geir Pedersen -- arrived.", ["The envoy -- Geir Pedersen -- arrived."]),
        # Speech broken off by a dash before a typical opener; not before "I" or a name.
        ("en", "Just let it go. You — No, because she doesn't — All you said was wrong.",
         ["Just let it go.", "You —", "No, because she doesn't —", "All you said was wrong."]),
        ("en", "I'm gonna conquer — I'm gonna conquer you.", ["I'm gonna conquer — I'm gonna conquer you."]),
        ("en", "The envoy — Geir Pedersen — arrived.", ["The envoy — Geir Pedersen — arrived."]),
        ("en", "Dear Nina, Here is a tip. Best regards, Debra Perlingiere",
         ["Dear Nina,", "Here is a tip.", "Best regards,", "Debra Perlingiere"]),
        ("en", "Thank you, Mr. President. Thanks, everyone.", ["Thank you, Mr. President.", "Thanks, everyone."]),
        ("en", "We shall be seeing you soon. Yours, Bill", ["We shall be seeing you soon.", "Yours,", "Bill"]),
        # A headline that lost its line break, before a body that opens on a typical opener.
        ("en", "Great Family Fun and Bonding What more can be said? A lot.",
         ["Great Family Fun and Bonding", "What more can be said?", "A lot."]),
        ("en", "The Beast I was thirteen. It was spring.", ["The Beast", "I was thirteen.", "It was spring."]),
        ("en", "Dentist you can trust If possible I try them first.",
         ["Dentist you can trust", "If possible I try them first."]),
        ("en", "They sailed at night. History The first settlers came by sea.",
         ["They sailed at night.", "History", "The first settlers came by sea."]),
        ("en", "Yesterday The Times reported it.", ["Yesterday The Times reported it."]),
        ("en", "Luckily I live very close.", ["Luckily I live very close."]),
        ("en", "The best thing I ever did was leave.", ["The best thing I ever did was leave."]),
        ("en", 'The clause reads "The value is fixed."', ['The clause reads "The value is fixed."']),
        ("en", "To Feel Happier, We Have to Resolve to the Life We Evolved to Live",
         ["To Feel Happier, We Have to Resolve to the Life We Evolved to Live"]),
        ("en", "How to Wash Overalls in a Washing Machine Whether you farm or not, wash them cold.",
         ["How to Wash Overalls in a Washing Machine", "Whether you farm or not, wash them cold."]),
        ("en", "The Chi, Tau and Rho groups met.", ["The Chi, Tau and Rho groups met."]),
        ("en", "awesome place!!! it was worth the ride.", ["awesome place!!!", "it was worth the ride."]),
        ("en", "How much is it? $5.76 for the meal.", ["How much is it?", "$5.76 for the meal."]),
        ("en", "It cost approx. $5 million in the U.S. $3 went to aid.",
         ["It cost approx. $5 million in the U.S. $3 went to aid."]),
        # Listed abbreviations that look like acronyms, circa and extensions before numbers.
        ("en", "Use open texts (e.g. The Programming Historian) in class.",
         ["Use open texts (e.g. The Programming Historian) in class."]),
        ("en", "Thanks again. P.S. I am moving back to Calgary.", ["Thanks again.", "P.S. I am moving back to Calgary."]),
        ("en", "Joshua Norton (c. 1818 - 1880) was born in London.", ["Joshua Norton (c. 1818 - 1880) was born in London."]),
        ("en", "Call me at ext. 37625 today. Drs. Ali and Khan agreed.",
         ["Call me at ext. 37625 today.", "Drs. Ali and Khan agreed."]),
        ("en", "Talks stalled in the U.S. The envoy left.", ["Talks stalled in the U.S.", "The envoy left."]),
        # Numbered and lettered lists run together; list markers are not sentences.
        ("en", "1. The Council met. 2. The envoy briefed it.", ["1. The Council met.", "2. The envoy briefed it."]),
        ("en", "1. Aid must flow 2. Fighting must stop 3. Talks resume",
         ["1. Aid must flow", "2. Fighting must stop", "3. Talks resume"]),
        ("en", "a. The first demand b. The second demand", ["a. The first demand", "b. The second demand"]),
        ("en", "• 9. Food aid • 10. Shelter", ["• 9. Food aid", "• 10. Shelter"]),
        # A title after a.m./p.m. opens a sentence unless the words so far only open one;
        # never after an acronym ("U.S. Sen.").
        ("en", "The session closed at 6 P.M. Mr. Smith then left.", ["The session closed at 6 P.M.", "Mr. Smith then left."]),
        ("en", "At 5 a.m. Mr. Smith went to the bank.", ["At 5 a.m. Mr. Smith went to the bank."]),
        ("en", "She met U.S. Sen. Warren on Monday.", ["She met U.S. Sen. Warren on Monday."]),
        ("en", "It is at N°. 1026.253.553. That is where it is.", ["It is at N°. 1026.253.553.", "That is where it is."]),
        ("en", "We make a good team, you and I. Did you see Albert I. Jones?",
         ["We make a good team, you and I.", "Did you see Albert I. Jones?"]),
        # Spaced ellipses are one mark; an ellipsis before "I" seldom ends a sentence.
        ("en", "The habit weakened . . . but it stayed. . . . The rest went.",
         ["The habit weakened . . . but it stayed. . . .", "The rest went."]),
        ("en", "the thing is ... I didn't mean it.", ["the thing is ... I didn't mean it."]),
        ("fr", "Des rues, des écoles, etc. C'est un début.", ["Des rues, des écoles, etc.", "C'est un début."]),
        ("fr", "Voir le no. 4 et la p. 7.", ["Voir le no. 4 et la p. 7."]),
        ("fr", "M. Macron a parlé. Mme Dupont a répondu.", ["M. Macron a parlé.", "Mme Dupont a répondu."]),
        ("fr", "« Nous sommes prêts. » Le ministre a confirmé.", ["« Nous sommes prêts. »", "Le ministre a confirmé."]),
        ("fr", "Il vit aux É.-U. depuis 2010.", ["Il vit aux É.-U. depuis 2010."]),
        # After ";" French goes on in lower case: a capitalised opener starts a sentence.
        ("fr", "Il se convertit au catholicisme ; En 1945 la production double.",
         ["Il se convertit au catholicisme ;", "En 1945 la production double."]),
        ("fr", "Il y a Marseille ; Lyon ; et Paris ; ensuite la province.",
         ["Il y a Marseille ; Lyon ; et Paris ; ensuite la province."]),
        ("fr", "Le taux est de 2,5 %. Il baisse.", ["Le taux est de 2,5 %.", "Il baisse."]),
        ("ar", "قال د. سميث إن الوضع خطير. وأضاف أن المساعدات وصلت.",
         ["قال د. سميث إن الوضع خطير.", "وأضاف أن المساعدات وصلت."]),
        # A headline run into the dateline of the article; a dash alone is an aside.
        ("ar", "لماذا تحتاج أوروبا إلى الإصلاح بروكسل ــ في التجمعات الكبرى.",
         ["لماذا تحتاج أوروبا إلى الإصلاح", "بروكسل ــ في التجمعات الكبرى."]),
        ("ar", "حتمية السياسة الاقتصادية واشنطن، العاصمة ــ كانت الأزمة.",
         ["حتمية السياسة الاقتصادية", "واشنطن، العاصمة ــ كانت الأزمة."]),
        ("ar", "ونحو 4.6% في تونس ـ ليس كمثل غيرها.", ["ونحو 4.6% في تونس ـ ليس كمثل غيرها."]),
        ("ar", "لماذا تتطلب الديمقراطية خبراء باريس- لقد كتبت مقالا.", ["لماذا تتطلب الديمقراطية خبراء", "باريس- لقد كتبت مقالا."]),
        ("ar", "افتتحت رحلة باريس-لندن أمس.", ["افتتحت رحلة باريس-لندن أمس."]),
        ("ar", "إن المخاطر مرتفعة للغاية ــ خاصة وأن التدخل مكلف.", ["إن المخاطر مرتفعة للغاية ــ خاصة وأن التدخل مكلف."]),
        ("ar", "هل وصلت المساعدات؟ نعم، وصلت أمس.", ["هل وصلت المساعدات؟", "نعم، وصلت أمس."]),
        # Bullets open list items, after a colon or a quoted sentence end; an ellipsis that
        # opens a quote is omitted text, not a sentence.
        ("ar", 'في بحثه: · "احتاجت 100 عام". · "... لقد تبخر التأثير".',
         ["في بحثه:", '· "احتاجت 100 عام".', '· "... لقد تبخر التأثير".']),
        ("en", "Three points: • Costs rose. • Jobs fell.", ["Three points:", "• Costs rose.", "• Jobs fell."]),
        ("en", 'He wrote: "... It was gone." Then he left.', ['He wrote: "... It was gone."', "Then he left."]),
        ("fr", "Il a dit « … Nous partons. » Puis il est sorti.", ["Il a dit « … Nous partons. »", "Puis il est sorti."]),
        ("ar", "قال الوزير: إن الحل سياسي، ولا بديل عنه؛ وهذا واضح.", ["قال الوزير: إن الحل سياسي، ولا بديل عنه؛ وهذا واضح."]),
    ],
)
def test_news_hazards(lang: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, lang) == expected


def test_zero_width_and_rtl_marks_survive() -> None:
    text = "قال\u200f الوزير. وأضاف\u200b أن الوضع صعب."
    sentences = split_sentences(text, "ar")
    assert "".join("".join(sentences).split()) == "".join(text.split())
    assert "\u200f" in sentences[0] and "\u200b" in sentences[1]


def test_paragraphs_keep_offsets() -> None:
    text = "Title line\n\nFirst sentence. Second one.\n\n  Last paragraph here.  "
    spans = segment_document(text, "en")
    assert [s.paragraph for s in spans] == [0, 1, 1, 2]
    for span in spans:
        assert text[span.start : span.end] == span.text
    assert len(paragraph_spans(text)) == 3


# Characters, and the pieces the rules look for: abbreviations, openers after a headline,
# dashes, bullets, list markers, header fields, links, dates, time stamps.
_alphabet = st.sampled_from(list("abc ABC.!?؟…\"'«»“”()\n\t,،؛;:0123456789") + [
    "Dr.", "U.S.", " M. ", "د. ", " The ", " I ", " We ", " — ", " - ", " • ", " · ", "1. ", " 2. ", "a. ", " b. ",
    "Email: jo@un.org ", " Groups: alt.cat ", " http://un.org ", " Friday, May 8, 2009 ", " 04/26/2001 07:17 AM ",
    " Phone: ", " p.m. ", " Mr. ", " . . . ", "Yours, ", " En ", " Great Service ",
    "EXCLUSIVE: ", " Communiqué : ", "عاجل: ", " Update:",
])


@given(st.lists(_alphabet, max_size=60).map("".join), st.sampled_from(["en", "fr", "ar"]))
@settings(max_examples=300, deadline=None)
def test_sentences_are_the_input_modulo_whitespace(text: str, lang: str) -> None:
    sentences = split_sentences(text, lang)
    assert all(s and s == s.strip() for s in sentences)
    assert "".join("".join(sentences).split()) == "".join(text.split())
    # Each sentence is an exact substring at increasing offsets.
    spans = sentence_spans(text, lang)
    assert [text[a:b] for a, b in spans] == sentences
    assert all(b1 <= a2 for (_, b1), (a2, _) in zip(spans, spans[1:]))


@given(st.lists(_alphabet, max_size=60).map("".join), st.sampled_from(["en", "fr", "ar"]))
@example("EXCLUSIVE:  Friday, May 8, 2009  Mr. ", "en")  # the date after a kicker stayed in the next sentence
@settings(max_examples=200, deadline=None)
def test_idempotent_on_its_own_output(text: str, lang: str) -> None:
    for sentence in split_sentences(text, lang):
        assert split_sentences(sentence, lang) == [sentence]


# Lines of words, some long enough to be wider than any wrap, some short, some ending a
# sentence, joined by single and double line breaks: what the wrapped-line rule decides on.
_line = st.lists(st.sampled_from(["the", "The", "minister", "said", "Press", "release", "of", "water", "network.",
                                  "north", "Tuesday,", "and", "It"]), min_size=1, max_size=30).map(" ".join)
_lines = st.lists(st.tuples(_line, st.sampled_from(["\n", "\n", "\n\n"])), min_size=1, max_size=8).map(
    lambda pairs: "".join(line + brk for line, brk in pairs))


@given(_lines, st.sampled_from(["en", "fr"]))
@settings(max_examples=200, deadline=None)
def test_wrapped_line_rule_is_idempotent_and_loses_nothing(text: str, lang: str) -> None:
    sentences = split_sentences(text, lang)
    assert "".join("".join(sentences).split()) == "".join(text.split())
    for sentence in sentences:
        assert split_sentences(sentence, lang) == [sentence]


def test_linear_time_on_a_megabyte_without_punctuation() -> None:
    small, big = "word " * 20_000, "word " * 200_000
    t0 = time.perf_counter()
    assert split_sentences(small, "en") == [small.strip()]
    t_small = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert split_sentences(big, "en") == [big.strip()]
    t_big = time.perf_counter() - t0
    # Ten times the input may take at most ~30 times as long (noise), never quadratic (100x).
    assert t_big < max(30 * t_small, 0.5)
    # Nor on one endless sentence of candidates that are no boundaries (each decision
    # looks back a bounded way), in list-item shape too.
    for unit in ("x e.g. ", "1. a "):
        small, big = unit * 3_000, unit * 30_000
        t0 = time.perf_counter()
        split_sentences(small, "en")
        t_small = time.perf_counter() - t0
        t0 = time.perf_counter()
        split_sentences(big, "en")
        assert time.perf_counter() - t0 < max(30 * t_small, 0.5), unit
    # Nor on something shaped like an endless web address (the unpunctuated-end search).
    small, big = "www.a" * 20_000, "www.a" * 200_000
    t0 = time.perf_counter()
    assert split_sentences(small, "en") == [small]
    t_small = time.perf_counter() - t0
    t0 = time.perf_counter()
    assert split_sentences(big, "en") == [big]
    assert time.perf_counter() - t0 < max(30 * t_small, 0.5)


# --- news: headline -> dateline -> body, in three languages (issue 16) -----------------------

@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # Abbreviations that are words too: "art." and "vol." end a sentence before a capital word.
        ("The gallery has a diversity of art. Destiny Allison made it. See Art. IV and art. 5 of the law.", "en",
         ["The gallery has a diversity of art.", "Destiny Allison made it.", "See Art. IV and art. 5 of the law."]),
        ("C'est du vol. Et vous le savez. Ils sont sept. Puis ils partent le 3 sept. 2018 à midi.", "fr",
         ["C'est du vol.", "Et vous le savez.", "Ils sont sept.", "Puis ils partent le 3 sept. 2018 à midi."]),
        # "etc." ends a sentence before a capital (a list's end), not before lower case.
        ("It helps joint health, mood, etc. When it comes to sleep, it helps too.", "en",
         ["It helps joint health, mood, etc.", "When it comes to sleep, it helps too."]),
        ("Food, water, etc. the easiest thing is a fish.", "en", ["Food, water, etc. the easiest thing is a fish."]),
        ("Les salariés, les usagers, etc. Personne ne crie au scandale.", "fr",
         ["Les salariés, les usagers, etc.", "Personne ne crie au scandale."]),
        # A quotation closed before the full stop, then lower case (informal text): a new sentence.
        ('Like you said "the kids egg him on". maybe too much.', "en",
         ['Like you said "the kids egg him on".', "maybe too much."]),
        ('He works for the "U.S.". next door.', "en", ['He works for the "U.S.". next door.']),
        # A date after a letter's closing opens its sentence, as it does split on its own.
        ("Yours, Friday, May 8, 2009 Mr. Smith came.", "en", ["Yours,", "Friday, May 8, 2009", "Mr. Smith came."]),
        # Kickers: a label and its colon are a segment of their own, in three languages.
        ("EXCLUSIVE: Syrian Coalition President Meets French Envoy The President of the Coalition met the envoy.",
         "en", ["EXCLUSIVE:", "Syrian Coalition President Meets French Envoy",
                "The President of the Coalition met the envoy."]),
        ("The vote was held. Breaking News: 22 killed in rural Idlib.", "en",
         ["The vote was held.", "Breaking News:", "22 killed in rural Idlib."]),
        ("Communiqué : La Coalition condamne les frappes sur Idlib.", "fr",
         ["Communiqué :", "La Coalition condamne les frappes sur Idlib."]),
        ("Communiqué de presse : « La Coalition condamne les frappes. »", "fr",
         ["Communiqué de presse :", "« La Coalition condamne les frappes. »"]),
        ("عاجل: الائتلاف يدين القصف على إدلب.", "ar", ["عاجل:", "الائتلاف يدين القصف على إدلب."]),
        ("بيان صحفي: دان الائتلاف الوطني القصف.", "ar", ["بيان صحفي:", "دان الائتلاف الوطني القصف."]),
        # Not a kicker: inside a sentence, lower case after it, not at a sentence start.
        ("He said in the statement: The talks failed.", "en", ["He said in the statement: The talks failed."]),
        ("The list is long. Update: the list is ready.", "en", ["The list is long.", "Update: the list is ready."]),
        ("Le texte du communiqué : La Coalition condamne.", "fr", ["Le texte du communiqué : La Coalition condamne."]),
        ("نص البيان: دان الائتلاف القصف.", "ar", ["نص البيان: دان الائتلاف القصف."]),
        ("Russian jets kill 22 in rural Idlib PARIS (AFP) - Warplanes struck a shelter on Wednesday.", "en",
         ["Russian jets kill 22 in rural Idlib", "PARIS (AFP) - Warplanes struck a shelter on Wednesday."]),
        ("Le rapport sur la parité est publié GENÈVE, 12 mars (Reuters) – Le rapport publié mardi montre un recul.",
         "fr", ["Le rapport sur la parité est publié",
                "GENÈVE, 12 mars (Reuters) – Le rapport publié mardi montre un recul."]),
        ("Le Conseil se réunit Lundi 10 septembre 2018 16:14 GMT Le Conseil de sécurité a voté.", "fr",
         ["Le Conseil se réunit", "Lundi 10 septembre 2018 16:14 GMT", "Le Conseil de sécurité a voté."]),
        ("President Mustafa Meets French Envoy Monday, 10 September 2018 4:14 pm EST The president met the envoy.",
         "en", ["President Mustafa Meets French Envoy", "Monday, 10 September 2018 4:14 pm EST",
                "The president met the envoy."]),
        ("الائتلاف يدين الهجوم الاثنين 10 أيلول 2018 - 16:14 بتوقيت دمشق أدان الائتلاف الوطني الهجوم.", "ar",
         ["الائتلاف يدين الهجوم", "الاثنين 10 أيلول 2018 - 16:14 بتوقيت دمشق", "أدان الائتلاف الوطني الهجوم."]),
        # Not datelines: a date inside a sentence, a dash inside a sentence, a number before capitals.
        ("Le Conseil se réunira lundi 10 septembre 2018 à 16h00 à Genève.", "fr",
         ["Le Conseil se réunira lundi 10 septembre 2018 à 16h00 à Genève."]),
        ("He met the envoy in GENEVA - Talks went on.", "en", ["He met the envoy in GENEVA - Talks went on."]),
        ("Write to 223 HUB - Robeson Center for details.", "en", ["Write to 223 HUB - Robeson Center for details."]),
    ],
)
def test_news_headline_dateline_body(text: str, lang: str, expected: list[str]) -> None:
    assert split_sentences(text, lang) == expected
    # Each piece split again gives itself.
    assert [s for piece in expected for s in split_sentences(piece, lang)] == expected


def test_hard_wrapped_sentences_are_one_segment_and_header_lines_stay_units() -> None:
    from translate_pipe.model import Paragraph, Release
    from translate_pipe.segment import segment_release

    wrapped = ("The Port Authority opened a new container terminal on Tuesday, raising the\n"
               "port capacity to 1.2 million containers a year. Dr. Samir Haddad, the director\n"
               "of the authority, said the terminal cost 45 million dollars and would open to\n"
               "Lebanese and Jordanian shippers in May.")
    assert split_sentences(wrapped, "en") == [
        "The Port Authority opened a new container terminal on Tuesday, raising the\n"
        "port capacity to 1.2 million containers a year.",
        "Dr. Samir Haddad, the director\nof the authority, said the terminal cost 45 million dollars and would open to\n"
        "Lebanese and Jordanian shippers in May.",
    ]
    header = "Press release\nSyrian Coalition\nMedia Department\nMarch 22, 2018"
    assert split_sentences(header, "en") == header.splitlines()
    release = Release(id="r", title="T", paragraphs=(Paragraph(wrapped), Paragraph(header)))
    texts = [segment.text for segment in segment_release(release)]
    assert texts[1].startswith("Dr. Samir Haddad, the director of the authority, said") and "\n" not in texts[1]
    assert texts[-4:] == header.splitlines()


def test_line_breaks_in_a_block_with_long_lines_are_not_wraps() -> None:
    # Paragraphs one per line (no blank line between): a line longer than any wrap width
    # says the breaks are paragraph ends, even before lower case or after a long unit.
    long_line = ("The committee met on Tuesday to review the budget of the water authority and the plans "
                 "for the new network in the north")
    text = f"{long_line}\nthe minister did not attend the meeting.\nPress release from the Media Department of the Authority\nAnother paragraph."
    assert split_sentences(text, "en") == text.split("\n")
    # The same lines hard-wrapped (all short): the sentence runs on across the break.
    wrapped = ("The committee met on Tuesday to review the budget of the water authority\n"
               "and the plans for the new network in the north.")
    assert split_sentences(wrapped, "en") == [wrapped]
    # A blank line separates blocks: a wide block does not stop the wraps of a narrow one.
    assert split_sentences(f"{long_line}.\n\n{wrapped}", "en") == [f"{long_line}.", wrapped]
    for newline in ("\r\n", "\r"):  # Windows and old Mac line ends mark blank lines too
        crlf = wrapped.replace("\n", newline)
        assert split_sentences(f"{long_line}.{newline * 2}{crlf}", "en") == [f"{long_line}.", crlf]
