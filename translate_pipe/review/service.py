"""Review and post-editing of stored pairs: the Python API behind ``translate-pipe serve``.

Nothing here knows about HTTP. Every edit, approval or rejection is a new version of the
pair in the store (see :meth:`Store.add_version`); the versions before it are kept. A
version written by a person is re-scored by the rules, becomes the pair's current
version, and from then on is what exports and the translation memory use.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path

from .. import __version__
from ..config import Config
from ..errors import InputError, StoreError
from ..export import release as release_export
from ..export import tmx
from ..model import Pair
from ..scoring import LABELS, PairScorer
from ..names import page_names, release_names
from ..store import Store
from ..store.paging import Page, page_of

#: Longest target sentence an edit may store. Longer text is not a sentence a person
#: typed into the page; refusing it keeps the corpus and the database sane.
MAX_EDIT_CHARS = 5000
REVIEW_STATUSES = ("approved", "rejected")
#: Ids are SQL integers: anything outside 1..2**63-1 names no pair (and would overflow the driver).
MAX_ID = 2**63 - 1
DOWNLOAD_FORMATS = {
    "tmx": ("application/x-tmx+xml", "tmx"),
    "html": ("text/html; charset=utf-8", "html"),
    "text": ("text/plain; charset=utf-8", "txt"),
}


class NotFound(InputError):
    """An id that names no release or pair in the database."""


class InvalidEdit(InputError):
    """An edit that cannot be stored (empty text, unknown status, nothing to change)."""


@dataclass(frozen=True)
class PairView:
    """One pair as the review page shows it; ``id`` is its current version's id."""

    id: int
    release_id: str
    index: int
    paragraph: int
    src_lang: str
    tgt_lang: str
    src: str
    tgt: str
    label: str
    combined: float
    scores: dict[str, float]
    flags: list[dict[str, str]]
    status: str
    origin: str
    version: int
    system: str

    @classmethod
    def of(cls, pair: Pair) -> PairView:
        return cls(
            id=pair.translation_id, release_id=pair.release_id, index=pair.segment_index, paragraph=pair.paragraph,
            src_lang=pair.src_lang, tgt_lang=pair.tgt_lang, src=pair.src, tgt=pair.tgt, label=pair.label,
            combined=round(pair.combined, 4), scores={k: round(v, 4) for k, v in sorted(pair.scores.items())},
            flags=[{"name": f.name, "reason": f.reason} for f in pair.flags], status=pair.status,
            origin=pair.origin, version=pair.version, system=pair.system,
        )

    def as_dict(self) -> dict[str, object]:
        # By hand, not dataclasses.asdict: its recursive deep copy was half the CPU of a
        # request for a release's pairs. The containers are copied one level, which is all they have.
        view = {name: getattr(self, name) for name in _PAIR_VIEW_FIELDS}
        view["scores"] = dict(self.scores)
        view["flags"] = [dict(flag) for flag in self.flags]
        return view


_PAIR_VIEW_FIELDS = tuple(field.name for field in fields(PairView))


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# C0 controls but tab: XML 1.0 cannot hold them (the TMX and XLIFF exports would drop them
# silently, so the reviewer's text would not be what is exported) and PostgreSQL refuses NUL.
_CONTROLS = frozenset(map(chr, [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]))


def _control_character(text: str) -> str | None:
    return next((char for char in text if char in _CONTROLS), None)


def _current_pair(store: Store, pair_id: int) -> Pair:
    """The current version of the pair ``pair_id`` belongs to; :class:`NotFound` if none.

    :meth:`Store.pair_of` finds and reads the current version in one statement, so a
    reviewer saving the same pair meanwhile cannot make it vanish (no false 404).
    """
    current = store.pair_of(pair_id) if 0 < pair_id <= MAX_ID else None
    if current is None:
        raise NotFound(f"no pair {pair_id}")
    return current


class _LabelCache:
    """Label counts per release, kept while the store's translations are unchanged.

    The counts of a page of the release list were most of its cost (one current-version
    lookup per sentence of 50 releases). They change only when a translation or version is
    stored, which :meth:`Store.translations_stamp` tells in one cheap query; a store without
    such a stamp (PostgreSQL) is not cached. Entries are kept only under the stamp read
    before they were counted, so a count never outlives a write it did not see.
    """

    #: Releases kept at most (about 200 bytes each); past that, pages are counted afresh.
    LIMIT = 50_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stamp: int | None = None
        self._counts: dict[str, dict[str, dict[str, int]]] = {}

    def counts(self, store: Store, release_ids: list[str]) -> dict[str, dict[str, dict[str, int]]]:
        stamp = store.translations_stamp()
        if stamp is None:
            return store.labels_by_release(release_ids)
        with self._lock:
            if stamp != self._stamp:
                self._stamp, self._counts = stamp, {}
            known = {i: self._counts[i] for i in release_ids if i in self._counts}
        missing = [i for i in release_ids if i not in known]
        if missing:
            counted = store.labels_by_release(missing)
            fresh = {i: counted.get(i, {}) for i in missing}
            with self._lock:
                if self._stamp == stamp and len(self._counts) + len(fresh) <= self.LIMIT:
                    self._counts.update(fresh)
            known.update(fresh)
        return known


class ReviewService:
    """Reads releases and pairs for review and stores reviewers' versions.

    Each thread keeps one connection and reuses it (opening a SQLite file and checking its
    schema cost about a millisecond a request), so one service can serve many threads. A
    connection that fails is closed and the thread's next call opens a new one (a
    PostgreSQL server that restarted, say); the connections of threads that have ended are
    closed when another is opened, and :meth:`close` closes them all.
    """

    def __init__(self, db: str, config: Config | None = None):
        self.db = db
        self.config = config or Config()
        self.scorer = PairScorer(self.config.score)
        self._local = threading.local()
        self._labels = _LabelCache()
        self._open: dict[threading.Thread, Store] = {}
        self._open_lock = threading.Lock()

    def _thread_store(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is not None and self._open.get(threading.current_thread()) is not store:
            store = None  # closed by close(): the service is being used again (a restarted app)
        if store is None:
            store = Store(self.db)
            with self._open_lock:
                ended = [thread for thread in self._open if not thread.is_alive()]
                closing = [self._open.pop(thread) for thread in ended]
                self._open[threading.current_thread()] = store
            for old in closing:
                old.close()
            self._local.store = store
        return store

    def _forget_thread_store(self) -> None:
        store = getattr(self._local, "store", None)
        self._local.store = None
        with self._open_lock:
            self._open.pop(threading.current_thread(), None)
        if store is not None:
            store.close()

    @contextmanager
    def _store(self) -> Iterator[Store]:
        store = self._thread_store()
        try:
            yield store
        except StoreError:
            self._forget_thread_store()
            raise

    def close(self) -> None:
        """Close every connection the service's threads opened (when the server stops)."""
        with self._open_lock:
            stores, self._open = list(self._open.values()), {}
        for store in stores:
            store.close()

    def releases(self) -> list[dict[str, object]]:
        """Every release with its date, title, target languages and label counts per language."""
        with self._store() as store:
            return _with_labels(store.releases(), store.labels_by_release(), release_names(store))

    def release_page(self, search: str | None = None, date_from: str | None = None, date_to: str | None = None,
                     limit: int | None = None, offset: int | None = None) -> Page[dict[str, object]]:
        """One page of :meth:`releases` (title or date search), with the total; costs the page, not the archive."""
        with self._store() as store:
            page = store.release_page(search, date_from, date_to, limit, offset)
            ids = [str(r["id"]) for r in page.items]
            counts = self._labels.counts(store, ids)
            return Page(_with_labels(page.items, counts, page_names(store, ids)), page.total, page.limit, page.offset)

    def release(self, release_id: str) -> dict[str, object]:
        with self._store() as store:
            record = store.release_record(release_id)
            if record is None:
                raise NotFound(f"no release {release_id!r}")
            return {**record, "name": page_names(store, [release_id]).get(release_id), "langs": store.release_langs(release_id)}

    def pairs(self, release_id: str, lang: str, label: str | None = None, flag: str | None = None,
              status: str | None = None, sort: str = "document") -> list[dict[str, object]]:
        """The release's pairs into ``lang`` (current versions), filtered and sorted.

        ``sort`` is ``document`` (paragraph order), ``score`` (lowest combined score
        first, the ones to check) or ``-score``.
        """
        if sort not in ("document", "score", "-score"):
            raise InvalidEdit(f"unknown sort {sort!r} (expected document, score or -score)")
        with self._store() as store:
            if store.release_record(release_id) is None:
                raise NotFound(f"no release {release_id!r}")
            views = [PairView.of(p) for p in store.pairs(lang, release_ids=[release_id])]
        if label:
            views = [v for v in views if v.label == label]
        if flag:
            views = [v for v in views if any(f["name"] == flag for f in v.flags)]
        if status:
            views = [v for v in views if v.status == status]
        if sort != "document":
            views.sort(key=lambda v: (v.combined, v.index), reverse=sort == "-score")
        matches = self._memory_matches(release_id, lang)
        return [{**v.as_dict(), "memory": matches.get(v.index, [])} for v in views]

    def _memory_matches(self, release_id: str, lang: str) -> dict[int, list[dict[str, object]]]:
        """Sentence index -> fuzzy matches from imported translation memories, as alternatives to offer."""
        from ..store.memory import release_matches

        with self._store() as store:
            return {index: [{"src": m.src, "tgt": m.tgt, "origin": m.origin, "similarity": round(m.similarity, 4)}
                            for m in found]
                    for index, found in release_matches(store, release_id, lang).items()}

    def pairs_etag(self, release_id: str, lang: str, **params: object) -> str:
        """The entity tag of a page of :meth:`pairs` with these parameters, without reading the pairs.

        From the release's stamp (:meth:`Store.pairs_stamp`), the parameters and the tool's
        version (the page's format may change with it); weak, since it names the data, not
        the bytes.
        """
        with self._store() as store:
            stamp = store.pairs_stamp(release_id, lang)
        # The values as JSON (json.dumps in _weak_tag), not str(): a filter given as the text "None"
        # must not share the tag of no filter at all.
        return _weak_tag(__version__, "pairs", release_id, lang, sorted(params.items()), stamp)

    def pair_page(self, release_id: str, lang: str, limit: int | None = None, offset: int | None = None,
                  **filters: str | None) -> Page[dict[str, object]]:
        """One page of :meth:`pairs` (same filters and sort), with the total."""
        return page_of(self.pairs(release_id, lang, **filters), limit, offset)  # type: ignore[arg-type]

    def pair(self, pair_id: int) -> dict[str, object]:
        """A pair's current version, with every version it has had (oldest first)."""
        with self._store() as store:
            current = _current_pair(store, pair_id)
            view = PairView.of(current)
            versions = store.versions(current.translation_id)
        return {**view.as_dict(), "versions": versions,
                "memory": self._memory_matches(view.release_id, view.tgt_lang).get(view.index, [])}

    def edit(self, pair_id: int, tgt: str | None = None, status: str | None = None) -> dict[str, object]:
        """Store a reviewer's version of a pair: new text, a decision, or both.

        Saving what the pair already says is not a new version, so a repeated request
        stores nothing twice.
        """
        if tgt is None and status is None:
            raise InvalidEdit("nothing to change: give tgt, status or both")
        if status is not None and status not in REVIEW_STATUSES:
            raise InvalidEdit(f"status must be one of {', '.join(REVIEW_STATUSES)}, not {status!r}")
        if tgt is not None:
            if not tgt.strip():
                raise InvalidEdit("tgt is empty: to drop a pair, reject it instead")
            if len(tgt) > MAX_EDIT_CHARS:
                raise InvalidEdit(f"tgt has {len(tgt)} characters; at most {MAX_EDIT_CHARS} are accepted")
            if "\n" in tgt or "\r" in tgt:
                raise InvalidEdit("tgt must be one line: a pair is one sentence")
            if not _is_utf8(tgt):
                raise InvalidEdit("tgt has a lone surrogate (an unpaired \\ud800-\\udfff escape): not text")
            control = _control_character(tgt)
            if control is not None:
                raise InvalidEdit(f"tgt has a control character (U+{ord(control):04X}): not text")
            tgt = tgt.strip()
        with self._store() as store:
            current = _current_pair(store, pair_id)
            text = current.tgt if tgt is None else tgt
            changed = text != current.tgt
            new_status = status or ("edited" if changed else current.status)
            if not changed and new_status == current.status:
                return self.pair(current.translation_id)
            origin = "human" if changed or current.origin == "human" else current.origin
            # The machine's confidence describes the machine's text only.
            model_values = None if origin == "human" else current.scores
            scores = self.scorer.score_reviewed(current.src, text, current.src_lang, current.tgt_lang, new_status,
                                                model_values)
            new_id = store.add_version(current.translation_id, text, origin, new_status, scores)
        return self.pair(new_id)

    def download(self, release_id: str, lang: str, fmt: str) -> tuple[bytes, str, str]:
        """The localized release (``html``, ``text``) or its pairs (``tmx``): content, media type, file name.

        The TMX leaves out rejected pairs, as corpus exports do.
        """
        if fmt not in DOWNLOAD_FORMATS:
            raise InvalidEdit(f"unknown format {fmt!r} (expected {', '.join(DOWNLOAD_FORMATS)})")
        record = self.release(release_id)
        if lang not in record["langs"]:  # type: ignore[operator]
            raise NotFound(f"release {release_id!r} has no translations into {lang!r}")
        media_type, suffix = DOWNLOAD_FORMATS[fmt]
        with tempfile.TemporaryDirectory() as folder, self._store() as store:
            name = release_names(store).get(release_id, release_id)
            out = Path(folder) / f"{name}.{lang}.{suffix}"
            if fmt == "tmx":
                pairs = store.pairs(lang, release_ids=[release_id], statuses=("new", "edited", "approved"))
                tmx.write(pairs, out, lang)
            elif fmt == "html":
                release_export.write_html(store, lang, out, [release_id])
            else:
                release_export.write_text(store, lang, out, [release_id])
            return out.read_bytes(), media_type, out.name


def _weak_tag(*parts: object) -> str:
    digest = hashlib.blake2b(json.dumps(parts, ensure_ascii=False).encode("utf-8"), digest_size=16).hexdigest()
    return f'W/"{digest}"'


def _with_labels(records: list[dict[str, object]], counts: dict[str, dict[str, dict[str, int]]],
                 names: dict[str, str]) -> list[dict[str, object]]:
    """Release records with their readable name, target languages and label counts per language."""
    listed = []
    for record in records:
        per_lang = counts.get(str(record["id"]), {})
        labels = {lang: {label: per_lang[lang].get(label, 0) for label in LABELS} for lang in sorted(per_lang)}
        listed.append({**record, "name": names.get(str(record["id"])), "langs": sorted(per_lang), "labels": labels})
    return listed
