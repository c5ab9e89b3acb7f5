# SPDX-License-Identifier: Apache-2.0
"""Reports from Python: every kind of shipped file, values as the CLI prints
them, exact integers, JSON as `convert` writes it, HTML as `report` writes it."""

import threading

import pytest
import scxsnap
from conftest import CLI, DATA, cli


@pytest.mark.parametrize("name,schema", [("sample_report.json", "single"),
                                         ("dual_report.json", "dual"),
                                         ("degraded_report.json", "degraded"),
                                         ("native/small.scxsnap", "single")])
def test_every_kind_of_dump_loads_and_says_which_it_is(name, schema):
    r = scxsnap.load(str(DATA / name))
    assert r.schema == schema
    assert r.source.endswith(name)


def test_a_global_is_what_the_cli_prints():
    r = scxsnap.load(str(DATA / "sample_report.json"))
    assert r.var("nr_dispatched").value == 907
    assert int(r.var("nr_dispatched")) == int(cli("var", DATA / "sample_report.json", "nr_dispatched"))
    assert r.snapshot().var("nr_dispatched").as_u64() == 907
    assert isinstance(r.var("nr_dispatched").value, int)


def test_u64_values_are_exact_near_two_to_the_64():
    r = scxsnap.load(str(DATA / "native" / "small.scxsnap"))
    m = r.map("big_hash")
    values = [e.get("a").value for e in m]
    assert 18446744073709551615 in values  # 2**64 - 1, not a float's 1.8446744073709552e19
    e = m.find(lambda e: e.get("a").value == 2**64 - 1)
    assert e is not None and e.get("a").as_u64() == 2**64 - 1
    with pytest.raises(scxsnap.errors.TypeMismatch):
        e.get("a").as_i64()  # does not fit: an error, not a wrap


def test_maps_entries_and_the_cli_agree():
    path = DATA / "native" / "small.scxsnap"
    r = scxsnap.load(str(path))
    m = r.map("big_hash")
    assert len(m) == len(m.entries()) == len(list(m))
    printed = cli("map", path, "big_hash").splitlines()
    assert len(printed) == len(m)
    first = m.at(0).to_python()
    assert set(first) == {"key", "value"}
    assert m[-1].to_python() == m.at(len(m) - 1).to_python()


def test_a_struct_converts_to_a_dict_in_member_order():
    r = scxsnap.load(str(DATA / "sample_report.json"))
    bss = [n for n in r.snapshot().maps if n.endswith(".bss")][0]
    v = r.map(bss).value
    d = v.to_python()
    assert list(d)[0] == "nr_dispatched" and d["nr_dispatched"] == 907
    raw = v.raw
    assert raw.kind == "struct" and raw.keys()[0] == "nr_dispatched"
    assert raw["nr_dispatched"].to_python() == 907
    assert v["nr_dispatched"].value == 907


def test_to_json_is_what_convert_writes(tmp_path):
    for name in ["full_report.json", "sample_report.json", "dual_report.json",
                 "degraded_report.json"]:
        for pretty in (False, True):
            out = tmp_path / f"{name}.{pretty}.json"
            cli("convert", DATA / name, out, *(["--pretty"] if pretty else []))
            text = scxsnap.load(str(DATA / name)).to_json(pretty=pretty)
            # convert ends its output with a newline where its input ends with one.
            newline = "\n" if (DATA / name).read_text().endswith("\n") else ""
            assert text + newline == out.read_text(), name


def test_html_is_the_page_report_writes(tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    scxsnap.load(str(DATA / "sample_report.json")).html(str(a))
    cli("report", DATA / "sample_report.json", "-o", b)
    assert a.read_bytes() == b.read_bytes()
    with pytest.raises(scxsnap.errors.BadInput, match="needs a series"):
        scxsnap.load(str(DATA / "sample_report.json")).html(str(a), expect=["nondecreasing(var:x)"])


def test_a_dual_dump_has_two_snapshots():
    r = scxsnap.load(str(DATA / "dual_report.json"))
    late, early = r.snapshot(), r.snapshot(early=True)
    assert late.var("nr_dispatched").value == 907
    assert early.maps is not None


def test_reads_from_several_threads_agree():
    r = scxsnap.load(str(DATA / "native" / "small.scxsnap"))
    expected = [e.to_python() for e in r.map("big_hash")]
    seen, errors = [], []

    def read():
        try:
            for _ in range(50):
                seen.append([e.to_python() for e in r.map("big_hash")])
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=read) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(seen) == 200 and all(s == expected for s in seen)


def test_values_outlive_their_report_object():
    field = scxsnap.load(str(DATA / "sample_report.json")).var("nr_dispatched")
    import gc
    gc.collect()
    assert field.value == 907  # the field keeps the report alive
