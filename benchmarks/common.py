"""Helpers shared by the benchmark scripts: result tables and a machine description."""

from __future__ import annotations

import os
import platform


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
