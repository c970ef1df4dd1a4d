"""Split news text into paragraphs, then sentences, for English, French and Arabic.

Rule-based and linear-time: one regular expression finds the candidate boundaries (a
terminator, closing quotes or brackets, then white space), and a short decision per
candidate looks at the word before it and the character after it. Sentences are
always substrings of the input: nothing is rewritten, only surrounding white space
is left out. Every line break ends a sentence, because in releases a line without
final punctuation is a headline, a dateline or a trailer of its own.

- ``splitter``: candidates, decisions, the public functions below;
- ``unpunctuated``: boundaries no terminator marks (lines run together in flat text);
- ``lexicon``: the word lists both decide by.
"""

from .splitter import (
    SUPPORTED_LANGS, SentenceSpan, paragraph_spans, segment_document, segment_release, sentence_spans,
    split_sentences,
)

__all__ = [
    "SUPPORTED_LANGS", "SentenceSpan", "paragraph_spans", "segment_document", "segment_release",
    "sentence_spans", "split_sentences",
]
