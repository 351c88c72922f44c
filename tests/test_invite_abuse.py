"""`redress invite` against exports that are broken or hostile: a quote that swallows other
customers' rows, several addresses in one cell, and cells a spreadsheet would run as formulas."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from pelican.plugins.redress.invite import invitations
from test_invite import SECRET, make_shop, run_invite


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The small shop of test_invite, as the current folder, with a secret."""
    folder = make_shop(tmp_path, conf='REVIEWS_SHOP_NAME = "+Koffie & Co"\n')
    monkeypatch.chdir(folder)
    monkeypatch.setenv("REDRESS_SECRET", SECRET)
    return folder


def csv_cells(out: Path) -> list[list[str]]:
    """invitations.csv as a mail tool or a spreadsheet reads it: rows of cells, header first."""
    with open(out / "invitations.csv", encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


# -- 5: a quote that never closes must not merge customers -----------------------------


def assert_refused(run, line: int) -> None:
    """Exit 2, the file and the line where the quote opens, what to fix, and nothing written."""
    assert run.code == 2, (run.code, run.stdout, run.stderr)
    assert f"orders.csv:{line}: " in run.stderr
    assert f"check the quotes on line {line}" in run.stderr
    assert "Traceback" not in run.stderr
    assert "orders in orders.csv" not in run.stdout
    assert not run.out.exists()


def test_an_unclosed_quote_at_the_end_stops_the_run_at_its_line(site, capsys):
    run = run_invite(
        capsys,
        'order,email,name\nA-1,a@example.org,"Jan\nA-2,b@example.org,Bea\nA-3,c@example.org,Cas\n',
    )
    assert_refused(run, 2)
    assert "never" in run.stderr  # says the quote never ends


def test_a_quote_closed_rows_later_by_a_stray_quote_stops_the_run(site, capsys):
    # Without strict reading this is "2 orders", with Jan's name holding Bea's and Cas's rows.
    run = run_invite(
        capsys,
        'order,email,name\nA-1,a@example.org,"Jan\nA-2,b@example.org,Bea\nA-3,c@example.org,Cas"\n'
        "A-4,d@example.org,Dirk\n",
    )
    assert_refused(run, 2)


def test_a_quote_closed_by_a_quoted_cell_further_down_names_where_it_opened(site, capsys):
    run = run_invite(
        capsys,
        'order,email,name\nA-1,a@example.org,"Jan\nA-2,b@example.org,Bea\nA-3,"c@example.org",Cas\n',
    )
    assert_refused(run, 2)


def test_an_unclosed_quote_after_a_legal_multi_line_value_names_its_own_line(site, capsys):
    run = run_invite(
        capsys,
        'order,email,name,note\nA-1,a@example.org,"Jan\nde Vries","fragile\nA-2,b@example.org,Bea,x\n',
    )
    assert_refused(run, 3)


def test_multi_line_values_with_commas_still_work(site, capsys):
    run = run_invite(
        capsys,
        'order,email,name,address\nA-1,a@example.org,Jan,"Main St 1, flat 2\n1234 AB, Utrecht"\n'
        'A-2,b@example.org,"Bea\nvan Dam",\n',
    )
    assert run.code == 0, run.stderr
    assert [(r["order"], r["name"]) for r in run.rows] == [("A-1", "Jan"), ("A-2", "Bea van Dam")]
    assert "2 orders in orders.csv" in run.stdout


@pytest.mark.parametrize(
    "cell",
    [
        '"a@example.org, b@example.org"',
        "a@example.org;b@example.org",
        "a@example.org b@example.org",
        '"a@example.org\nb@example.org"',
    ],
)
def test_an_email_cell_with_several_addresses_is_a_row_problem(site, capsys, cell):
    run = run_invite(capsys, f"order,email,name\nA-1,{cell},Ann\nA-2,ok@example.org,Ok\n")
    assert run.code == 1
    assert "orders.csv:2: email: " in run.stderr
    assert "more than one e-mail address" in run.stderr
    assert [r["order"] for r in run.rows] == ["A-2"]
    assert (run.out / "inserts" / "A-1.html").is_file()  # the parcel still gets its insert


# -- 8: nothing in invitations.csv runs as a formula -----------------------------------

HOSTILE = (
    "order,email,name,lang\n"
    '+31612345678,a@example.org,"=HYPERLINK(""http://evil.example"",""x"")",en\n'
    "-1,b@example.org,Anne-Marie,en\n"
    "@SUM(1),c@example.org,＝1+1,en\n"
    "A-4,-2+3@example.org,@Jan,=cmd\n"
    "A-5,e@example.org,Kati,et\n"
)


def test_cells_a_spreadsheet_would_run_are_neutralised(site, capsys):
    run = run_invite(capsys, HOSTILE)
    assert run.code == 0, run.stderr
    header, *rows = csv_cells(run.out)
    assert header == list(invitations.CSV_COLUMNS)
    cells = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert sorted(cells) == ["'+31612345678", "'-1", "'@SUM(1)", "A-4", "A-5"]
    assert cells["'+31612345678"]["name"] == '\'=HYPERLINK("http://evil.example","x")'
    assert cells["'-1"]["name"] == "Anne-Marie"  # a dash inside a cell is fine
    assert cells["'@SUM(1)"]["name"] == "'＝1+1"  # full-width, which some spreadsheets read as =
    assert cells["A-4"]["email"] == "'-2+3@example.org"
    assert cells["A-4"]["name"] == "'@Jan"
    assert cells["A-4"]["lang"] == "'=cmd"
    # The Estonian subject starts with the shop's name.
    assert cells["A-5"]["subject"].startswith("'+Koffie & Co: ")
    for row in cells.values():
        assert row["link"].startswith("https://shop.example/")  # links the tool builds stay as they are
        assert row["body"][0] not in "'=+-@"
        assert all(cell[:1] not in "=+-@\t\r＝＋－＠" for cell in row.values())
    # Only the dangerous cells changed: the rest is exactly what the mail tool always got.
    assert cells["A-5"]["email"] == "e@example.org"
    assert cells["A-5"]["name"] == "Kati"
    assert cells["'+31612345678"]["body"].startswith('Hello =HYPERLINK("http://evil.example","x"),')


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1", "'＝1"),
        ("＋1", "'＋1"),
        ("－1", "'－1"),
        ("＠x", "'＠x"),
        (" =1+1", "' =1+1"),
        ("Anne-Marie", "Anne-Marie"),
        ("jan@example.org", "jan@example.org"),
        ("https://shop.example/reviews/write/?t=-x", "https://shop.example/reviews/write/?t=-x"),
        ("", ""),
        ("'=1", "'=1"),
    ],
)
def test_spreadsheet_safe(value, written):
    assert invitations.spreadsheet_safe(value) == written
