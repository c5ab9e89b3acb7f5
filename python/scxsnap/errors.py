# SPDX-License-Identifier: Apache-2.0
"""scxsnap's exceptions.

Every error of the library is a ScxsnapError. Errors of the library's
operations (a file that is not a dump, no permission to capture, a malformed
assertion) are raised as the subclass of their code; errors of the Snapshot
API are SnapshotError subclasses named after ktstr's error kinds, with the
same message and the structured fields of the error as attributes (for
instance VarNotFound.available: the names that are there).
"""

from __future__ import annotations

import json as _json
from typing import Any


class ScxsnapError(Exception):
    """Any error scxsnap raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(ScxsnapError, ValueError):
    """Bad usage: an option, an expression, a keyword argument."""


class BadInput(ScxsnapError, ValueError):
    """A malformed file or document (JSON, BTF, a native snapshot)."""


class NotFound(ScxsnapError, LookupError):
    """What was asked for is absent (a file, a map to capture)."""


class PermissionDenied(ScxsnapError, PermissionError):
    """A capability or a file permission is missing."""


class Unsupported(ScxsnapError):
    """The kernel lacks the feature."""


class IoError(ScxsnapError, OSError):
    """A read or a write failed."""


class InternalError(ScxsnapError):
    """A bug in scxsnap."""


# In the order of scxsnap::ErrorCode.
_BY_CODE = [InvalidArgument, BadInput, NotFound, PermissionDenied, Unsupported, IoError,
            InternalError]


_RESERVED = frozenset({"kind", "fields", "message", "args"})


class SnapshotError(ScxsnapError):
    """An error of the Snapshot API. `kind` is ktstr's variant name, `fields`
    its structured fields, each also an attribute (except a field named like
    one of these attributes, as NotAStruct's `kind`: it is in `fields` only)."""

    def __init__(self, message: str, kind: str = "", fields: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.kind = kind or type(self).__name__
        self.fields = dict(fields or {})
        for key, value in self.fields.items():
            if key not in _RESERVED:
                setattr(self, key, value)


class MapNotFound(SnapshotError, LookupError):
    """No map of that name: `requested`, `available`."""


class VarNotFound(SnapshotError, LookupError):
    """No global of that name: `requested`, `available`."""


class AmbiguousVar(SnapshotError, LookupError):
    """Several objects define the name: `requested`, `found_in`."""


class FieldNotFound(SnapshotError, LookupError):
    """No such member: `requested`, `walked`, `component`, `available`."""


class NotAStruct(SnapshotError, TypeError):
    """A path went through a value that has no members: `requested`, `walked`,
    `component`, `kind`."""


class TypeMismatch(SnapshotError, TypeError):
    """The value is not of the kind asked for: `expected`, `actual`, `requested`."""


class IndexOutOfRange(SnapshotError, IndexError):
    """An entry index past the map's length: `map`, `index`, `len`."""


class PerCpuSlot(SnapshotError, IndexError):
    """A CPU the per-CPU value has no slot for: `map`, `cpu`, `len`, `unmapped`."""


class NoMatch(SnapshotError, LookupError):
    """No entry matched: `map`, `op`, `len`, `available_keys`."""


class EmptyPathComponent(SnapshotError, ValueError):
    """A path with an empty component ('a..b'): `requested`."""


class PerCpuNotNarrowed(SnapshotError):
    """A per-CPU value read without choosing a CPU (use .cpu(n) or cpu_sum): `map`."""


class NoRendered(SnapshotError):
    """The map's key or value has no rendered form: `map`, `side`."""


class PlaceholderSample(SnapshotError):
    """A sample of a series that holds no report: `tag`, `reason`."""


class MissingStats(SnapshotError):
    """A sample without scheduler statistics: `tag`, `reason`."""


class HostFieldUnavailable(SnapshotError):
    """A host field a sample lacks: `tag`, `cpu`."""


class PlaceholderSnapshot(SnapshotError):
    """The report is a placeholder: `tag`."""


class NoActiveScheduler(SnapshotError):
    """active() where no scheduler is active: `reason`."""


class ActiveFilterExcludedMaps(SnapshotError, LookupError):
    """The active view hides the map asked for: `requested`, `active_obj`, ..."""


class WalkerDriftedWithinPhase(SnapshotError):
    """A live_var's object changed within a phase of a series."""


class ProjectionFailed(SnapshotError):
    """A series projection failed: `reason`."""


class MapRenderIncomplete(SnapshotError):
    """The map was not rendered whole: `map`, `error`."""


_BY_KIND = {cls.__name__: cls for cls in [
    MapNotFound, VarNotFound, AmbiguousVar, FieldNotFound, NotAStruct, TypeMismatch,
    IndexOutOfRange, PerCpuSlot, NoMatch, EmptyPathComponent, PerCpuNotNarrowed, NoRendered,
    PlaceholderSample, MissingStats, HostFieldUnavailable, PlaceholderSnapshot,
    NoActiveScheduler, ActiveFilterExcludedMaps, WalkerDriftedWithinPhase, ProjectionFailed,
    MapRenderIncomplete]}


def _snapshot_error(kind: str, message: str, payload_json: str) -> SnapshotError:
    """The exception for a Snapshot error (called by the extension module)."""
    try:
        fields = _json.loads(payload_json).get(kind)
    except (ValueError, AttributeError):
        fields = None
    cls = _BY_KIND.get(kind, SnapshotError)
    return cls(message, kind, fields if isinstance(fields, dict) else {})


def _library_error(code: int, message: str) -> ScxsnapError:
    """The exception for a library error (called by the extension module)."""
    cls = _BY_CODE[code] if 0 <= code < len(_BY_CODE) else ScxsnapError
    return cls(message)
