# SPDX-License-Identifier: Apache-2.0
"""scxsnap: snapshots of BPF scheduler state, from Python.

    >>> import scxsnap
    >>> report = scxsnap.load("tests/data/sample_report.json")
    >>> report.var("nr_dispatched").value
    907

load() reads ktstr JSON (single, dual, degraded) and native snapshots;
load_series() reads what `scxsnap watch` writes; capture() reads the live
kernel (root). Values are borrowed from the loaded report and converted when
asked (exact integers: a u64 is never a float). Series become pandas data
frames with Series.frame() (pandas is imported only then).
"""

from __future__ import annotations

from . import errors
from ._scxsnap import (Entry, Field, Map, RenderedValue, Report, Series, Snapshot, Verdict,
                       __version__, capture, capture_to, load, load_series)
from .errors import *  # noqa: F401,F403  (the exception classes)
from .errors import ScxsnapError, SnapshotError

__all__ = ["load", "load_series", "capture", "capture_to", "Report", "Snapshot", "Map", "Entry",
           "Field", "RenderedValue", "Series", "Verdict", "ScxsnapError", "SnapshotError",
           "errors", "__version__"]


def _column_array(pd, values):
    """A pandas array for one projection: exact integers (UInt64 / Int64,
    missing samples as <NA>), booleans, or floats (NaN)."""
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return pd.array(values, dtype="boolean")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        if all(v >= 0 for v in present):
            return pd.array(values, dtype="UInt64")
        if all(-(1 << 63) <= v < (1 << 63) for v in present):
            return pd.array(values, dtype="Int64")
    return pd.array([float("nan") if v is None else float(v) for v in values], dtype="float64")


def _frame(self, projections, *, include_tags=True):
    """A pandas DataFrame of projections in check's grammar ("var:x",
    "map:m.cpu_sum(f)", "stats:...", "cpuN:..."), one row per sample,
    indexed by elapsed_ms, with `tag` and `step_index` columns. A sample that
    has no value (a placeholder, a key it lacks) is a gap (<NA> / NaN)."""
    import pandas as pd

    if isinstance(projections, str):
        projections = [projections]
    data = {}
    if include_tags:
        data["tag"] = pd.array(self.tags, dtype="string")
        data["step_index"] = pd.array(self.step_index, dtype="Int64")
    for p in projections:
        data[p] = _column_array(pd, self.column(p))
    index = pd.Index(pd.array(self.elapsed_ms, dtype="UInt64"), name="elapsed_ms")
    return pd.DataFrame(data, index=index)


Series.frame = _frame
