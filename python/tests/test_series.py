# SPDX-License-Identifier: Apache-2.0
"""Series from Python: samples, projections as columns, pandas data frames
with placeholders as gaps, assertions as `check` evaluates them."""

import pytest
import scxsnap
from conftest import DATA, cli, write_series


def test_samples_and_their_snapshots(series_file):
    s = scxsnap.load_series(str(series_file))
    assert len(s) == 5
    assert s.tags == [f"periodic_{i:03}" for i in range(5)]
    assert s.elapsed_ms == [0, 100, 200, 300, 400]
    assert s[0].var("nr_dispatched").value == 10
    assert s[-1].var("nr_dispatched").value == 50
    assert s[2].is_placeholder


def test_a_projection_is_a_column_with_gaps(series_file):
    s = scxsnap.load_series(str(series_file))
    assert s.column("var:nr_dispatched") == [10, 20, None, 40, 50]


def test_a_frame_keeps_exact_integers_and_gaps(tmp_path):
    pd = pytest.importorskip("pandas")
    big = 2**64 - 5
    path = write_series(tmp_path / "big.jsonl", [big, big + 1, 0, big + 3], placeholder_at=(2,))
    df = scxsnap.load_series(str(path)).frame(["var:nr_dispatched"])
    assert list(df.index) == [0, 100, 200, 300]
    assert df.index.name == "elapsed_ms"
    col = df["var:nr_dispatched"]
    assert str(col.dtype) == "UInt64"
    assert col.iloc[0] == big and col.iloc[1] == big + 1 and col.iloc[3] == big + 3
    assert pd.isna(col.iloc[2])
    assert list(df["tag"]) == ["periodic_000", "periodic_001", "periodic_002", "periodic_003"]
    assert df["step_index"].isna().all()


def test_check_gives_the_verdicts_the_cli_prints(series_file):
    s = scxsnap.load_series(str(series_file))
    ok, bad = s.check(["nondecreasing(var:nr_dispatched)",
                       "each(var:nr_dispatched).at_most(30)"])
    assert ok.passed and ok.verdict == "PASS" and bool(ok)
    assert bad.failed and bad.verdict == "FAIL" and not bad
    assert bad.failures and bad.summary
    assert ok.samples == 5 and ok.evaluated == 4  # the placeholder has no value
    text = s.check_text(["nondecreasing(var:nr_dispatched)",
                         "each(var:nr_dispatched).at_most(30)"])
    printed = cli("check", series_file, "--expect", "nondecreasing(var:nr_dispatched)",
                  "--expect", "each(var:nr_dispatched).at_most(30)", check=False)
    assert text == printed
    with pytest.raises(scxsnap.errors.InvalidArgument):
        s.check("nondecreasing(")


def test_the_series_page_is_report_s(series_file, tmp_path):
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    s = scxsnap.load_series(str(series_file))
    s.html(str(a), expect=["nondecreasing(var:nr_dispatched)"])
    cli("report", series_file, "-o", b, "--expect", "nondecreasing(var:nr_dispatched)")
    assert a.read_bytes() == b.read_bytes()


def test_a_single_report_is_not_a_series():
    with pytest.raises(scxsnap.errors.BadInput):
        scxsnap.load_series(str(DATA / "native" / "small.scxsnap"))
