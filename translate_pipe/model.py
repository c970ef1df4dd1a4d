"""The data model every stage speaks: plain frozen dataclasses, no behaviour beyond derivations."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a release. ``kind`` is ``title``, ``body`` or ``trailer``."""

    text: str
    kind: str = "body"


@dataclass(frozen=True)
class Release:
    """A press release after ingest: metadata plus its paragraphs, boilerplate removed.

    ``id`` is a hash of the normalised title and paragraphs, so the same release under
    another file name gets the same id. ``origin`` names where it was read from (a
    path, or a path and a JSON-lines id); ``dropped`` lists what ingest removed and why;
    ``warnings`` what it kept but a person should know (bidi controls, say). ``url`` is
    the page's canonical address when the release came from a web page.
    """

    id: str
    title: str
    paragraphs: tuple[Paragraph, ...]
    lang: str = "en"
    date: str | None = None
    source: str | None = None
    origin: str = ""
    external_id: str | None = None
    dropped: tuple[str, ...] = ()
    url: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Segment:
    """A sentence of a release, with its place in the release.

    ``index`` counts sentences over the whole release (title first); ``paragraph``
    counts paragraphs; ``start``/``end`` are character offsets into the paragraph text.
    """

    release_id: str
    lang: str
    index: int
    paragraph: int
    text: str
    kind: str = "body"
    start: int = 0
    end: int = 0


@dataclass(frozen=True)
class TranslationResult:
    """What a translation backend returns for one source sentence.

    The confidence numbers come from the model's raw logits when it is forced to
    decode its own output: ``logprob_mean`` and ``logprob_std`` over the output tokens
    (end-of-sentence included), ``entropy_mean`` of the full softmax at each step.
    ``hit_max_length`` is true when decoding stopped at the length limit rather than
    at end-of-sentence; ``pieces`` is how many parts a too-long source was split into.
    """

    text: str
    logprob_mean: float
    logprob_std: float
    entropy_mean: float | None  # None from backends that do not expose the distribution
    n_tokens: int
    hit_max_length: bool = False
    pieces: int = 1


@dataclass(frozen=True)
class Flag:
    """A rule that fired on a pair, with a reason a person can read."""

    name: str
    reason: str


@dataclass(frozen=True)
class PairScores:
    """Every score of one pair: named numbers, rule flags, the combined score and label."""

    values: dict[str, float] = field(default_factory=dict)
    flags: tuple[Flag, ...] = ()
    combined: float = 0.0
    label: str = "check"


@dataclass(frozen=True)
class Pair:
    """A source sentence and its translation, as exported."""

    release_id: str
    segment_index: int
    src_lang: str
    tgt_lang: str
    src: str
    tgt: str
    system: str
    origin: str
    scores: dict[str, float]
    flags: tuple[Flag, ...]
    combined: float
    label: str
    translation_id: int = 0
    status: str = "new"  # new (machine, unreviewed), edited, approved or rejected
    version: int = 0
    paragraph: int = 0


@dataclass(frozen=True)
class Bead:
    """One alignment bead: source line numbers, target line numbers, confidence in [0, 1]."""

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float = 1.0
