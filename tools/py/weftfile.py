# SPDX-License-Identifier: Apache-2.0
"""Shared helpers of weft's post-processing tools: opening weft outputs and
reading their series with h5py (Debian python3-h5py under /usr/bin/python3)."""
import sys

import h5py
import numpy as np


class NotWeftFile(Exception):
    pass


def open_output(path):
    """Opens a weft HDF5 output read-only; raises NotWeftFile with a clear
    message when it is not one."""
    try:
        f = h5py.File(path, "r")
    except (OSError, IOError) as e:
        raise NotWeftFile(f"{path}: cannot open as HDF5 ({e})") from None
    if "parameters" not in f or "deck" not in f["parameters"]:
        f.close()
        raise NotWeftFile(f"{path}: not a weft output (no /parameters/deck)")
    return f


def attr_text(obj, name, default=""):
    v = obj.attrs.get(name, default)
    return v.decode() if isinstance(v, bytes) else str(v)


def kind(f):
    return attr_text(f["parameters"], "kind", "unknown")


def frames(f):
    """Number of complete frames of a trajectory: the length of
    position/value (a run killed while committing a frame may leave other
    series one frame longer; that frame is not complete). None for other
    files."""
    if "particles/trajectory/position/value" not in f:
        return None
    return f["particles/trajectory/position/value"].shape[0]


def observables(f):
    """Returns {name: (step, time, value)} of the /observables series, cut
    to the complete frames in a trajectory."""
    out = {}
    if "observables" not in f:
        return out
    n = frames(f)
    for name, g in f["observables"].items():
        if isinstance(g, h5py.Group) and "value" in g:
            m = min(len(g["step"]), len(g["time"]), len(g["value"]))
            m = m if n is None else min(m, n)
            out[name] = (g["step"][:m], g["time"][:m], g["value"][:m])
    return out


def fail(message, code=2):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(code)


def parse_frames(spec, n):
    """Frame selection "start:stop:step" (Python slice semantics) or "all"."""
    if spec in (None, "", "all"):
        return list(range(n))
    parts = spec.split(":")
    if len(parts) > 3 or not all(p.strip().lstrip("-").isdigit() or p.strip() == "" for p in parts):
        raise ValueError(f"bad frame selection '{spec}': use start:stop:step, e.g. 10::2")
    nums = [int(p) if p.strip() else None for p in parts] + [None] * (3 - len(parts))
    if len(parts) == 1:
        return [range(n)[nums[0]]]
    return list(range(n))[slice(*nums)]


def finite(a):
    return np.all(np.isfinite(a))
