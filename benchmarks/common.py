"""Helpers shared by the benchmark scripts: result tables and a machine description."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def table(header: tuple[str, ...], rows: list[list[str]], markdown: bool, *,
          text_columns: int = 2) -> str:
    """Render rows as a Markdown table (first ``text_columns`` left-aligned) or plain text."""
    if markdown:
        align = "|".join(" --- " if i < text_columns else " ---: " for i in range(len(header)))
        lines = ["| " + " | ".join(header) + " |", "|" + align + "|"]
        return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True))
                     for r in [list(header), *rows])


def machine() -> str:
    """One line describing the machine and the library versions that matter here."""
    import pandas
    import sklearn

    return (f"nproc={os.cpu_count()} (usable {len(os.sched_getaffinity(0))}), "
            f"python {platform.python_version()}, pandas {pandas.__version__}, "
            f"scikit-learn {sklearn.__version__}, {platform.platform()}, "
            f"load average {os.getloadavg()[0]:.1f}")


def load_average() -> str:
    """The 1, 5 and 15-minute load averages, for runs on a shared machine."""
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def code_version() -> str:
    """Fingerprint of the code a fit runs: the analysis package's sources, numpy, sklearn.

    Others may commit while a long run goes on; a run that spans two versions says so.
    """
    import numpy
    import sklearn

    digest = hashlib.sha256()
    for path in sorted((REPO / "analysis").rglob("*.py")):
        digest.update(path.read_bytes())
    return f"{digest.hexdigest()[:10]}/np{numpy.__version__}/skl{sklearn.__version__}"


def git_head() -> str:
    """The short commit of the checkout, marked when analysis/ has uncommitted changes."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True,
                              text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD")
    if not head:
        return f"none ({REPO} is not a git checkout)"
    dirty = git("status", "--porcelain", "--", "analysis")
    return head + (" (analysis/ modified)" if dirty else "")


def run_footer(results: list[dict], key: str) -> str:
    """The closing lines of a benchmark run: code fingerprints, failed fits, time and load.

    ``key`` names the field that identifies a case in ``results`` (``"k"``, ``"case"``).
    """
    versions = sorted({r["version"] for r in results if "version" in r})
    failed = [f"{r[key]}: {r['failed']}" for r in results if "failed" in r]
    lines = [f"\nCode fingerprint of the fits: {', '.join(versions)}"
             + (" -- WARNING: the code changed during the run, the fits are not comparable"
                if len(versions) > 1 else "")]
    if failed:
        lines.append("Failed fits: " + "; ".join(failed))
    lines.append(f"\nFinished {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {load_average()}")
    return "\n".join(lines)
