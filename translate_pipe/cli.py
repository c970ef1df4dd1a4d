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
from collections.abc import Sequence

from . import __version__
from .config import Config, load_config
from .errors import ConfigError, InputError, TranslatePipeError

log = logging.getLogger("translate_pipe")


def _langs(value: str) -> list[str]:
    langs = [part.strip() for part in value.split(",") if part.strip()]
    if not langs:
        raise argparse.ArgumentTypeError("expected languages such as ar,fr")
    return list(dict.fromkeys(langs))


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
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
    run.add_argument("--beam", type=int, help="beam size (config: translate.beam_size)")
    run.add_argument("--max-length", type=int, help="most target tokens per sentence (translate.max_length)")
    run.add_argument("--batch-size", type=int, help="most sentences per batch (translate.batch_size)")
    run.add_argument("--device", help="cpu, cuda or auto (translate.device)")
    run.add_argument("--backend", choices=("transformers", "ctranslate2"), help="translate.backend")
    run.add_argument("--qe-dropout", type=int, metavar="N",
                     help="Monte-Carlo dropout passes for pairs not labelled good (score.qe_dropout)")
    run.add_argument("--reference", action="append", metavar="LANG=DIR",
                     help="human translations of the releases (matched by file name or id): aligned and used to score the MT")
    run.add_argument("--strict", action="store_true", help="exit 1 if any input file was skipped")
    run.add_argument("--engine", choices=("local", "ray"), default="local",
                     help="where segmentation, translation and scoring run (default: this process)")
    run.add_argument("--ray-address", metavar="ADDRESS",
                     help="with --engine ray: auto, ray://HOST:PORT, or none for a new local cluster")
    run.add_argument("--workers", type=int, help="with --engine ray: translation actors (default: one per CPU)")
    run.add_argument("--gpus-per-worker", type=float, default=0.0, metavar="F",
                     help="with --engine ray: GPUs for each translation actor, e.g. 0.5")
    run.add_argument("--shard-dir", help="with --engine ray: folder for result shards, shared by the workers "
                                         "(default: beside the database)")

    export = commands.add_parser("export", parents=[common], help="write stored pairs as a corpus or documents")
    from .export import FORMATS

    export.add_argument("--lang", required=True, help="target language of the pairs, e.g. ar")
    export.add_argument("--format", required=True, choices=FORMATS)
    export.add_argument("--out", required=True, help="output file (moses: prefix; release: folder or file)")
    export.add_argument("--min-score", type=float, help="keep pairs whose combined score is at least this")
    export.add_argument("--label", type=_langs, metavar="LABELS", help="keep pairs with these labels, e.g. good,check")
    export.add_argument("--release", action="append", metavar="ID", help="only this release (repeatable)")
    export.add_argument("--origin", choices=("mt", "human"), default="mt",
                        help="machine translations, or human translations aligned by run --reference")
    export.add_argument("--keep-duplicates", action="store_true", help="write repeated (source, target) pairs again")
    export.add_argument("--status", type=_langs, metavar="STATUSES",
                        help="review states to keep, e.g. approved (default: all but rejected)")

    segment = commands.add_parser("segment", help="print the sentences of a document, one per line")
    segment.add_argument("file", nargs="?", help="document to split (default: stdin)")
    segment.add_argument("--lang", required=True, choices=("en", "fr", "ar"))
    segment.add_argument("--paragraphs", action="store_true", help="a blank line between paragraphs")

    align = commands.add_parser("align", parents=[common], help="align a document with its human translation")
    align.add_argument("src", help="source sentences, one per line")
    align.add_argument("tgt", help="target sentences, one per line")
    align.add_argument("--src-lang", default="en")
    align.add_argument("--tgt-lang", required=True)
    align.add_argument("--mt", help="MT of SRC into the target language, line by line; 'none' to align without MT;"
                                    " default: translate SRC with the configured model")
    align.add_argument("--model", action="append", metavar="PAIR=PATH")
    align.add_argument("--segment", action="store_true", help="SRC and TGT are raw documents: split them first")
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
    evaluate.add_argument("--samples", type=int, default=1000)
    evaluate.add_argument("--seed", type=int, default=12345)
    evaluate.add_argument("--worst", type=int, default=10, help="how many worst segments to list")
    evaluate.add_argument("--run", type=int, help="with --db: the MT of this run (default: the newest)")
    evaluate.add_argument("--report", help="write a self-contained HTML report here")
    evaluate.add_argument("--json", action="store_true", help="print the results as JSON")

    commands.add_parser("runs", parents=[common], help="list the runs stored in the database")

    models = commands.add_parser("models", help="show which model each pair uses; convert for CTranslate2")
    models.add_argument("action", nargs="?", choices=("list", "convert", "vmap"), default="list")
    models.add_argument("pair", nargs="?", help="with convert: the language pair, e.g. en-fr")
    models.add_argument("--model", action="append", metavar="PAIR=PATH")
    models.add_argument("--compute-type", default="int8", help="with convert: int8, float16, float32, ...")
    models.add_argument("--out", help="with convert: folder to write (default: the cache); with vmap: the map file")
    models.add_argument("--pairs", help="with vmap: sentence pairs, source TAB target, one a line")

    translate = commands.add_parser("translate", parents=[common], help="translate sentences, one per line, streaming")
    translate.add_argument("file", nargs="?", help="sentences, one per line (default: stdin)")
    translate.add_argument("--to", required=True, help="target language, e.g. fr")
    translate.add_argument("--model", action="append", metavar="PAIR=PATH")
    translate.add_argument("--backend", choices=("transformers", "ctranslate2"))
    translate.add_argument("--beam", type=int)
    translate.add_argument("--max-length", type=int)
    translate.add_argument("--device")
    translate.add_argument("--chunk", type=int, default=256, help="lines read, translated and written at a time")

    serve = commands.add_parser("serve", parents=[common], help="review and post-edit pairs in the browser")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: this machine only)")
    serve.add_argument("--port", type=int, default=8000)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _build_parser()
    args = parser.parse_args(argv)
    _setup_logging(getattr(args, "quiet", False), getattr(args, "verbose", False))
    try:
        return _COMMANDS[args.command](args)
    except TranslatePipeError as exc:
        print(f"translate-pipe: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("translate-pipe: interrupted; finished work is stored, run the same command again to resume",
              file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _setup_logging(quiet: bool, verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("translate-pipe: %(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.propagate = False
    log.setLevel(logging.INFO if verbose else logging.WARNING)


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def _db(args: argparse.Namespace, config: Config) -> str:
    return args.db or config.store.db


def _cmd_run(args: argparse.Namespace) -> int:
    from .pipeline import run_pipeline
    from .progress import progress_for
    from .store import Store
    from .translate import parse_model_overrides

    config = _config(args).with_overrides(
        "translate", beam_size=args.beam, max_length=args.max_length, batch_size=args.batch_size, device=args.device,
        backend=args.backend,
    )
    config = config.with_overrides("score", qe_dropout=args.qe_dropout)
    overrides = parse_model_overrides(args.model)
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
                         f"{refs.human_pairs} human pairs")
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


def _parse_references(values: list[str] | None) -> dict[str, str]:
    from pathlib import Path

    references = {}
    for value in values or []:
        lang, sep, folder = value.partition("=")
        if not sep or not lang or not folder:
            raise ConfigError(f"--reference {value!r}: expected LANG=DIR, e.g. fr=references/fr")
        if not Path(folder).is_dir():
            raise InputError(f"{folder}: no such folder of references")
        references[lang] = folder
    return references


def _cmd_export(args: argparse.Namespace) -> int:
    from .export import export
    from .store import Store

    config = _config(args)
    with Store(_db(args, config)) as store:
        summary = export(store, args.format, args.lang, args.out, args.min_score, args.label,
                         deduplicate=not args.keep_duplicates, release_ids=args.release, origin=args.origin,
                         statuses=args.status)
    if not args.quiet:
        print(f"wrote {summary.written} {'releases' if args.format.startswith('release') else 'pairs'} "
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


def _read_lines(path: str, lang: str, segment: bool) -> list[str]:
    from pathlib import Path

    from .ingest import read_lines, read_text
    from .segment import split_sentences

    if segment:
        return split_sentences(read_text(Path(path)), lang)
    return read_lines(Path(path))


def _cmd_align(args: argparse.Namespace) -> int:
    from .align import align
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
    beads = align(src, tgt, mt)
    text = "".join(format_bead(b) + "\n" for b in beads)
    if args.out:
        from pathlib import Path

        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .evaluate import evaluate, format_table
    from .ingest import read_lines

    def lines(path: str) -> list[str]:
        return read_lines(Path(path))

    sources = docs = None
    if args.ref:
        if not args.hyp:
            raise ConfigError("evaluate --ref needs at least one --hyp")
        references = lines(args.ref)
        names = args.name or []
        if len(names) > len(args.hyp):
            raise ConfigError("more --name than --hyp")
        names = names + [Path(h).name for h in args.hyp[len(names):]]
        if len(set(names)) != len(names):
            raise ConfigError("two systems have the same name: give --name for each --hyp")
        hypotheses = {name: lines(path) for name, path in zip(names, args.hyp)}
        sources = lines(args.src) if args.src else None
        docs = lines(args.docs) if args.docs else None
    elif args.db:
        from .store import Store

        with Store(args.db) as store:
            triples = store.reference_triples(args.lang, args.run)
        if not triples:
            raise InputError(f"{args.db}: no MT with aligned human references into {args.lang} "
                             f"(run with --reference {args.lang}=DIR first)")
        docs = [t[0] for t in triples]
        sources = [t[1] for t in triples]
        references = [t[2] for t in triples]
        hypotheses = {f"run {args.run}" if args.run else "mt": [t[3] for t in triples]}
    else:
        raise ConfigError("evaluate needs --ref and --hyp files, or --db")
    result = evaluate(references, hypotheses, args.lang, sources=sources, documents=docs, tokenize=args.tokenize,
                      test=None if args.test == "none" else args.test, n_samples=args.samples, seed=args.seed,
                      worst=args.worst)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=1))
    else:
        print(format_table(result))
    if args.report:
        from .report import render_report

        Path(args.report).write_text(render_report(result), encoding="utf-8")
        if not args.quiet:
            print(f"report written to {args.report}", file=sys.stderr)
    return 0


def _cmd_runs(args: argparse.Namespace) -> int:
    from .store import Store

    config = _config(args)
    with Store(_db(args, config)) as store:
        for run in store.runs():
            summary = json.loads(str(run["summary"])) if run["summary"] else {}
            print(f"{run['id']}\t{run['started_at']}\t{run['status']}\t{run['langs']}\t"
                  f"{summary.get('releases', '?')} releases")
    return 0


def _cmd_translate(args: argparse.Namespace) -> int:
    from itertools import islice

    from .translate import load_translator, parse_model_overrides

    config = _config(args).with_overrides("translate", beam_size=args.beam, max_length=args.max_length,
                                          device=args.device, backend=args.backend)
    translator = load_translator(f"en-{args.to}", config.translate, parse_model_overrides(args.model))
    if args.chunk < 1:
        raise ConfigError("--chunk must be at least 1")
    if args.file:
        handle = open(args.file, encoding="utf-8", errors="strict", newline=None)
    else:
        import io

        handle = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="strict")
    name = args.file or "<stdin>"
    count = 0
    try:
        with handle:
            while True:
                try:
                    lines = [line.rstrip("\n") for line in islice(handle, args.chunk)]
                except UnicodeDecodeError as exc:
                    raise InputError(f"{name}: not valid UTF-8 after line {count} ({exc.reason})") from None
                if not lines:
                    break
                # One line in, one line out: an empty line stays empty.
                for result in translator.translate(lines):
                    sys.stdout.write(" ".join(result.text.splitlines()) + "\n")
                sys.stdout.flush()
                count += len(lines)
    except OSError as exc:
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
    for pair in sorted(set(load_registry()) | set(overrides)):
        spec = resolve_model(pair, overrides)
        token = f" target token {spec.target_token}" if spec.target_token else ""
        print(f"{pair}\t{spec.location}\t(found by {spec.found_by}; revision {spec.revision or 'local'}){token}")
    return 0


def _models_vmap(args: argparse.Namespace, overrides: dict[str, str]) -> int:
    """Write a target-vocabulary shortlist for translate.vocab_map, learned from pairs."""
    from .translate import resolve_model
    from .translate.ctranslate2 import _write_atomically, convert_model
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

    _write_atomically(Path(args.out), text)
    print(f"{pair}\t{args.out}\t({len(text.splitlines())} lines; set translate.vocab_map to use it)")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .store import Store, is_postgres_url, sqlite_path

    config = _config(args)
    db = _db(args, config)
    if not is_postgres_url(db) and not Path(sqlite_path(db)).is_file():
        raise InputError(f"{db}: no such database; translate releases first with translate-pipe run")
    Store(db).close()  # fail here, with our message, on a file that is not a database
    try:
        import uvicorn

        from .review.app import create_app
    except ImportError as exc:
        raise ConfigError(f"serve needs FastAPI and uvicorn ({exc}): pip install fastapi uvicorn") from None
    app = create_app(db, config)
    print(f"translate-pipe review: http://{args.host}:{args.port}/ (database {db}; Ctrl-C stops)", file=sys.stderr,
          flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


_COMMANDS = {
    "run": _cmd_run,
    "serve": _cmd_serve,
    "export": _cmd_export,
    "segment": _cmd_segment,
    "align": _cmd_align,
    "evaluate": _cmd_evaluate,
    "translate": _cmd_translate,
    "runs": _cmd_runs,
    "models": _cmd_models,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


__all__ = ["main"]
