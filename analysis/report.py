"""Self-contained HTML reports, written atomically.

:func:`build_report` is what ``newsscope report`` runs: it computes the
report data (:mod:`analysis.report_data`), writes the tables, executes the
report notebook with papermill, exports it to one self-contained page
(:mod:`analysis.report_html`) and moves the finished version folder into
``reports/<slug>/<YYYY-MM-DD>-<fingerprint>/`` in one rename, so a failed or
killed run never leaves half a report or touches earlier versions.

:func:`render_overview` is the lighter corpus overview: every input item
accounted for, charts as PNG data URIs, all article text escaped.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

# The stages before this one, as modules: `report_data.compute_report_data` is looked up
# when called, so a test can replace it there.
from analysis import __version__, config, report_data, report_html
from analysis.cluster import check_dask
from analysis.io import OUTPUT_MARKER, input_files
from analysis.notebook_run import NotebookRun
from analysis.report_data import status_counts  # re-exported: it was defined here
from analysis.trends import article_counts

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["build_report", "code_fingerprint", "corpus_summary", "input_fingerprint",
           "list_versions", "report_slug",
           "render_overview", "status_counts", "write_html"]

_TEMPLATE = """<h1>{{ title }}</h1>
<p class="meta">Inputs: {{ sources|join(", ") }} · generated {{ generated }}
· newsscope {{ version }}</p>
<div class="cards">
{% for label, value in cards %}<div class="card"><b>{{ value }}</b>{{ label }}</div>{% endfor %}
</div>
<p>Every input item is accounted for: {{ summary.n_items }} items =
{% for status, n in summary.by_status.items() -%}
{{ n }} {{ status }}{% if not loop.last %} + {% endif %}
{%- endfor %}.
{% if summary.first %}Dated articles run from {{ summary.first }} to {{ summary.last }}
({{ summary.undated }} without a date).{% endif %}</p>
{% if chart %}<h2>Articles over time</h2>
<img alt="Articles per month by source" src="data:image/png;base64,{{ chart }}">{% endif %}
<h2>Sources and languages</h2>
<table><tr><th>source</th>{% for lang in langs %}<th>{{ lang }}</th>{% endfor %}<th>total</th></tr>
{% for row in by_source %}<tr><td>{{ row.source }}</td>{% for lang in langs %}
<td class="num">{{ row[lang] }}</td>{% endfor %}
<td class="num">{{ row.total }}</td></tr>{% endfor %}
</table>
<h2>Items not loaded as new articles, and data problems</h2>
{% if problems %}<table><tr><th>status</th><th>path</th><th>reason</th></tr>
{% for row in problems %}<tr><td class="st-{{ row.status }}">{{ row.status }}</td>
<td>{{ row.path }}</td><td>{{ row.reason }}</td></tr>{% endfor %}</table>
{% else %}<p>None: every item loaded cleanly.</p>{% endif %}
<h2>Articles</h2>
<table><tr><th>published</th><th>source</th><th>lang</th><th>title</th><th>words</th></tr>
{% for row in articles %}<tr><td>{{ row.published }}</td><td>{{ row.source }}</td>
<td>{{ row.lang }}</td><td>{{ row.title }}<div class="snippet">{{ row.snippet }}</div></td>
<td class="num">{{ row.n_words }}</td></tr>{% endfor %}
</table>
{% if more_articles %}<p class="meta">… and {{ more_articles }} more articles.</p>{% endif %}
"""


def _when(stamp) -> str:
    # Date-only datelines are stored at midnight; printing "00:00" would
    # claim a time the page never gave.
    if pd.isna(stamp):
        return ""
    return stamp.strftime("%Y-%m-%d" if stamp == stamp.normalize() else "%Y-%m-%d %H:%M")


def corpus_summary(articles: pd.DataFrame, manifest: pd.DataFrame) -> dict:
    """Return headline numbers of a load: items by status, date range, languages.

    Examples
    --------
    >>> arts = pd.DataFrame({"published": pd.to_datetime(["2024-01-02", None], utc=True),
    ...                      "lang": ["en", "ru"], "source": ["A", "B"]})
    >>> man = pd.DataFrame({"status": ["loaded", "loaded", "rejected"]})
    >>> s = corpus_summary(arts, man)
    >>> s["n_items"], s["by_status"], s["undated"], s["first"]
    (3, {'loaded': 2, 'rejected': 1}, 1, '2024-01-02')
    """
    dated = articles["published"].dropna()
    return {
        "n_items": len(manifest),
        "by_status": status_counts(manifest),
        "articles": len(articles),
        "languages": articles["lang"].nunique(),
        "sources": articles["source"].nunique(),
        "undated": int(articles["published"].isna().sum()),
        "first": dated.min().strftime("%Y-%m-%d") if len(dated) else None,
        "last": dated.max().strftime("%Y-%m-%d") if len(dated) else None,
    }


def _png_base64(fig: Figure) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    try:
        # No "Software" entry: the PNG then does not change with the matplotlib version.
        fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    finally:
        plt.close(fig)  # the charts are pyplot figures: release each once saved
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _source_language_rows(articles: pd.DataFrame) -> tuple[list[str], list[dict]]:
    table = pd.crosstab(articles["source"].astype(object).fillna("(unknown)"),
                        articles["lang"].astype(object).fillna("?"))
    table["total"] = table.sum(axis=1)
    table = table.sort_values("total", ascending=False)
    langs = [c for c in table.columns if c != "total"]
    return langs, [{"source": src, **row} for src, row in table.to_dict("index").items()]


def _with_original_titles(flagged: pd.DataFrame, articles: pd.DataFrame) -> list[str]:
    # An id alone means nothing to a reader; name the original by its title.
    if "article_id" not in articles or "duplicate_of" not in articles:
        return flagged["reason"].fillna("").tolist()
    titles = dict(zip(articles["article_id"], articles["title"], strict=True))
    originals = dict(zip(articles["article_id"], articles["duplicate_of"], strict=True))
    reasons = []
    for reason, article_id in zip(flagged["reason"].fillna(""), flagged["article_id"],
                                  strict=True):
        original = originals.get(article_id)
        title = titles.get(original) if isinstance(original, str) else None
        reasons.append(f"{reason} (“{title}”)" if isinstance(title, str) else reason)
    return reasons


def render_overview(articles: pd.DataFrame, manifest: pd.DataFrame, *,
                    sources: Sequence[str] = (), title: str = "newsscope corpus overview",
                    max_articles: int = 500, generated: str | None = None) -> str:
    """Return the corpus-overview report as one self-contained HTML string.

    All values from the articles (titles, text, paths, reasons) are escaped.

    Examples
    --------
    >>> arts = pd.DataFrame({"published": pd.to_datetime(["2024-01-02"], utc=True),
    ...     "source": ["<b>Site</b>"], "lang": ["en"], "title": ["<script>x</script>"],
    ...     "text": ["Body"], "n_words": [1]})
    >>> man = pd.DataFrame({"path": ["a.txt"], "status": ["loaded"], "reason": [""]})
    >>> page = render_overview(arts, man, generated="2024-01-03")
    >>> "<script>x" in page, "&lt;script&gt;x&lt;/script&gt;" in page
    (False, True)
    """
    from jinja2 import Environment

    # Here, not at the top: `newsscope report` draws its charts in the notebook's
    # kernel, and its own process need not pay for importing matplotlib.
    from analysis.plots import plot_article_counts

    summary = corpus_summary(articles, manifest)
    # Only dated articles can be counted per month; the summary says how many are undated.
    counts = article_counts(articles[articles["published"].notna()], freq="MS", by="source")
    chart = _png_base64(plot_article_counts(counts, title="Articles per month, by source")
                        ) if len(counts) else None
    langs, by_source = _source_language_rows(articles)
    flagged = manifest[(manifest["status"] != "loaded") | (manifest["reason"].fillna("") != "")]
    flagged = flagged.assign(reason=_with_original_titles(flagged, articles))
    shown = articles.sort_values("published", na_position="last", kind="stable").head(max_articles)
    rows = [{
        "published": _when(r.published),
        "source": r.source if isinstance(r.source, str) else "",
        "lang": r.lang if isinstance(r.lang, str) else "",
        "title": r.title if isinstance(r.title, str) else "(untitled)",
        "snippet": (r.text[:220] + "…") if len(r.text) > 220 else r.text,
        "n_words": r.n_words,
    } for r in shown.itertuples()]
    cards = [("input items", summary["n_items"]), ("articles", summary["articles"]),
             *[(status, n) for status, n in summary["by_status"].items() if status != "loaded"],
             ("sources", summary["sources"]), ("languages", summary["languages"])]
    env = Environment(autoescape=True)
    return report_html.render_page(env.from_string(_TEMPLATE).render(
        title=title, sources=list(sources), version=__version__,
        generated=generated or dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        summary=summary, cards=cards, chart=chart, langs=langs, by_source=by_source,
        problems=flagged.fillna("").to_dict("records"), articles=rows,
        more_articles=max(0, len(articles) - max_articles),
    ), title=title)


def write_html(html: str, path: str | os.PathLike) -> Path:
    """Write ``html`` to ``path`` atomically and return the path.

    The page is written to a temporary file in the same folder and renamed
    over the target, so a failed run never leaves a half-written report or
    destroys the previous one.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(html)
        # mkstemp makes the file private; a report is meant to be shared.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# ------------------------------------------------------------------ versioned reports

#: The report template inside the package: ``analysis/templates/report.ipynb``
#: (notebooks/4.01-report.ipynb is the same notebook, executed on the sample).
REPORT_TEMPLATE = "report.ipynb"
_MARKER_TEXT = "written by newsscope; the loader skips this folder\n"
# Letters NFKD does not split into a base letter and a mark.
_FOLD = str.maketrans({"ə": "e", "ı": "i", "ø": "o", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae"})


def slugify(text: str) -> str:
    """Return a folder-safe name for a report title (letters, digits and dashes).

    Examples
    --------
    >>> slugify("Baku daily: week 12 / 2024!"), slugify("Şəki: ölkə"), slugify("Новости")
    ('baku-daily-week-12-2024', 'seki-olke', 'новости')
    """
    folded = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    slug = re.sub(r"[\W_]+", "-", folded).strip("-")
    return slug[:60].strip("-") or "report"


def report_slug(title: str) -> str:
    """Return the report folder name of ``title``: unique per title, readable where possible.

    A plain title (words of letters and digits, single spaces or dashes
    between them, nothing the slug changes but case) keeps its slug; any other
    gets 8 hex digits of a hash of the exact title, so ``!!!`` and ``???``, or
    ``Oil & Gas`` and ``oil gas``, never share a folder.

    Examples
    --------
    >>> report_slug("Sample corpus"), report_slug("week-12")
    ('sample-corpus', 'week-12')
    >>> report_slug("Oil & Gas") != report_slug("oil gas") == "oil-gas"
    True
    >>> report_slug("!!!")[:7], report_slug("!!!") != report_slug("???")
    ('report-', True)
    """
    slug = slugify(title)
    plain = re.fullmatch(r"[^\W_]+(?:[ -][^\W_]+)*", title) is not None
    if plain and slug == re.sub(" ", "-", title.lower()):
        return slug
    digest = hashlib.sha256(title.encode("utf-8")).hexdigest()[:8]
    return f"{slug[:51].strip('-')}-{digest}"


def _report_root(out: str | os.PathLike, title: str) -> Path:
    """Return ``<out>/<slug>`` for ``title``, hashed if that folder holds another title's reports.

    Titles differing only in case or a space for a dash ("Oil gas", "oil-gas")
    have the same plain slug: the first one built keeps it.
    """
    base = Path(out).expanduser().resolve()
    root = base / report_slug(title)
    for manifest in sorted(root.glob("*/manifest.json")):
        try:
            other = json.loads(manifest.read_text(encoding="utf-8")).get("title")
        except (OSError, ValueError):
            continue
        if other is not None and other != title:
            digest = hashlib.sha256(title.encode("utf-8")).hexdigest()[:8]
            return base / f"{root.name[:51].strip('-')}-{digest}"
    return root


def report_template() -> Path:
    """Return the path of the report notebook template shipped in the package.

    Examples
    --------
    >>> report_template().name, report_template().is_file()
    ('report.ipynb', True)
    """
    template = resources.files("analysis") / "templates" / REPORT_TEMPLATE
    # An installed package on disk gives a real path; papermill needs one.
    return Path(str(template))


def code_fingerprint(notebook: str | os.PathLike | None = None) -> str:
    """Return a hash of the package's code and the report notebook.

    Part of a version's fingerprint: new code may compute other numbers, so
    it makes a new version instead of silently replacing an old one.
    ``notebook`` is the template the report runs (default :func:`report_template`).
    """
    digest = hashlib.blake2b(digest_size=8)
    package = Path(__file__).parent
    files = sorted(package.rglob("*.py")) + sorted(package.glob("stopwords/*.txt"))
    files.append(Path(notebook or report_template()))
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def input_fingerprint(sources: Sequence[str], params: dict) -> str:
    """Return 10 hex digits identifying the input files' contents and the parameters.

    Paths do not count, contents do: the same files copied elsewhere give the
    same fingerprint, one changed byte gives another. :func:`build_report`
    adds the code's fingerprint to ``params``.
    """
    digests = []
    for file in input_files(sources):
        digest = hashlib.sha256()
        with open(file, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        digests.append(digest.hexdigest())
    total = hashlib.sha256("\n".join(sorted(digests)).encode())
    total.update(json.dumps(params, sort_keys=True, default=str).encode())
    return total.hexdigest()[:10]


def list_versions(folder: str | os.PathLike) -> pd.DataFrame:
    """Return the finished versions under a report folder, newest first.

    Columns ``name``, ``created``, ``articles``, ``topics``, ``sources``,
    ``previous``, ``fingerprint`` and ``path``; folders without a
    ``manifest.json`` (unfinished) are skipped.
    """
    rows = []
    for manifest in Path(folder).glob("*/manifest.json"):
        if manifest.parent.name.startswith("."):
            continue
        try:
            info = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        rows.append({"name": manifest.parent.name, "created": info.get("created", ""),
                     "articles": info.get("counts", {}).get("articles"),
                     "topics": info.get("counts", {}).get("topics"),
                     "sources": ", ".join(info.get("parameters", {}).get("sources", [])),
                     "previous": info.get("previous") or "",
                     "fingerprint": info.get("fingerprint", ""), "path": manifest.parent})
    frame = pd.DataFrame(rows, columns=["name", "created", "articles", "topics", "sources",
                                        "previous", "fingerprint", "path"])
    return frame.sort_values(["created", "name"], ascending=False, ignore_index=True)


def _git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=config.PROJ_ROOT, timeout=10,
                              capture_output=True, text=True, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() or None if done.returncode == 0 else None


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9]+", "", socket.gethostname())[:20] or "host"


def _is_running(pid: str) -> bool:
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _remove_abandoned_builds(root: Path) -> None:
    """Sweep what killed runs left: build folders, and a version caught mid-swap.

    Hidden folders are named ``.build-<host>-<pid>-…`` and
    ``.old-<host>-<pid>-<version>``; a folder of this host whose process is
    gone was abandoned. An ``.old-`` folder whose version is missing goes back
    into place: the run died between its two renames.
    """
    host = _host()
    for folder in sorted(root.glob(".build-*")) + sorted(root.glob(".old-*")):
        kind, folder_host, pid, *rest = folder.name.split("-", 3) + ["", "", ""]
        if folder_host != host or _is_running(pid):
            continue
        version = root / (rest[0] if kind == ".old" else "")
        if kind == ".old" and rest[0] and not version.exists():
            os.rename(folder, version)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _handed_over(data: report_data.ReportData) -> report_data.ReportData:
    """Return ``data`` as the report notebook gets it: without the article texts.

    No section shows a body, and the texts are most of the bytes: the
    notebook's kernel would hold a second copy of the corpus (gigabytes at a
    million articles) and spend seconds unpickling it.
    """
    if "text" not in data.articles.columns:  # loaded on a cluster: no copy of every row
        return data
    return dataclasses.replace(data, articles=data.articles.drop(columns=["text"]))


def _forget_handoff(path: Path, *, home: Path, sources: Sequence[str],
                    previous: Path | None) -> None:
    # The shipped notebook must re-run from its sources: the data file it
    # was given lived in the build folder and is gone. Paths are written
    # relative to the version folder the notebook ends up in (``home``), as the
    # tables already are, so no local path is shared and the folder can move
    # together with its inputs.
    import nbformat

    relative = {"data_file": None,
                "sources": [os.path.relpath(os.path.abspath(s), home) for s in sources],
                "previous": os.path.relpath(previous, home) if previous else None}
    nb = nbformat.read(str(path), as_version=4)
    run = nb.metadata.get("papermill", {})
    run.get("parameters", {}).update(relative)
    # Not the build folder, nor where the package is installed.
    run.update(input_path=f"analysis/templates/{REPORT_TEMPLATE}", output_path=path.name)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            for name, value in relative.items():
                cell.source = re.sub(rf"^{name} = .*$", f"{name} = {value!r}", cell.source,
                                     flags=re.MULTILINE)
    nbformat.write(nb, str(path))


def _move_into_place(build: Path, target: Path) -> None:
    # os.replace cannot swap directories; keep the old one until the new one
    # is in place so that at every moment one complete version exists, and
    # put it back if the second rename fails (a kill in between is undone by
    # the next run's sweep).
    if not target.exists():
        os.rename(build, target)
        return
    old = target.with_name(f".old-{_host()}-{os.getpid()}-{target.name}")
    os.rename(target, old)
    try:
        os.rename(build, target)
    except BaseException:
        os.rename(old, target)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _previous_version(root: Path, name: str, previous) -> Path | None:
    """Return the version to compare with: given, or the newest other one.

    Rebuilding an existing version keeps the comparison it was built with,
    so the same input and parameters give the same topic ids again.
    """
    if previous != "auto":
        return Path(previous) if previous else None
    recorded = root / name / "manifest.json"
    if recorded.is_file():
        try:
            before = json.loads(recorded.read_text(encoding="utf-8")).get("previous")
        except ValueError:
            before = None
        return root / before if before and (root / before).is_dir() else None
    others = list_versions(root)
    others = others[others["name"] != name]
    return others["path"].iloc[0] if len(others) else None


_VERSIONS_PAGE = """<h1>{{ title }}</h1><p class="meta">{{ n }} version{{ "s" if n != 1 }},
newest first.</p><table class="sortable"><thead><tr><th>version</th><th>created (UTC)</th>
<th>articles</th><th>topics</th><th>inputs</th><th>compared with</th></tr></thead><tbody>
{% for v in versions %}<tr><td><a href="{{ v.name }}/index.html">{{ v.name }}</a></td>
<td>{{ v.created }}</td><td class="num">{{ v.articles }}</td><td class="num">{{ v.topics }}</td>
<td>{{ v.sources }}</td><td>{{ v.previous }}</td></tr>{% endfor %}</tbody></table>
<p class="meta">A version's name is its date and a fingerprint of its input files and
parameters; each folder holds the page, tables/*.csv, the executed notebook and
manifest.json.</p>"""


def _write_versions_index(root: Path, title: str) -> Path:
    from jinja2 import Environment

    versions = list_versions(root)
    body = Environment(autoescape=True).from_string(_VERSIONS_PAGE).render(
        title=title, n=len(versions), versions=versions.to_dict("records"))
    return write_html(report_html.render_page(body, title=f"{title}: versions"),
                      root / "index.html")


def build_report(sources: Sequence[str] | str, *, out: str | os.PathLike = config.REPORTS_DIR,
                 title: str | None = None, fmt: str = "auto",
                 columns: Mapping[str, str] | None = None, freq: str = "W", k="auto",
                 terms: Sequence[str] | None = None, focus: str | None = None,
                 since: str | None = None, previous: str | os.PathLike | None = "auto",
                 tz: str = "UTC", random_state: int = 0,
                 include_date_outliers: bool = False, cache: bool = True,
                 max_bytes: int = config.MAX_FILE_BYTES, progress: bool | None = None,
                 notebook: str | os.PathLike | None = None, n_jobs: int | None = None,
                 dask=None) -> Path:
    """Build a versioned HTML report for ``sources`` and return its ``index.html``.

    Parameters
    ----------
    sources : str or list of str
        Files, folders, globs or archives.
    out : path
        Reports folder; the report goes to ``<out>/<slug of title>/<YYYY-MM-DD>-<fingerprint>/``
        (:func:`report_slug`: one folder per exact title).
    title, fmt, columns, freq, k, terms, focus, since, tz, random_state
        As for :func:`analysis.report_data.compute_report_data`; ``fmt`` and
        ``columns`` say how to read the sources (``fmt="bbc"``,
        ``columns={"text": "story"}``), as for :func:`analysis.load_articles`.
    previous : "auto", path or None
        Version to compare with: ``"auto"`` takes the newest other version in
        the same report folder, ``None`` compares with nothing.
    include_date_outliers : bool
        Keep articles whose dates lie far from all the others in the time
        sections (by default they are listed in the summary and left out of
        them; see :func:`analysis.periods.date_outliers`).
    cache, max_bytes
        Reuse and store the parsed load; size limit of one input file; as for
        :func:`analysis.load_articles`.
    notebook : path, optional
        Report template; defaults to the package's :func:`report_template`.
    n_jobs : int, optional
        Processes that load and index the articles; ``None``: one per CPU.
        The report is the same for any value, so it is no part of the
        version's fingerprint.
    dask : "local", scheduler address, distributed.Client or None
        Load and tokenise on a Dask cluster (:mod:`analysis.cluster`); the
        report is the same as without, so this is no part of the
        fingerprint either.

    Notes
    -----
    Everything is written in a hidden build folder next to the versions and
    renamed into place at the end; a run that fails or is killed leaves the
    earlier versions and the versions index as they were, and a first
    version that fails leaves no empty report folder. The report folder
    holds an ``.newsscope-output`` marker file, so that a load of a folder
    containing it skips the reports.
    """
    check_dask(dask)
    sources = report_data.resolve_sources(sources)
    title = title or report_data.default_title(sources)
    template = Path(notebook or report_template())
    if not template.is_file():
        raise FileNotFoundError(f"report notebook not found: {template}")
    columns = dict(columns or {})
    # How the sources are read is part of a version: another reader gives other articles.
    # n_jobs is not: any number of processes gives the same report.
    params = {"title": title, "fmt": fmt, "columns": columns, "freq": freq, "k": str(k),
              "terms": list(terms or []), "focus": focus, "since": since, "tz": tz,
              "random_state": random_state, "include_date_outliers": include_date_outliers,
              "max_bytes": max_bytes, "code": code_fingerprint(template)}
    fingerprint = input_fingerprint(sources, params)
    created = dt.datetime.now(dt.UTC)
    name = f"{created:%Y-%m-%d}-{fingerprint}"
    # Absolute: the notebook runs in the build folder, not in our working directory.
    root = _report_root(out, title)
    made = _make_folders(root)
    try:
        _write_marker(root)
        _remove_abandoned_builds(root)
        target = _build_version(
            root, name, sources=sources, title=title, fmt=fmt, columns=columns, freq=freq, k=k,
            terms=terms, focus=focus, since=since, previous=_previous_version(root, name, previous),
            tz=tz, random_state=random_state, include_date_outliers=include_date_outliers,
            cache=cache, max_bytes=max_bytes, progress=progress, n_jobs=n_jobs, dask=dask,
            template=template,
            created=created,
            fingerprint=fingerprint, code=params["code"])
    except BaseException:
        _remove_if_unused(root, made)
        raise
    _write_versions_index(root, title)
    return target / "index.html"


def _engine(dask) -> str:
    """Return where a report's loading and indexing ran, for its manifest.

    Examples
    --------
    >>> _engine(None), _engine("local"), _engine("tcp://10.0.0.5:8786")
    ('local processes', 'dask local', 'dask tcp://10.0.0.5:8786')
    """
    if dask is None:
        return "local processes"
    return f"dask {dask if isinstance(dask, str) else dask.scheduler.address}"


def _make_folders(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created, outermost first."""
    missing = [p for p in (folder, *folder.parents) if not p.exists()][::-1]
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def _write_marker(root: Path) -> None:
    marker = root / OUTPUT_MARKER
    if not marker.is_file():
        marker.write_text(_MARKER_TEXT, encoding="utf-8")


def _remove_if_unused(root: Path, made: Sequence[Path]) -> None:
    """Remove a report root holding nothing but its marker, and the parents this run made.

    A root with anything else in it (a version, a versions index, another
    run's build folder) stays; a removed parent must be empty (``os.rmdir``).
    """
    try:
        if {p.name for p in root.iterdir()} - {OUTPUT_MARKER}:
            return
        (root / OUTPUT_MARKER).unlink(missing_ok=True)
        root.rmdir()
    except OSError:
        # Another run started writing here meanwhile: the folder is in use.
        if root.is_dir():
            _write_marker(root)
        return
    for folder in reversed(made):
        if folder != root:
            try:
                folder.rmdir()
            except OSError:
                return


def _tables_then_exporter(data, folder: Path) -> list[Path]:
    """Write the report's tables into ``folder``, import the HTML exporter; return the CSVs."""
    written = report_data.write_tables(report_data.report_tables(data), folder)
    import nbconvert  # noqa: F401  (imported once; the export after the notebook needs it)

    return written


def _build_version(root: Path, name: str, *, sources: list[str], title: str, fmt: str,
                   columns: dict, freq: str, k, terms, focus, since, previous: Path | None,
                   tz: str, random_state: int, include_date_outliers: bool, cache: bool,
                   max_bytes: int, progress: bool | None, n_jobs: int | None, dask,
                   template: Path,
                   created: dt.datetime, fingerprint: str, code: str) -> Path:
    """Build version ``name`` in a hidden folder under ``root``, move it into place, return it."""
    from tqdm.auto import tqdm

    bar = tqdm(total=3, desc="report", unit="step", leave=False,
               disable=None if progress is None else not progress)
    build = Path(tempfile.mkdtemp(dir=root, prefix=f".build-{_host()}-{os.getpid()}-"))
    handoff = build / ".report-data.pkl"
    try:
        bar.set_postfix_str("loading, topics, trends")
        # The notebook's kernel starts (seconds of imports) while the data is
        # computed, and runs its cells once the data is handed over.
        with NotebookRun(template, build / "report.ipynb", {
                "sources": sources, "title": title, "fmt": fmt, "columns": columns or None,
                "freq": freq, "k": str(k), "terms": list(terms or []), "focus": focus,
                "since": since, "previous": str(previous) if previous else None, "tz": tz,
                "random_state": random_state, "include_date_outliers": include_date_outliers,
                "data_file": str(handoff)}, cwd=build) as notebook:
            data = report_data.compute_report_data(
                sources, title=title, fmt=fmt, columns=columns or None, freq=freq, k=k,
                terms=terms, focus=focus, since=since, previous=previous, tz=tz,
                random_state=random_state, include_date_outliers=include_date_outliers,
                cache=cache, max_bytes=max_bytes, progress=progress, n_jobs=n_jobs, dask=dask)
            bar.update()
            bar.set_postfix_str("tables, running the report notebook")
            report_data.dump_report_data(_handed_over(data), handoff)
            # The tables are written while the notebook runs in its kernel (no
            # cell reads them): this process would otherwise only wait. So is
            # the HTML exporter imported (seconds), which the next step needs.
            with ThreadPoolExecutor(1) as pool:
                writing = pool.submit(_tables_then_exporter, data, build / "tables")
                notebook.run()
                written = writing.result()
        handoff.unlink()
        _forget_handoff(build / "report.ipynb", home=root / name, sources=sources,
                        previous=previous)
        bar.update()
        bar.set_postfix_str("exporting HTML")
        stamp = created.strftime("%Y-%m-%d %H:%M UTC")
        page = report_html.notebook_to_html(
            build / "report.ipynb", title=title,
            subtitle=f"Version {name} · generated {stamp}",
            footer=(f"newsscope {__version__} · input fingerprint {fingerprint} · tables in "
                    "tables/*.csv · executed notebook report.ipynb"))
        write_html(page, build / "index.html")
        manifest = {
            "name": name, "title": title, "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "package": "newsscope", "version": __version__, "git_commit": _git_commit(),
            "fingerprint": fingerprint, "code_fingerprint": code,
            "parameters": data.params,
            "counts": {"items": len(data.manifest), "articles": len(data.articles),
                       **{f"items_{s}": n for s, n in status_counts(data.manifest).items()},
                       "topics": len(data.topics), "bursts": len(data.bursts),
                       "date_outliers": data.window.get("n_date_outliers", 0)},
            "previous": data.params["previous"],
            "tables": {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in written},
            "versions": data.versions,
            # Where the loading ran: no part of the version (the tables are the same).
            "engine": _engine(dask),
        }
        (build / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n",
                                             encoding="utf-8")
        target = root / name
        # mkdtemp makes the folder private; a report is meant to be shared.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(build, 0o777 & ~umask)
        _move_into_place(build, target)
        bar.update()
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    finally:
        bar.close()
    return target
