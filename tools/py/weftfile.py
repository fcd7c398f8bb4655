# SPDX-License-Identifier: Apache-2.0
"""Shared helpers of weft's post-processing tools: opening weft outputs and
reading their series with h5py (Debian python3-h5py under /usr/bin/python3),
and the error handling every tool shares: a mistake of the user (a missing or
wrong file, a bad option value, an output that cannot be written) is raised as
UserError and `run(main)` turns it into one line on stderr,
"TOOL: error: WHAT (HOW TO FIX)", and exit status 2, never a traceback."""
import argparse
import errno
import math
import os
import signal
import sys

import h5py

USER_ERROR = 2  # the exit status of every user error (as argparse's)


class UserError(Exception):
    """A mistake in the command line or its files: the message names what is
    wrong, where, and how to fix it; `run` prints it and exits 2."""


class NotWeftFile(UserError):
    pass


def _tool_name():
    return os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "tool"


def run(main):
    """Runs a tool's main(): UserError and the OSError of a file the tool
    opens become one line on stderr and exit 2; a reader that goes away
    (`tool | head`) ends the tool quietly, as it would `cat`; Ctrl-C ends it
    with status 130 and no traceback. main's return value is the exit status."""
    # Python ignores SIGPIPE and raises BrokenPipeError on the next write;
    # the default action ends the process silently when its reader is gone.
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        status = main()
    except UserError as e:
        _die(str(e))
    except OSError as e:
        # A file the tool itself opens (inputs are checked before this).
        _die(describe_os_error(e))
    except KeyboardInterrupt:
        sys.exit(130)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        pass
    sys.exit(status or 0)


def _die(message):
    error(message)
    sys.exit(USER_ERROR)


def error(message):
    """Prints MESSAGE as the tool's one-line error ("TOOL: error: ...") and
    returns the exit status of a user error, for tools that go on with
    their other inputs."""
    print(f"{_tool_name()}: error: {message}", file=sys.stderr)
    return USER_ERROR


def describe_os_error(e):
    """One line for an OSError: the file, what went wrong, how to fix it."""
    where = e.filename if e.filename is not None else "a file"
    hints = {
        errno.ENOENT: "check the path",
        errno.EACCES: "check the permissions or choose another path",
        errno.EISDIR: "it is a directory: give a file",
        errno.ENOTDIR: "a part of the path is not a directory",
        errno.ENOSPC: "free some space or choose another disk",
        errno.EROFS: "choose a writable location",
    }
    hint = hints.get(e.errno)
    return f"{where}: {e.strerror or e}" + (f" ({hint})" if hint else "")


# --- command-line values ----------------------------------------------------

def positive_int(text):
    """argparse type: an integer > 0."""
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an integer; give a whole number > 0") from None
    if v <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not > 0; give a whole number > 0")
    return v


def positive_float(text):
    """argparse type: a finite number > 0."""
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number; give a number > 0") from None
    if not math.isfinite(v) or v <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a finite number > 0; give a number > 0")
    return v


def input_file(path, what="input"):
    """Checks that PATH is an existing, readable regular file; UserError
    otherwise."""
    if not os.path.exists(path):
        raise UserError(f"{path}: no such file (check the path; weft writes its outputs under output.dir)")
    if os.path.isdir(path):
        raise UserError(f"{path}: is a directory, not a file (give the {what} inside it)")
    if not os.access(path, os.R_OK):
        raise UserError(f"{path}: not readable (check its permissions)")
    return path


def output_file(path, option="-o"):
    """Checks, before any work, that PATH can be written: its directory
    exists and is writable and PATH is not a directory; UserError otherwise."""
    if not path:
        raise UserError(f"{option}: empty path; give a file name")
    if os.path.isdir(path):
        raise UserError(f"{option} {path}: is a directory; give a file name (e.g. {os.path.join(path, 'out.png')})")
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.exists(parent):
        raise UserError(f"{option} {path}: directory {parent} does not exist (create it or choose another path)")
    if not os.path.isdir(parent):
        raise UserError(f"{option} {path}: {parent} is not a directory (choose another path)")
    if not os.access(parent, os.W_OK | os.X_OK) or (os.path.exists(path) and not os.access(path, os.W_OK)):
        raise UserError(f"{option} {path}: not writable (check the permissions or choose another path)")
    return path


# --- weft outputs -------------------------------------------------------------

def open_output(path):
    """Opens a weft HDF5 output read-only; raises NotWeftFile with a clear
    message when it is not one."""
    input_file(path, "weft output")
    try:
        f = h5py.File(path, "r")
    except (OSError, IOError) as e:
        raise NotWeftFile(f"{path}: cannot open as HDF5 ({e}); give a file weft wrote "
                          "(trajectory.h5md, thermo.h5, ckpt-*.h5, trace.h5)") from None
    if "parameters" not in f or "deck" not in f["parameters"]:
        f.close()
        raise NotWeftFile(f"{path}: an HDF5 file but not a weft output (no /parameters/deck); give a file weft "
                          "wrote (trajectory.h5md, thermo.h5, ckpt-*.h5, trace.h5)")
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


def parse_frames(spec, n, option="--frames"):
    """Frame selection of a trajectory of N frames: "all", one index, or
    "start:stop:step" (Python slice semantics, negative counts from the end).
    Returns the list of frame indices; UserError when the text is malformed,
    the index does not exist or the slice selects no frame."""
    have = f"the file has {n} frame{'s' if n != 1 else ''}" + (f", 0..{n - 1}" if n else "")
    if spec is None or spec.strip() in ("", "all"):
        chosen = list(range(n))
    else:
        parts = spec.split(":")
        if len(parts) > 3 or not all(p.strip().lstrip("-").isdigit() or p.strip() == "" for p in parts) \
                or (len(parts) == 1 and not parts[0].strip()):
            raise UserError(f"{option} '{spec}': not a frame selection; use an index or start:stop:step, "
                            "e.g. 10::2")
        nums = [int(p) if p.strip() else None for p in parts] + [None] * (3 - len(parts))
        if len(parts) == 1:
            if not -n <= nums[0] < n:
                raise UserError(f"{option} '{spec}': no such frame ({have})")
            return [range(n)[nums[0]]]
        if nums[2] == 0:
            raise UserError(f"{option} '{spec}': the step must not be 0")
        chosen = list(range(n))[slice(*nums)]
    if not chosen:
        raise UserError(f"{option} '{spec}': selects no frame ({have})")
    return chosen
