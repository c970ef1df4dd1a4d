"""A self-contained HTML report of an :class:`~translate_pipe.evaluate.Evaluation`.

One file: the figures are PNGs embedded as data URIs, the style is inline, there is no
script. Every text from the data is escaped. Arabic text is set right-to-left.
"""

from __future__ import annotations

import base64
import html
import io

from .evaluate import Evaluation, format_score
from .export.release import RTL_LANGS

_COLUMNS = {"bleu": "BLEU", "chrf": "chrF2", "chrf++": "chrF2++", "ter": "TER ↓"}


def _figure_png(draw) -> str:
    try:
        import matplotlib
    except ImportError:
        from .errors import ConfigError

        raise ConfigError("the figures of evaluate --report need matplotlib: pip install 'translate-pipe[report]'") from None

    matplotlib.use("Agg")  # no display here, and none needed
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=110)
    draw(ax)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _histogram(evaluation: Evaluation) -> str:
    def draw(ax) -> None:
        for name in evaluation.systems:
            ax.hist(evaluation.sentence_chrf[name], bins=20, range=(0, 100), alpha=0.55, label=name)
        ax.set_xlabel("sentence chrF")
        ax.set_ylabel("segments")
        ax.legend()

    return _figure_png(draw)


def _bucket_bars(evaluation: Evaluation) -> str:
    labels = list(evaluation.buckets)

    def draw(ax) -> None:
        width = 0.8 / max(len(evaluation.systems), 1)
        for k, name in enumerate(evaluation.systems):
            xs = [i + k * width for i in range(len(labels))]
            ax.bar(xs, [evaluation.buckets[b][name] for b in labels], width=width, label=name)
        ax.set_xticks([i + 0.4 - width / 2 for i in range(len(labels))])
        ax.set_xticklabels([f"{b}\n(n={evaluation.bucket_sizes[b]})" for b in labels])
        ax.set_xlabel("source length (words)")
        ax.set_ylabel("chrF")
        ax.legend()

    return _figure_png(draw)


def render_report(evaluation: Evaluation, title: str = "MT evaluation") -> str:
    esc = html.escape
    direction = "rtl" if evaluation.lang in RTL_LANGS else "ltr"
    target = f'lang="{esc(evaluation.lang)}" dir="{direction}"'
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{esc(title)}</title>",
        "<style>body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;"
        "vertical-align:top}th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}"
        "code{font-size:.85em}.sig{color:#555}</style>",
        "</head>",
        "<body>",
        f"<h1>{esc(title)}</h1>",
        f"<p>Target language <b>{esc(evaluation.lang)}</b>, {len(evaluation.sentence_chrf[evaluation.systems[0]])}"
        f" segments, BLEU tokenizer <code>{esc(evaluation.tokenize)}</code>.</p>",
        "<h2>Systems</h2>",
        '<table id="systems"><tr><th>system</th>' + "".join(f"<th>{esc(_COLUMNS[k])}</th>" for k in evaluation.metrics) + "</tr>",
    ]
    for name in evaluation.systems:
        cells = [f'<td class="num">{esc(format_score(evaluation.scores[name][key], spaced=True))}</td>'
                 for key in evaluation.metrics]
        parts.append(f"<tr><th>{esc(name)}</th>{''.join(cells)}</tr>")
    parts.append("</table>")
    if evaluation.test and len(evaluation.systems) > 1:
        kind = "paired bootstrap resampling" if evaluation.test == "bs" else "approximate randomization"
        parts.append(f"<p>p-values against the baseline <b>{esc(evaluation.systems[0])}</b>: {kind}, "
                     f"{evaluation.n_samples} samples, seed {evaluation.seed}.</p>")
    parts.append('<ul class="sig">' + "".join(
        f"<li>{esc(_COLUMNS[k])}: <code>{esc(v)}</code></li>" for k, v in evaluation.signatures.items()) + "</ul>")

    parts += ["<h2>Sentence chrF</h2>", f'<img id="histogram" alt="histogram of sentence chrF" src="{_histogram(evaluation)}">']
    if evaluation.buckets:
        parts += ["<h2>By source length</h2>",
                  f'<img id="buckets" alt="chrF by source length" src="{_bucket_bars(evaluation)}">']
    if evaluation.documents:
        parts.append('<h2>Documents</h2><table id="documents"><tr><th>document</th>'
                     + "".join(f"<th>{esc(n)} chrF</th>" for n in evaluation.systems) + "</tr>")
        for doc, values in evaluation.documents.items():
            parts.append(f"<tr><td>{esc(doc)}</td>"
                         + "".join(f'<td class="num">{values[n]:.1f}</td>' for n in evaluation.systems) + "</tr>")
        parts.append("</table>")

    parts.append(f"<h2>Worst segments ({esc(evaluation.systems[0])})</h2><table id=\"worst\"><tr><th>#</th>")
    has_source = any(seg.source is not None for seg in evaluation.worst)
    if has_source:
        parts.append("<th>source</th>")
    parts.append("<th>reference</th>" + "".join(f"<th>{esc(n)}</th>" for n in evaluation.systems) + "</tr>")
    for seg in evaluation.worst:
        row = f'<tr><td class="num">{seg.index + 1}</td>'
        if has_source:
            row += f'<td dir="ltr">{esc(seg.source or "")}</td>'
        row += f"<td {target}>{esc(seg.reference)}</td>"
        for name in evaluation.systems:
            row += f"<td {target}>{esc(seg.hypotheses[name])}<br><small dir=\"ltr\">chrF {seg.chrf[name]:.1f}</small></td>"
        parts.append(row + "</tr>")
    parts += ["</table>", "</body>", "</html>", ""]
    return "\n".join(parts)
