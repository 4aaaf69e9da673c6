"""Where a chart is drawn: a new pyplot figure, or the caller's Axes or (Sub)Figure.

A chart given no ``ax`` creates its figure through pyplot, as matplotlib's own
functions do, so ``plt.show()`` and Jupyter's inline backend show it. The
figure is a :class:`ChartFigure`: a notebook shows it once, whether it is the
cell's result or not (see the class).
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
from matplotlib._pylab_helpers import Gcf
from matplotlib.axes import Axes
from matplotlib.figure import Figure, FigureBase

#: Smallest and largest figure (inches) a chart creates, whatever its input.
MIN_FIGSIZE = (3.0, 2.0)
MAX_FIGSIZE = (14.0, 16.0)

_INLINE_BACKENDS = frozenset({"inline", "module://matplotlib_inline.backend_inline"})


class ChartFigure(Figure):
    """The Figure a chart creates through pyplot; a Jupyter notebook shows it once.

    A pyplot figure that is also a cell's result is shown twice by the inline
    backend: once as the result, and again when the cell ends (the backend shows
    every figure pyplot still holds). When IPython displays a ChartFigure that
    pyplot still holds under the inline backend, the figure is shown and then
    closed in pyplot, so the end of the cell does not show it a second time.
    Anywhere else (scripts, other backends, a closed figure) it is a plain Figure.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig = plt.figure(FigureClass=ChartFigure)
    >>> fig
    <Figure size 640x480 with 0 Axes>
    >>> plt.close(fig)
    """

    _displaying = False

    def __repr__(self) -> str:
        # The text/plain beside a notebook's PNG: the same as any Figure's.
        return super().__repr__().replace(type(self).__name__, "Figure", 1)

    @property
    def _ipython_display_(self):
        # IPython calls this when it is callable; None lets IPython format the
        # figure as any other (matplotlib's PNG formatter).
        if self._displaying or not (_held_by_pyplot(self) and _inline_backend()):
            return None
        return self._display_and_close

    def _display_and_close(self) -> None:
        from IPython.display import display

        self._displaying = True
        try:
            display(self)
        finally:
            self._displaying = False
            plt.close(self)  # shown: the inline backend must not show it again


def _held_by_pyplot(fig: Figure) -> bool:
    manager = fig.canvas.manager
    return manager is not None and Gcf.figs.get(manager.num) is manager


def _inline_backend() -> bool:
    return matplotlib.get_backend() in _INLINE_BACKENDS


def bounded(figsize: tuple[float, float]) -> tuple[float, float]:
    """Return ``figsize`` clipped to :data:`MIN_FIGSIZE` .. :data:`MAX_FIGSIZE`.

    Examples
    --------
    >>> bounded((8, 500))
    (8.0, 16.0)
    """
    return tuple(float(min(max(v, low), high))
                 for v, low, high in zip(figsize, MIN_FIGSIZE, MAX_FIGSIZE, strict=True))


def new_figure(figsize: tuple[float, float]) -> ChartFigure:
    """Return a new constrained-layout pyplot figure of ``figsize``, bounded."""
    return plt.figure(figsize=bounded(figsize), layout="constrained", FigureClass=ChartFigure)


def check_axes(ax, func: str) -> None:
    if not isinstance(ax, Axes):
        hint = (": pick one of them, e.g. axes[0]" if hasattr(ax, "__len__")
                and not isinstance(ax, str) else "")
        raise TypeError(f"{func}: ax must be one matplotlib Axes (e.g. from plt.subplots()), "
                        f"got {type(ax).__name__}{hint}")


def figure_and_axes(ax, figsize: tuple[float, float], *, func: str) -> tuple[Figure, Axes]:
    """Return ``(figure, axes)`` to draw on: ``ax`` and its root figure, or a new figure."""
    if ax is None:
        fig = new_figure(figsize)
        return fig, fig.add_subplot()
    check_axes(ax, func)
    return ax.get_figure(root=True), ax


def panel_container(ax, fig, figsize: tuple[float, float], *, func: str
                    ) -> tuple[Figure, FigureBase]:
    """Return ``(root figure, container)`` for a multi-panel chart.

    The container is ``fig`` (an empty Figure or SubFigure), a SubFigure that
    takes the place of ``ax`` in its grid, or a new figure of ``figsize``.
    """
    if ax is not None and fig is not None:
        raise ValueError(f"{func}: pass ax or fig, not both")
    if fig is not None:
        if not isinstance(fig, FigureBase):
            raise TypeError(f"{func}: fig must be a matplotlib Figure or SubFigure (e.g. "
                            f"plt.figure().subfigures(1, 2)[0]), got {type(fig).__name__}")
        held = [f"{n} {what}" for n, what in ((len(fig.axes), "Axes"),
                                              (len(fig.subfigs), "SubFigures")) if n]
        if held:
            raise ValueError(f"{func}: fig already holds {' and '.join(held)}; pass an empty "
                             "Figure or SubFigure (e.g. plt.figure().subfigures(1, 2)[0]), or "
                             "ax= to put the panels in that Axes' place")
        return fig.get_figure(root=True), fig
    if ax is None:
        new = new_figure(figsize)
        return new, new
    check_axes(ax, func)
    spec = ax.get_subplotspec()
    if spec is None:
        raise ValueError(f"{func}: ax must sit in a grid (plt.subplots, fig.add_subplot); "
                         "an Axes placed by position has no slot for the panels")
    parent = ax.get_figure(root=False)
    ax.remove()
    return parent.get_figure(root=True), parent.add_subfigure(spec)
