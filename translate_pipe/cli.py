"""The ``translate-pipe`` command: parse options, call the Python API, print.

Progress and messages go to stderr, data to stdout or files. Exit codes: 0 ok,
1 runtime error (bad input, model, database), 2 usage or configuration error,
130 interrupted (what was finished is stored; run again to resume).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import typing
from collections.abc import Sequence

from . import __version__
from .config import Config, load_config
from .errors import ConfigError, InputError, TranslatePipeError, redact_secrets

log = logging.getLogger("translate_pipe")

#: ``translate_pipe.export.FORMATS``, named here so that building the parser imports no
#: exporter: that import (lxml, sqlite3, the store) cost every command 0.2 s of start-up.
#: tests/test_translate_startup.py checks that the two agree.
EXPORT_FORMATS = ("jsonl", "tmx", "moses", "parquet", "release", "release-html", "xliff", "xliff1")


def _langs(value: str) -> list[str]:
    langs = [part.strip() for part in value.split(",") if part.strip()]
    if not langs:
        raise argparse.ArgumentTypeError("expected languages such as ar,fr")
    return list(dict.fromkeys(langs))


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors on one line (the usage itself is one --help away)."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _at_least(low: int, high: int | None = None):
    """An argparse type: a whole number in ``low``..``high``."""

    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
        if number < low or (high is not None and number > high):
            bound = f"from {low} to {high}" if high is not None else f"at least {low}"
            raise argparse.ArgumentTypeError(f"must be {bound}, got {number}")
        return number

    return parse


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="translate-pipe",
        description="Press releases in, aligned and scored English-Arabic/French sentence pairs out.",
    )
    parser.add_argument("--version", action="version", version=f"translate-pipe {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", help="SQLite path (or sqlite:///PATH) or postgresql://USER@HOST/DATABASE"
                        " (default: store.db of the config, translate_pipe.db)")
    common.add_argument("--config", help="YAML file merged over configs/default.yaml")
    common.add_argument("-q", "--quiet", action="store_true", help="no progress bar, warnings only")
    common.add_argument("-v", "--verbose", action="store_true", help="also report what ingest dropped and why")

    run = commands.add_parser("run", parents=[common], help="translate releases and store scored pairs")
    run.add_argument("inputs", nargs="+", metavar="INPUT", help="release files (.txt, .jsonl) or folders of them")
    run.add_argument("--to", type=_langs, required=True, metavar="LANGS", help="target languages, e.g. ar,fr")
    run.add_argument("--model", action="append", metavar="PAIR=PATH", help="local model folder for a pair (repeatable)")
    run.add_argument("--beam", type=_at_least(1), help="beam size (config: translate.beam_size)")
    run.add_argument("--max-length", type=_at_least(1), help="most target tokens per sentence (translate.max_length)")
    run.add_argument("--batch-size", type=_at_least(1), help="most sentences per batch (translate.batch_size)")
    run.add_argument("--device", help="cpu, cuda or auto (translate.device)")
    run.add_argument("--backend", choices=("transformers", "ctranslate2"), help="translate.backend")
    run.add_argument("--qe-dropout", type=_at_least(0), metavar="N",
                     help="Monte-Carlo dropout passes for pairs not labelled good (score.qe_dropout)")
    run.add_argument("--reference", action="append", metavar="LANG=DIR",
                     help="human translations of the releases (matched by file name or id): aligned and used to score the MT")
    run.add_argument("--glossary", action="append", metavar="LANG=FILE",
                     help="terms for a target language, CSV/TSV source<TAB>target or TBX (repeatable; score.glossaries)")
    run.add_argument("--strict", action="store_true", help="exit 1 if any input file was skipped")
    run.add_argument("--engine", choices=("local", "ray"), default="local",
                     help="where segmentation, translation and scoring run (default: this process)")
    run.add_argument("--ray-address", metavar="ADDRESS",
                     help="with --engine ray: auto, ray://HOST:PORT, or none for a new local cluster")
    run.add_argument("--workers", type=_at_least(1), help="with --engine ray: translation actors (default: one per CPU)")
    run.add_argument("--gpus-per-worker", type=float, default=0.0, metavar="F",
                     help="with --engine ray: GPUs for each translation actor, e.g. 0.5")
    run.add_argument("--shard-dir", help="with --engine ray: folder for result shards, shared by the workers "
                                         "(default: beside the database)")

    export = commands.add_parser("export", parents=[common], help="write stored pairs as a corpus or documents")
    export.add_argument("--lang", required=True, help="target language of the pairs, e.g. ar")
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS)
    export.add_argument("--out", required=True, help="output file (moses: prefix; release, xliff, xliff1: folder, one file per release)")
    export.add_argument("--min-score", type=float, help="keep pairs whose combined score is at least this")
    export.add_argument("--label", type=_langs, metavar="LABELS", help="keep pairs with these labels, e.g. good,check")
    export.add_argument("--release", action="append", metavar="ID", help="only this release (repeatable)")
    export.add_argument("--origin", choices=("mt", "human"), default="mt",
                        help="machine translations, or human translations aligned by run --reference")
    export.add_argument("--min-align-score", type=float, metavar="P",
                        help="with --origin human: leave out beads scored below P (default: alignment.min_score)")
    export.add_argument("--keep-duplicates", action="store_true", help="write repeated (source, target) pairs again")
    export.add_argument("--status", type=_langs, metavar="STATUSES",
                        help="review states to keep, e.g. approved (default: all but rejected)")
    export.add_argument("--glossary", action="append", metavar="LANG=FILE",
                        help="with xliff/xliff1: list each sentence's terms for the translator (score.glossaries)")

    segment = commands.add_parser("segment", help="print the sentences of a document, one per line")
    segment.add_argument("file", nargs="?", help="document to split (default: stdin)")
    segment.add_argument("--lang", required=True, choices=("en", "fr", "ar"))
    segment.add_argument("--paragraphs", action="store_true", help="a blank line between paragraphs")

    extract = commands.add_parser("extract", help="print what ingest keeps of one page, text or JSON-lines record")
    extract.add_argument("page", metavar="PAGE", help="a saved web page (.html), a text release or a .jsonl file")
    extract.add_argument("--format", choices=("text", "json"), default="text",
                         help="text: the title, then one paragraph per line; json: also date, language, url, "
                              "and what was dropped and why")
    extract.add_argument("--lang", default="en", help="language when the input does not say (default: en)")
    extract.add_argument("--record", type=int, metavar="LINE", help="with a .jsonl file: the record on this line")
    extract.add_argument("--config", help="YAML file merged over configs/default.yaml")
    extract.add_argument("--site", nargs="?", const="", metavar="DIR",
                         help="also drop the lines the site repeats, learned from the releases in DIR (default: "
                              "PAGE's folder), as `run DIR` does")

    align = commands.add_parser("align", parents=[common], help="align a document with its human translation")
    align.add_argument("src", help="source sentences, one per line")
    align.add_argument("tgt", help="target sentences, one per line")
    align.add_argument("--src-lang", default="en")
    align.add_argument("--tgt-lang", required=True)
    align.add_argument("--mt", help="MT of SRC into the target language, line by line; 'none' to align without MT;"
                                    " default: translate SRC with the configured model")
    align.add_argument("--model", action="append", metavar="PAIR=PATH")
    align.add_argument("--segment", action=argparse.BooleanOptionalAction, default=None,
                       help="split SRC and TGT into sentences first (default: when lines hold several sentences)")
    align.add_argument("--out", help="write beads here (default: stdout)")

    evaluate = commands.add_parser("evaluate", parents=[common], help="corpus BLEU/chrF/chrF++/TER, significance, report")
    evaluate.add_argument("--ref", help="reference file, one segment per line")
    evaluate.add_argument("--hyp", action="append", help="system output (repeatable; the first is the baseline)")
    evaluate.add_argument("--name", action="append", help="display name of each --hyp, in order")
    evaluate.add_argument("--lang", required=True, help="target language (picks the BLEU tokenizer)")
    evaluate.add_argument("--src", help="source file, for length buckets and the worst-segment table")
    evaluate.add_argument("--docs", help="document id of each line, one per line")
    evaluate.add_argument("--tokenize", help="sacrebleu BLEU tokenizer (default: intl for ar, 13a otherwise)")
    evaluate.add_argument("--test", choices=("bs", "ar", "none"), default="bs",
                          help="bs: (paired) bootstrap, ar: approximate randomization")
    evaluate.add_argument("--samples", type=_at_least(1), default=1000,
                          help="resamples of the significance test (default 1000)")
    evaluate.add_argument("--seed", type=int, default=12345)
    evaluate.add_argument("--worst", type=_at_least(0), default=10, help="how many worst segments to list")
    evaluate.add_argument("--run", type=int, help="with --db: the MT of this run (default: the newest)")
    evaluate.add_argument("--min-align-score", type=float, metavar="P",
                          help="with --db: leave out human beads scored below P (default: alignment.min_score)")
    evaluate.add_argument("--report", help="write a self-contained HTML report here")
    evaluate.add_argument("--metrics", type=_langs, metavar="METRICS",
                          help="metrics to compute (default bleu,chrf,chrf++,ter); TER refuses lines over 250 words")
    evaluate.add_argument("--json", action="store_true", help="print the results as JSON")

    pair = commands.add_parser("pair", parents=[common],
                               help="find which French/Arabic document translates which English one, by content")
    pair.add_argument("en_dir", metavar="EN_DIR", help="folder of English releases")
    pair.add_argument("other_dir", metavar="OTHER_DIR", help="folder of French or Arabic releases")
    pair.add_argument("--tgt-lang", required=True, choices=("fr", "ar"), help="language of OTHER_DIR")
    pair.add_argument("--mt", choices=("auto", "none", "model"), default="auto",
                      help="none: dates, numbers, names only; model: also the MT of each release (the model must"
                           " load); auto (default): the MT when the model is a local folder (--model, $TRANSLATE_PIPE_MODELS)")
    pair.add_argument("--model", action="append", metavar="PAIR=PATH", help="local model folder, e.g. en-fr=DIR")
    pair.add_argument("--threshold", type=float, help="lowest score of an accepted pair (config: pair.threshold)")

    commands.add_parser("runs", parents=[common], help="list the runs stored in the database")

    releases = commands.add_parser("releases", parents=[common], help="list stored releases a page at a time")
    releases.add_argument("--search", help="part of the title (or id), any case")
    releases.add_argument("--from", dest="date_from", help="first date, e.g. 2018 or 2018-09-10")
    releases.add_argument("--to", dest="date_to", help="last date, inclusive (a prefix: 2018-09)")
    releases.add_argument("--limit", type=int, default=50, help="releases per page (1-500, default 50)")
    releases.add_argument("--offset", type=int, default=0, help="how many to skip (default 0)")
    releases.add_argument("--references", nargs="?", const="", metavar="LANG",
                          help="list the stored reference pairs instead (of LANG, or all), with the aligner's verdict")

    models = commands.add_parser("models", help="show which model each pair uses; convert for CTranslate2")
    models.add_argument("action", nargs="?", choices=("list", "convert", "vmap", "pin"), default="list")
    models.add_argument("pair", nargs="?", help="with convert/vmap/pin: the language pair, e.g. en-fr "
                        "(pin: every unpinned pair when left out)")
    models.add_argument("--model", action="append", metavar="PAIR=PATH")
    models.add_argument("--compute-type", default="int8", help="with convert: int8, float16, float32, ...")
    models.add_argument("--out", help="with convert: folder to write (default: the cache); with vmap: the map file")
    models.add_argument("--pairs", help="with vmap: sentence pairs, source TAB target, one a line")

    translate = commands.add_parser("translate", parents=[common], help="translate sentences, one per line, streaming")
    translate.add_argument("file", nargs="?", help="sentences, one per line (default: stdin)")
    translate.add_argument("--to", required=True, help="target language, e.g. fr")
    translate.add_argument("--model", action="append", metavar="PAIR=PATH")
    translate.add_argument("--backend", choices=("transformers", "ctranslate2"))
    translate.add_argument("--beam", type=_at_least(1))
    translate.add_argument("--max-length", type=_at_least(1))
    translate.add_argument("--device")
    translate.add_argument("--chunk", type=_at_least(1),
                           help="lines read, translated and written at a time (default: one per core the first"
                                " time, then 256)")

    doctor = commands.add_parser("doctor", parents=[common],
                                 help="what is ready here: models, database, backends, GPU, optional extras")
    doctor.add_argument("--model", action="append", metavar="PAIR=PATH")
    doctor.add_argument("--no-hub", action="store_true", help="do not ask the model hub whether it is reachable")

    imports = commands.add_parser("import", parents=[common],
                                  help="post-edited XLIFF back as review versions; a TMX as translation memory")
    imports.add_argument("files", nargs="+", metavar="FILE", help="XLIFF 1.2/2.0 or TMX files (kind read from the file)")
    imports.add_argument("--lang", help="with a TMX: the target language to take from it, e.g. fr")

    serve = commands.add_parser("serve", parents=[common], help="review and post-edit pairs in the browser")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    serve.add_argument("--port", type=_at_least(0, 65535), default=8000, help="port (default 8000; 0: any free port)")
    serve.add_argument("--allow-host", action="append", metavar="NAME",
                       help="another host name the browser may use for this server (repeatable); "
                            "by default only localhost, loopback addresses and --host")
    serve.add_argument("--workers", type=_at_least(1, 64), default=1,
                       help="processes serving requests (default 1; one uses about one core)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    _setup_logging(getattr(args, "quiet", False), getattr(args, "verbose", False))
    from .progress import configure as configure_progress

    configure_progress(quiet=getattr(args, "quiet", False))
    try:
        return _COMMANDS[args.command](args)
    except TranslatePipeError as exc:
        print(redact_secrets(f"translate-pipe: error: {_one_line(str(exc))}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("translate-pipe: interrupted; finished work is stored, run the same command again to resume",
              file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except MemoryError:
        # Committed batches are kept (each is its own transaction); say so, not a traceback.
        print(f"translate-pipe: error: {args.command} ran out of memory; work already stored is kept",
              file=sys.stderr)
        return 1
    except OSError as exc:  # a file the command could not open or write, named by the system
        where = f"{exc.filename}: " if exc.filename else ""
        print(redact_secrets(f"translate-pipe: error: {where}{exc.strerror or exc}"), file=sys.stderr)
        return 1


def _one_line(text: str) -> str:
    """A message on one line: a file name with a newline must not forge a second message."""
    return " ".join(text.splitlines()) if "\n" in text or "\r" in text else text


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact_secrets(super().format(record))


def _setup_logging(quiet: bool, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_RedactingFormatter("translate-pipe: %(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.INFO if verbose else logging.WARNING)


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def _db(args: argparse.Namespace, config: Config) -> str:
    return args.db or config.store.db


def _existing_db(db: str) -> str:
    """``db`` if it names a database that exists; commands that only read must not create one."""
    from pathlib import Path

    from .store import is_postgres_url, sqlite_path

    if is_postgres_url(db):
        return db
    path = sqlite_path(db)
    if path == ":memory:" or Path(path).is_file():
        return db
    if Path(path).is_dir():
        raise InputError(f"{path}: is a folder, not a database")
    raise InputError(f"{path}: no such database; translate releases first with translate-pipe run")


def _cmd_run(args: argparse.Namespace) -> int:
    from .pipeline import run_pipeline
    from .progress import progress_for
    from .store import Store
    from .translate import parse_model_overrides, resolve_model

    config = _config(args).with_overrides(
        "translate", beam_size=args.beam, max_length=args.max_length, batch_size=args.batch_size, device=args.device,
        backend=args.backend,
    )
    config = config.with_overrides("score", qe_dropout=args.qe_dropout)
    if args.glossary:
        config = config.with_overrides("score", glossaries={**config.score.glossaries, **_parse_glossaries(args.glossary)})
    overrides = parse_model_overrides(args.model)
    for lang in args.to:  # an unknown language fails now, not after the whole input is read
        resolve_model(f"en-{lang}", overrides)
    references = _parse_references(args.reference)
    db = _db(args, config)
    with Store(db) as store:
        engine = _engine(args, config, overrides, db)
        try:
            summary = run_pipeline(args.inputs, args.to, config, store, overrides, progress_for(args.quiet),
                                   references=references, engine=engine)
        finally:
            if engine is not None:
                engine.close()
    lines = [f"run {summary.run_id}: {summary.releases} releases ({summary.new_releases} new), "
             f"{summary.segments} sentences"]
    for lang, result in summary.languages.items():
        labels = ", ".join(f"{result.labels.get(k, 0)} {k}" for k in ("good", "check", "bad"))
        lines.append(f"  en→{lang}: {result.translated} translated, {result.from_memory} from memory, "
                     f"{result.already_done} already done; {labels}")
        if result.references is not None:
            refs = result.references
            lines.append(f"  en→{lang} references: {refs.matched} matched, {refs.aligned} newly aligned, "
                         f"{refs.human_pairs} human pairs"
                         + (f", {refs.non_parallel} not parallel or uncertain (see warnings; `releases --references`)"
                            if refs.non_parallel else ""))
            lines.extend(f"    {key} ← {origin} (by {how})" for key, origin, how in refs.pairings)
            if refs.unused:
                lines.append(f"    {len(refs.unused)} reference files matched no release (see warnings above)")
    if summary.skipped:
        lines.append(f"  {len(summary.skipped)} inputs skipped (see warnings above)")
    if summary.dropped:
        lines.append(f"  {len(summary.dropped)} boilerplate blocks dropped (--verbose lists them)")
    if not args.quiet:
        print("\n".join(lines), file=sys.stderr)
    if args.strict and summary.skipped:
        raise InputError(f"{len(summary.skipped)} inputs skipped and --strict is set")
    return 0


def _engine(args: argparse.Namespace, config: Config, overrides: dict[str, str], db: str):
    """None for the local engine (the pipeline's default), else a started Ray engine."""
    ray_options = (args.ray_address, args.workers, args.gpus_per_worker or None, args.shard_dir)
    if args.engine == "local":
        if any(option is not None for option in ray_options):
            raise ConfigError("--ray-address, --workers, --gpus-per-worker and --shard-dir need --engine ray")
        return None
    from pathlib import Path

    from .engine.ray_engine import RayEngine
    from .store import default_shard_dir

    shard_dir = args.shard_dir or default_shard_dir(db)
    return RayEngine(config, overrides, address=args.ray_address, workers=args.workers,
                     gpus_per_worker=args.gpus_per_worker, shard_dir=Path(shard_dir) if shard_dir else None)


def _parse_glossaries(values: list[str]) -> dict[str, str]:
    return _parse_lang_paths(values, "--glossary", "FILE", "fr=terms/fr.tsv", "glossary file", folder=False)


def _parse_references(values: list[str] | None) -> dict[str, str]:
    return _parse_lang_paths(values, "--reference", "DIR", "fr=references/fr", "folder of references", folder=True)


def _parse_lang_paths(values: list[str] | None, option: str, metavar: str, example: str, what: str,
                      folder: bool) -> dict[str, str]:
    """``LANG=PATH`` options (repeatable) as {lang: path}; a path that is not there is one line."""
    from pathlib import Path

    paths = {}
    for value in values or []:
        lang, sep, path = value.partition("=")
        if not sep or not lang or not path:
            raise ConfigError(f"{option} {value!r}: expected LANG={metavar}, e.g. {example}")
        if not (Path(path).is_dir() if folder else Path(path).is_file()):
            raise InputError(f"{path}: no such {what}")
        paths[lang] = path
    return paths


def _cmd_export(args: argparse.Namespace) -> int:
    from .export import export
    from .store import Store

    config = _config(args)
    min_score = args.min_score
    with Store(_existing_db(_db(args, config))) as store:
        if args.origin == "human":
            # Human pairs' combined score is their bead score: the stricter threshold wins.
            threshold = args.min_align_score if args.min_align_score is not None else config.alignment.min_score
            min_score = max(threshold, min_score if min_score is not None else threshold)
            unsure = sum(1 for p in store.human_pairs(args.lang, release_ids=args.release) if p.combined < threshold)
            if unsure:
                print(f"left out {unsure} human beads scored below {threshold} (--min-align-score)", file=sys.stderr)
        summary = export(store, args.format, args.lang, args.out, min_score, args.label,
                         deduplicate=not args.keep_duplicates, release_ids=args.release, origin=args.origin,
                         statuses=args.status,
                         glossaries={**config.score.glossaries, **_parse_glossaries(args.glossary or [])})
    if not args.quiet:
        print(f"wrote {summary.written} {'releases' if args.format.startswith(('release', 'xliff')) else 'pairs'} "
              f"to {', '.join(summary.files)}", file=sys.stderr)
    return 0


def _cmd_segment(args: argparse.Namespace) -> int:
    from .ingest import read_text
    from .segment import segment_document
    from pathlib import Path

    if args.file:
        text = read_text(Path(args.file))
    else:
        try:
            text = sys.stdin.buffer.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"<stdin>: not valid UTF-8 (byte {exc.start})") from None
    out = sys.stdout
    last_paragraph = None
    for span in segment_document(text, args.lang):
        if args.paragraphs and last_paragraph is not None and span.paragraph != last_paragraph:
            out.write("\n")
        last_paragraph = span.paragraph
        out.write(" ".join(span.text.splitlines()) + "\n")
    return 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .ingest import extract_release, site_furniture

    config = _config(args).ingest
    furniture = None
    if args.site is not None:
        if not Path(args.page).is_file():  # its own error (a typo), not after searching its whole folder
            extract_release(args.page, config, args.lang, args.record)
        furniture = site_furniture(args.site or Path(args.page).parent, config)
    release = extract_release(args.page, config, args.lang, args.record, furniture)
    if args.format == "json":
        dropped = [dict(zip(("reason", "text"), (part.strip() for part in entry.split(":", 1))))
                   for entry in release.dropped]
        print(json.dumps({
            "title": release.title, "date": release.date, "language": release.lang, "url": release.url,
            "paragraphs": [p.text for p in release.paragraphs[1:]], "dropped": dropped,
            "warnings": list(release.warnings), "origin": release.origin,
        }, ensure_ascii=False, indent=1))
    else:
        # One paragraph a line: the line breaks of a header block become spaces here.
        sys.stdout.write("".join(" ".join(p.text.split()) + "\n" for p in release.paragraphs))
    return 0


def _read_lines(path: str, lang: str, segment: bool | None) -> list[str]:
    """The lines of ``path``, or its sentences when ``segment`` (None: when its lines hold
    several sentences, which is said on stderr)."""
    from pathlib import Path

    from .ingest import read_lines, read_text
    from .segment import segment_document, split_sentences

    lines = read_lines(Path(path))
    if segment is None:
        several = sum(1 for line in lines if len(split_sentences(line, lang)) > 1)
        segment = several > 0 and several >= 0.2 * sum(1 for line in lines if line.strip())
        if segment:
            print(f"{path}: {several} of {len(lines)} lines hold several sentences: aligning sentences "
                  f"(numbered as `segment --lang {lang}` prints them; --no-segment keeps the lines)", file=sys.stderr)
    if segment:
        return [" ".join(span.text.splitlines()) for span in segment_document(read_text(Path(path)), lang)]
    return lines


def _cmd_align(args: argparse.Namespace) -> int:
    from .align.verdict import UNCERTAIN, UNCERTAIN_CAP, judge_documents
    from .beads import format_bead

    src = _read_lines(args.src, args.src_lang, args.segment)
    tgt = _read_lines(args.tgt, args.tgt_lang, args.segment)
    if args.mt == "none":
        mt = None
    elif args.mt:
        mt = _read_lines(args.mt, args.tgt_lang, False)
        if len(mt) != len(src):
            raise InputError(f"{args.mt}: {len(mt)} lines, but {args.src} has {len(src)}: the MT must match it line by line")
    else:
        from .translate import load_translator, parse_model_overrides

        config = _config(args)
        translator = load_translator(f"{args.src_lang}-{args.tgt_lang}", config.translate, parse_model_overrides(args.model))
        mt = [r.text for r in translator.translate(src)]
    from .progress import activity

    with activity("align"):
        judged = judge_documents(src, tgt, mt)
    result = judged.result
    text = "".join(format_bead(b) + "\n" for b in result.beads)
    if args.out:
        from .atomic import atomic_write_text

        atomic_write_text(args.out, text)
    else:
        sys.stdout.write(text)
    share = f"{result.aligned_share:.0%} of lines aligned with score >= 0.5"
    if judged.verdict == UNCERTAIN:
        print(f"uncertain whether {args.src} and {args.tgt} are translations of each other: their words cannot be "
              f"compared (different scripts{', no MT' if mt is None else ''}); the beads are a guess from lengths "
              f"and numbers ({result.anchors} anchors), every score at most {UNCERTAIN_CAP}: "
              f"give the MT (--mt) to decide", file=sys.stderr)
    elif not result.parallel:
        print(f"{args.src} and {args.tgt} do not look like translations of each other ({share}): "
              f"every line is left unaligned", file=sys.stderr)
    elif result.aligned_share < 0.5:
        print(f"only part of {args.src} and {args.tgt} is parallel ({share}): the rest is left unaligned",
              file=sys.stderr)
    elif not args.quiet:
        print(f"{len(result.beads)} beads, {share}", file=sys.stderr)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .evaluate import METRIC_NAMES, evaluate, evaluate_files, format_table
    from .progress import activity  # elapsed time on a terminal while sacrebleu works

    metrics = args.metrics or list(METRIC_NAMES)
    unknown = [m for m in metrics if m not in METRIC_NAMES]
    if unknown:
        raise ConfigError(f"--metrics: unknown metric {unknown[0]!r} (available: {', '.join(METRIC_NAMES)})")
    options = dict(tokenize=args.tokenize, test=None if args.test == "none" else args.test, n_samples=args.samples,
                   seed=args.seed, worst=args.worst, metrics=metrics)
    if args.report:  # an unwritable report fails now, not after the scoring
        from .atomic import check_writable

        check_writable(args.report)
    if args.ref:
        if not args.hyp:
            raise ConfigError("evaluate --ref needs at least one --hyp")
        names = args.name or []
        if len(names) > len(args.hyp):
            raise ConfigError("more --name than --hyp")
        names = names + [Path(h).name for h in args.hyp[len(names):]]
        if len(set(names)) != len(names):
            raise ConfigError("two systems have the same name: give --name for each --hyp")
        for path in [args.ref, *args.hyp, args.src, args.docs]:
            if path is not None:
                _check_readable(path)
        # Streamed from the files: memory grows with what is kept, not with the files.
        with activity("evaluate"):
            result = evaluate_files(args.ref, dict(zip(names, args.hyp)), args.lang, sources=args.src,
                                    documents=args.docs, **options)
    elif args.db:
        from .names import release_names
        from .store import Store

        with Store(_existing_db(args.db)) as store:
            triples = store.reference_triples(args.lang, args.run)
            names = release_names(store)
        if not triples:
            raise InputError(f"{redact_secrets(args.db)}: no MT with aligned human references into {args.lang} "
                             f"(run with --reference {args.lang}=DIR first)")
        triples = _confident_triples(args, triples)
        docs = [names.get(t[0], t[0]) for t in triples]  # documents by file name or title, not hash
        sources = [t[1] for t in triples]
        references = [t[2] for t in triples]
        hypotheses = {f"run {args.run}" if args.run else "mt": [t[3] for t in triples]}
        with activity("evaluate"):
            result = evaluate(references, hypotheses, args.lang, sources=sources, documents=docs, **options)
    else:
        raise ConfigError("evaluate needs --ref and --hyp files, or --db")
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        print(format_table(result))
    if args.report:
        from .atomic import atomic_write_text
        from .report import render_report

        atomic_write_text(args.report, render_report(result))
        if not args.quiet:
            print(f"report written to {args.report}", file=sys.stderr)
    return 0


def _check_readable(path: str) -> None:
    """One line for an input that is missing, a folder, or unreadable."""
    from pathlib import Path

    if Path(path).is_dir():
        raise InputError(f"{path}: is a folder, expected a file")
    if not Path(path).exists():
        raise InputError(f"{path}: no such file")
    try:
        with open(path, "rb"):
            pass
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
def _cmd_pair(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from .pair import pair_folders
    from .progress import progress_for

    config = _config(args)
    options = config.pair
    if args.threshold is not None:
        if not 0 <= args.threshold <= 1:
            raise ConfigError("--threshold must be between 0 and 1")
        options = replace(options, threshold=args.threshold)
    translator = _pairing_translator(args, config)
    result = pair_folders(args.en_dir, args.other_dir, args.tgt_lang, translator, options,
                          progress_for(args.quiet), config.ingest)
    for pair in result.pairs:
        print(f"{pair.en}\t{pair.other}\t{pair.score:.4f}")
    sys.stdout.flush()
    print(f"{len(result.pairs)} pairs; no counterpart: {len(result.unpaired_en)} of the English files, "
          f"{len(result.unpaired_other)} of the {'French' if args.tgt_lang == 'fr' else 'Arabic'} files"
          + (f"; {len(result.skipped)} files skipped (see warnings)" if result.skipped else ""), file=sys.stderr)
    return 0


def _pairing_translator(args: argparse.Namespace, config: Config):
    """The translator that pair --mt asks for, or None."""
    if args.mt == "none":
        return None
    from .translate import load_translator, parse_model_overrides, resolve_model

    overrides = parse_model_overrides(args.model)
    pair = f"en-{args.tgt_lang}"
    # auto: a model named with --model must load; the registry's hub id is tried only when
    # its weights are here already (TRANSLATE_PIPE_MODELS), since pairing needs no model.
    if args.mt == "auto" and pair not in overrides and not resolve_model(pair, overrides).is_local:
        log.info("no local model for %s: pairing without MT (--model %s=DIR uses one)", pair, pair)
        return None
    return load_translator(pair, config.translate, overrides)
def _confident_triples(args: argparse.Namespace, triples: list) -> list:
    """evaluate --db: the triples whose human bead scores at least --min-align-score (said on stderr)."""
    from .store import Store

    threshold = args.min_align_score if args.min_align_score is not None else _config(args).alignment.min_score
    with Store(args.db) as store:
        unsure = {(p.release_id, p.src, p.tgt) for p in store.human_pairs(args.lang) if p.combined < threshold}
    kept = [t for t in triples if (t[0], t[1], t[2]) not in unsure]
    if len(kept) < len(triples):
        print(f"left out {len(triples) - len(kept)} of {len(triples)} human beads scored below {threshold} "
              f"(--min-align-score)", file=sys.stderr)
    if not kept:
        raise InputError(f"{args.db}: every human bead into {args.lang} scores below {threshold} (--min-align-score)")
    return kept


def _cmd_runs(args: argparse.Namespace) -> int:
    from .store import Store

    from .names import duration, local_time

    config = _config(args)
    with Store(_existing_db(_db(args, config))) as store:
        runs = store.runs()
    rows = [("run", "started (local time)", "took", "status", "releases", "pairs per language")]
    for run in runs:
        summary = json.loads(str(run["summary"])) if run["summary"] else {}
        per_lang = ", ".join(f"{lang} {sum(result.get('labels', {}).values())}"
                             for lang, result in sorted(summary.get("languages", {}).items()))
        rows.append((str(run["id"]), local_time(str(run["started_at"])),
                     duration(run["started_at"], run["finished_at"]), str(run["status"]),
                     str(summary.get("releases", "?")), per_lang or str(run["langs"])))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
    return 0


def _cmd_releases(args: argparse.Namespace) -> int:
    from .store import Store

    with Store(_db(args, _config(args))) as store:
        if args.references is not None:
            listed = store.reference_alignments(args.references or None)
            for release_id, lang, reference, verdict, beads, two_sided in listed:
                print(f"{release_id}\t{lang}\t{reference}\t{verdict or 'unknown'}\t{two_sided} of {beads} beads two-sided")
            print(f"{len(listed)} reference pairs", file=sys.stderr)
            return 0
        page = store.release_page(args.search, args.date_from, args.date_to, args.limit, args.offset)
    for release in page.items:
        print(f"{release['id']}\t{release['date'] or ''}\t{release['title']}")
    shown = f"{page.offset + 1}-{page.offset + len(page.items)}" if page.items else "none"
    more = f"; next: --offset {page.next_offset}" if page.next_offset is not None else ""
    print(f"{shown} of {page.total} releases{more}", file=sys.stderr)
    return 0


def _cmd_translate(args: argparse.Namespace) -> int:
    import os
    from itertools import islice

    from .translate import load_translator, parse_model_overrides, translation_texts

    config = _config(args).with_overrides("translate", beam_size=args.beam, max_length=args.max_length,
                                          device=args.device, backend=args.backend)
    name = args.file or "<stdin>"
    # The input is opened before the model loads: a wrong path fails in a moment.
    try:
        handle = open(args.file, "rb") if args.file else sys.stdin.buffer
    except OSError as exc:
        raise InputError(f"{name}: cannot read: {exc.strerror}") from None
    translator = load_translator(f"en-{args.to}", config.translate, parse_model_overrides(args.model))
    count = 0
    from .progress import bar

    try:
        with handle, bar("translate", unit="line") as advance:
            while True:
                # Bytes, decoded line by line, so a bad line is named by its own number. Unless
                # --chunk says otherwise, the first chunk is one line per core (one batch per
                # CTranslate2 worker): its translations appear in about a second, not after 256 lines.
                size = args.chunk or ((os.cpu_count() or 1) if count == 0 else 256)
                raw_lines = list(islice(handle, size))
                if not raw_lines:
                    break
                lines = []
                for offset, raw in enumerate(raw_lines, start=count + 1):
                    try:
                        lines.append(raw.decode("utf-8-sig" if offset == 1 else "utf-8").rstrip("\r\n"))
                    except UnicodeDecodeError as exc:
                        raise InputError(f"{name}: line {offset} is not valid UTF-8 (byte {exc.start + 1} of the line:"
                                         f" {exc.reason})") from None
                # One line in, one line out: an empty line stays empty.
                for text in translation_texts(translator, lines):
                    sys.stdout.write(" ".join(text.splitlines()) + "\n")
                sys.stdout.flush()
                count += len(lines)
                advance(len(lines))
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        raise InputError(f"{name}: cannot read: {exc.strerror}") from None
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    from .translate import load_registry, parse_model_overrides, resolve_model

    overrides = parse_model_overrides(args.model)
    if args.action == "convert":
        from pathlib import Path

        from .translate.ctranslate2 import convert_model

        if not args.pair:
            raise ConfigError("models convert needs a language pair, e.g. translate-pipe models convert en-fr")
        pair = args.pair if "-" in args.pair else f"en-{args.pair}"
        folder, revision = convert_model(resolve_model(pair, overrides), args.compute_type,
                                         Path(args.out) if args.out else None, force=bool(args.out))
        print(f"{pair}\t{folder}\t(revision {revision}, {args.compute_type})")
        return 0
    if args.action == "vmap":
        return _models_vmap(args, overrides)
    if args.action == "pin":
        return _models_pin(args.pair)
    for pair in sorted(set(load_registry()) | set(overrides)):
        spec = resolve_model(pair, overrides)
        token = f" target token {spec.target_token}" if spec.target_token else ""
        print(f"{pair}\t{spec.location}\t(found by {spec.found_by}; revision {spec.revision or 'local'}){token}")
    return 0


def _models_pin(pair: str | None) -> int:
    """Pin registry entries that name a branch to the commit of the snapshot in the local cache."""
    from .translate.registry import REGISTRY_PATH, load_registry, pin_to_cached_commit

    checkout_copy = REGISTRY_PATH.parents[2] / "models" / "registry.yaml"  # the repository's copy, if any
    files = [REGISTRY_PATH] + ([checkout_copy] if checkout_copy.exists() else [])
    pairs = [pair if "-" in pair else f"en-{pair}"] if pair else sorted(load_registry(files[0]))
    for name in pairs:
        commit, changed = pin_to_cached_commit(name, files)
        print(f"{name}\t{'pinned to' if changed else 'already pinned to'} {commit}")
    return 0


def _models_vmap(args: argparse.Namespace, overrides: dict[str, str]) -> int:
    """Write a target-vocabulary shortlist for translate.vocab_map, learned from pairs."""
    from .translate import resolve_model
    from .atomic import atomic_write_text
    from .translate.ctranslate2 import convert_model
    from .translate.marian_vocab import MarianSentencePiece
    from .translate.vocab_map import build_vocab_map, read_pairs

    if not (args.pair and args.pairs and args.out):
        raise ConfigError("models vmap needs a pair, --pairs FILE and --out FILE, "
                          "e.g. translate-pipe models vmap en-fr --pairs pairs.tsv --out vmap-en-fr.txt")
    pair = args.pair if "-" in args.pair else f"en-{args.pair}"
    spec = resolve_model(pair, overrides)
    folder, _ = convert_model(spec, args.compute_type)
    text = build_vocab_map(MarianSentencePiece(folder, spec.target_token), read_pairs(args.pairs))
    from pathlib import Path

    atomic_write_text(Path(args.out), text)
    print(f"{pair}\t{args.out}\t({len(text.splitlines())} lines; set translate.vocab_map to use it)")
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import format_checks, run_checks
    from .translate import parse_model_overrides

    config = _config(args)
    checks = run_checks(_db(args, config), parse_model_overrides(args.model), probe_hub=not args.no_hub)
    print(format_checks(checks))
    return 1 if any(check.blocks_run for check in checks) else 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .store import Store

    config = _config(args)
    db = _db(args, config)
    _existing_db(db)
    Store(db).close()  # fail here, with our message, on a file that is not a database
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise ConfigError(f"serve needs FastAPI and uvicorn ({exc}): pip install fastapi uvicorn") from None
    from .review.server import serve

    def listening(host: str, port: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        print(f"translate-pipe review: http://{shown}:{port}/ (database {redact_secrets(db)}; Ctrl-C stops)",
              file=sys.stderr, flush=True)

    serve(db, args.host, args.port, config, allowed_hosts=args.allow_host or (), on_listening=listening,
          workers=args.workers)
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .imports import file_kind
    from .imports.xliff import import_xliff

    config = _config(args)
    db = _db(args, config)
    kinds = {path: file_kind(path) for path in args.files}  # every file checked before anything is stored
    if "xliff" in kinds.values():
        from .store import is_postgres_url, sqlite_path

        if not is_postgres_url(db) and not Path(sqlite_path(db)).is_file():
            raise InputError(f"{db}: no such database; an XLIFF goes back into the database it was exported from")
    problems = 0
    for path, kind in kinds.items():
        if kind == "tmx":
            from .imports.tmx import import_tmx
            from .store import Store

            if not args.lang:
                raise ConfigError(f"{path}: a TMX needs --lang, the target language to take from it, e.g. --lang fr")
            with Store(db) as store:
                memory = import_tmx(Path(path), store, args.lang, config)
            for problem in memory.problems:
                log.warning("%s: %s", path, problem)
            problems += len(memory.problems)
            if not args.quiet:
                print(f"{path}: {memory.units} translation units, {memory.added} added to the en-{args.lang} memory,"
                      f" {memory.skipped} without both languages", file=sys.stderr)
            continue
        result = import_xliff(path, db, config)
        for problem in result.problems:
            log.warning("%s: %s", path, problem)
        problems += len(result.problems)
        if not args.quiet:
            print(f"{path}: XLIFF {result.version}, {result.units} units: {result.edited} edited, "
                  f"{result.approved} approved, {result.unchanged} unchanged, {len(result.problems)} not imported",
                  file=sys.stderr)
    if problems:
        raise InputError(f"{problems} units were not imported (see warnings above); the rest are stored")
    return 0


_COMMANDS = {
    "run": _cmd_run,
    "import": _cmd_import,
    "serve": _cmd_serve,
    "export": _cmd_export,
    "segment": _cmd_segment,
    "extract": _cmd_extract,
    "align": _cmd_align,
    "evaluate": _cmd_evaluate,
    "translate": _cmd_translate,
    "runs": _cmd_runs,
    "releases": _cmd_releases,
    "pair": _cmd_pair,
    "models": _cmd_models,
    "doctor": _cmd_doctor,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


__all__ = ["main"]
