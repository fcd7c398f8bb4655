# SPDX-License-Identifier: Apache-2.0
"""Shared plotting helpers of weft's post-processing tools (matplotlib, Agg):
colours per run, a legend outside the data, checked image outputs."""
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
import numpy as np  # noqa: E402

from weftfile import UserError, output_file  # noqa: E402


def image_file(path, option="-o"):
    """Checks that PATH can be written and that matplotlib can write its
    format (from the extension; none means PNG); UserError otherwise."""
    output_file(path, option)
    ext = os.path.splitext(path)[1].lstrip(".").lower()
    formats = FigureCanvasAgg.get_supported_filetypes()
    if ext and ext not in formats:
        raise UserError(f"{option} {path}: matplotlib cannot write .{ext} images; use one of "
                        f"{', '.join('.' + f for f in sorted(formats))} (e.g. .png, .pdf, .svg)")
    return path


def run_colours(n):
    """N distinct colours, one per run: tab10, then evenly spaced viridis
    for more than ten runs."""
    if n <= 10:
        return [plt.cm.tab10(i) for i in range(n)]
    return [plt.cm.viridis(x) for x in np.linspace(0.0, 0.95, n)]


def legend_below(fig, handles, **kw):
    """A figure legend centred below every axes, outside the data: the
    figure grows by the legend's height and tight_layout keeps the axes
    above it; as many columns as fit the figure's width."""
    renderer = fig.canvas.get_renderer()
    leg = None
    for ncol in range(len(handles), 0, -1):
        if leg is not None:
            leg.remove()
        leg = fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=ncol,
                         frameon=False, **kw)
        if leg.get_window_extent(renderer).width <= 0.98 * fig.bbox.width:
            break
    h_in = leg.get_window_extent(renderer).height / fig.dpi
    fig.set_figheight(fig.get_figheight() + h_in)
    fig.tight_layout(rect=(0.0, (h_in + 0.05) / fig.get_figheight(), 1.0, 1.0))
    return leg
