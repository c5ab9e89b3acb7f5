# SPDX-License-Identifier: Apache-2.0
"""Errors as exceptions: one class per Snapshot error kind, with ktstr's
message and its structured fields; library errors by their code."""

import pytest
import scxsnap
import subprocess

from conftest import CLI, DATA
from scxsnap import errors


@pytest.fixture(scope="module")
def report():
    return scxsnap.load(str(DATA / "sample_report.json"))


def test_var_not_found_names_what_is_there(report):
    with pytest.raises(errors.VarNotFound) as e:
        report.var("no_such_global")
    assert e.value.kind == "VarNotFound"
    assert e.value.requested == "no_such_global"
    assert "nr_dispatched" in e.value.available
    assert "no_such_global" in str(e.value)
    assert isinstance(e.value, errors.SnapshotError) and isinstance(e.value, LookupError)


def test_map_not_found(report):
    with pytest.raises(errors.MapNotFound) as e:
        report.map("no_such_map")
    assert e.value.requested == "no_such_map"
    assert e.value.available


def test_field_not_found(report):
    bss = [n for n in report.snapshot().maps if n.endswith(".bss")][0]
    with pytest.raises(errors.FieldNotFound) as e:
        report.map(bss).value.get("no_such_member")
    assert "nr_dispatched" in e.value.available


def test_not_a_struct(report):
    with pytest.raises(errors.NotAStruct):
        report.var("nr_dispatched").get("deeper")


def test_type_mismatch(report):
    with pytest.raises(errors.TypeMismatch) as e:
        report.var("nr_dispatched").as_str()
    assert isinstance(e.value, TypeError)
    assert e.value.expected


def test_index_out_of_range():
    r = scxsnap.load(str(DATA / "native" / "small.scxsnap"))
    with pytest.raises(errors.IndexOutOfRange) as e:
        r.map("big_hash").at(10**6)
    assert e.value.len == len(r.map("big_hash"))


def test_empty_path_component(report):
    bss = [n for n in report.snapshot().maps if n.endswith(".bss")][0]
    with pytest.raises(errors.EmptyPathComponent):
        report.map(bss).value.get("a..b")


def test_the_message_is_the_cli_s(report):
    with pytest.raises(errors.VarNotFound) as e:
        report.var("no_such_global")
    r = subprocess.run([CLI, "var", str(DATA / "sample_report.json"), "no_such_global"],
                       capture_output=True, text=True)
    assert r.returncode != 0
    # The CLI shortens the list of names; what comes before it is the same.
    assert e.value.message.split(" (available")[0] in r.stderr


def test_library_errors_by_code(tmp_path):
    with pytest.raises(errors.NotFound):
        scxsnap.load(str(tmp_path / "absent.json"))
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(errors.BadInput) as e:
        scxsnap.load(str(bad))
    assert "bad.json" in str(e.value) or "line" in str(e.value) or e.value.message
    with pytest.raises(errors.InvalidArgument):
        scxsnap.capture(no_such_option=1)
    assert issubclass(errors.PermissionDenied, PermissionError)
    assert issubclass(errors.IoError, OSError)


# Every kind, from its externally tagged JSON (the library's own form).
EVERY_KIND = {
    "MapNotFound": {"requested": "m", "available": ["a", "b"]},
    "VarNotFound": {"requested": "x", "available": ["a", "b"]},
    "AmbiguousVar": {"requested": "x", "found_in": ["o1.bss", "o2.bss"]},
    "FieldNotFound": {"requested": "a.q", "walked": "a", "component": "q", "available": ["x"]},
    "NotAStruct": {"requested": "a.b", "walked": "a", "component": "b", "kind": "Uint"},
    "TypeMismatch": {"expected": "u64", "actual": "Struct", "requested": "a.b"},
    "IndexOutOfRange": {"map": "m", "index": 9, "len": 4},
    "PerCpuSlot": {"map": "m", "cpu": 7, "len": 4, "unmapped": False},
    "NoMatch": {"map": "m", "op": "find", "len": 3, "available_keys": ["1", "2"]},
    "EmptyPathComponent": {"requested": "a..b"},
    "PerCpuNotNarrowed": {"map": "pcpu"},
    "NoRendered": {"map": "m", "side": "value"},
    "PlaceholderSample": {"tag": "t", "reason": "timed out"},
    "MissingStats": {"tag": "t", "reason": "NoSchedulerBinary"},
    "HostFieldUnavailable": {"tag": "t", "cpu": 3},
    "PlaceholderSnapshot": {"tag": None},
    "NoActiveScheduler": {"reason": "no struct_ops"},
    "ActiveFilterExcludedMaps": {"requested": "m", "active_obj": "o",
                                 "excluded_maps": [{"name": "o.bss", "map_kva": 0}],
                                 "whitelist_kvas": [1]},
    "WalkerDriftedWithinPhase": {"phase": "Phase 1", "pinned_kvas": [1], "sample_kvas": [2],
                                 "requested": "x"},
    "ProjectionFailed": {"reason": "r"},
    "MapRenderIncomplete": {"map": "m", "error": "cut"},
}


@pytest.mark.parametrize("kind", sorted(EVERY_KIND))
def test_every_kind_is_its_own_class_with_its_fields(kind):
    import json
    from scxsnap import _scxsnap
    assert set(EVERY_KIND) == set(errors._BY_KIND)
    with pytest.raises(errors.SnapshotError) as e:
        _scxsnap._raise_snapshot_error(json.dumps({kind: EVERY_KIND[kind]}))
    assert type(e.value).__name__ == kind
    assert e.value.kind == kind
    assert str(e.value) == e.value.message and e.value.message
    for field, value in EVERY_KIND[kind].items():
        assert field in e.value.fields
        assert e.value.fields[field] == value or isinstance(value, (list, dict)), field
        if field not in ("kind", "fields", "message", "args"):
            assert getattr(e.value, field) == e.value.fields[field], field
