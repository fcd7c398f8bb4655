# SPDX-License-Identifier: Apache-2.0
"""Shared plotting helpers of weft's post-processing tools (matplotlib, Agg):
checked image outputs."""
import os

import matplotlib

matplotlib.use("Agg")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

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
