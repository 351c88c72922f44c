"""`redress invite`: every order invited, from any common export, and nothing of it published."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
from browser import ARGS, CHROMIUM, axe_violations, require_chromium
from conftest import DEMO_CONTENT, ROOT, write
from pelican import Pelican
from pelican.plugins.redress import cli, tokens
from pelican.plugins.redress.invite import inserts, invitations, orders, progress, qr
from pelican.plugins.redress.invite import texts as invite_text
from pelican.settings import read_settings

SECRET = "test-secret-" + "x" * 40
TODAY = "2026-10-05"
SITEURL = "https://shop.example"
PRODUCTS = {
    "espresso-x1": "Title: Espresso X1\nSKU: BB-ESP-X1\n\nA machine.\n",
    "molen-m2": "Title: Molen M2\nSKU: BB-MOL-M2\n\nA grinder.\n",
    "ontkalker": "Title: Ontkalker\n\nDescaler.\n",
}
CSV_COLUMNS = ["order", "email", "name", "lang", "link", "subject", "body", "send_on"]


@dataclass
class Run:
    code: int
    out: Path
    stdout: str
    stderr: str

    @property
    def rows(self) -> list[dict[str, str]]:
        with open(self.out / "invitations.csv", encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    def row(self, order: str) -> dict[str, str]:
        return next(r for r in self.rows if r["order"] == order)


def make_shop(tmp_path: Path, conf: str = "", siteurl: str = SITEURL) -> Path:
    """A small shop: three products, a settings file with an absolute SITEURL."""
    site = tmp_path / "site"
    for slug, text in PRODUCTS.items():
        write(site, f"products/{slug}.md", text)
    settings = f"""
        PATH = "content"
        OUTPUT_PATH = "output"
        CACHE_PATH = "cache"
        SITENAME = "Test shop"
        SITEURL = {siteurl!r}
        TIMEZONE = "Europe/Amsterdam"
        DEFAULT_LANG = "en"
        REVIEWS_CACHE = False
    """
    (site / "pelicanconf.py").write_text(textwrap.dedent(settings) + textwrap.dedent(conf), encoding="utf-8")
    return site


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = make_shop(tmp_path)
    monkeypatch.chdir(site)
    monkeypatch.setenv("REDRESS_SECRET", SECRET)
    return site


def run_invite(
    capsys: pytest.CaptureFixture[str],
    csv_text: str | bytes,
    *extra: str,
    out: str = "../invitations",
    name: str = "orders.csv",
) -> Run:
    """Write the export into the current folder (the site) and run the command in this process."""
    data = csv_text if isinstance(csv_text, bytes) else textwrap.dedent(csv_text).lstrip("\n").encode("utf-8")
    Path(name).write_bytes(data)
    argv = ["invite", name, "--out", out, "--settings", "pelicanconf.py", "--today", TODAY, *extra]
    code = cli.main(argv)
    captured = capsys.readouterr()
    return Run(code, Path(out).resolve(), captured.out, captured.err)


def token_of(link: str) -> tuple[str, str]:
    """(token, product slug or "") of an invitation link."""
    parts = urlsplit(link)
    path = parts.path.rstrip("/").split("/")
    product = "" if path[-1] == "write" else path[-1]
    return parse_qs(parts.query)["t"][0], product


def links_in(body: str) -> list[str]:
    return re.findall(r"https://\S+", body)


BASIC = """
    order,email,name,lang,products,delivered
    BB-1001,jan@example.com,Jan de Vries,nl,espresso-x1;BB-MOL-M2,2026-10-02
    BB-1002,kati@example.ee,Kati,et,ontkalker,02-10-2026
    BB-1003,ann@example.org,,en,,2026-10-01 14:31
"""


# -- the basic run -------------------------------------------------------------------


def test_every_order_gets_a_row_a_qr_code_and_an_insert(shop, capsys):
    run = run_invite(capsys, BASIC)
    assert run.code == 0, run.stderr
    with open(run.out / "invitations.csv", encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == CSV_COLUMNS
    assert [r["order"] for r in run.rows] == ["BB-1001", "BB-1002", "BB-1003"]
    for order in ("BB-1001", "BB-1002", "BB-1003"):
        for path in (f"qr/{order}.svg", f"qr/{order}.png", f"inserts/{order}.html"):
            assert (run.out / path).stat().st_size > 0, path
    assert (run.out / "inserts" / "index.html").is_file()
    assert "3 orders in orders.csv; 3 invitations written" in run.stdout
    assert "problem" not in run.stdout


def test_row_values_and_send_on(shop, capsys):
    run = run_invite(capsys, BASIC, "--delay-days", "3")
    jan = run.row("BB-1001")
    assert (jan["email"], jan["name"], jan["lang"]) == ("jan@example.com", "Jan de Vries", "nl")
    assert jan["send_on"] == "2026-10-05"
    assert run.row("BB-1002")["send_on"] == "2026-10-05"  # 02-10-2026 is day first
    assert run.row("BB-1003")["send_on"] == "2026-10-04"
    assert jan["subject"] == "Wat vind je van je bestelling bij Test shop?"
    assert jan["body"].startswith("Hallo Jan de Vries,")
    assert run.row("BB-1002")["body"].startswith("Tere, Kati!")
    assert run.row("BB-1003")["body"].startswith("Hello,\n")


def test_links_point_at_the_forms_and_carry_tokens_for_their_product(shop, capsys):
    run = run_invite(capsys, BASIC)
    jan = run.row("BB-1001")
    found = links_in(jan["body"])
    assert found == [
        f"{SITEURL}/reviews/write/espresso-x1/?t={token_of(found[0])[0]}",
        f"{SITEURL}/reviews/write/molen-m2/?t={token_of(found[1])[0]}",
        f"{SITEURL}/reviews/write/?t={token_of(found[2])[0]}",
    ]
    assert jan["link"] == found[0]  # the first product's link
    secret = SECRET.encode()
    send_on = dt.date.fromisoformat(jan["send_on"])
    for link in found:
        token, product = token_of(link)
        check = tokens.check_token(secret, token, product, send_on)
        assert check.valid, (link, check)
        assert (check.order, check.product) == ("BB-1001", product)
    product_token = token_of(found[0])[0]
    assert tokens.check_token(secret, product_token, "molen-m2", send_on).status == "wrong-product"
    # The order's own link (the QR code's) covers the shop and the order's products,
    # not a product the customer never bought: that "Verified buyer" would be forged.
    order_token = token_of(found[2])[0]
    for product in ("", "espresso-x1", "molen-m2"):
        assert tokens.check_token(secret, order_token, product, send_on).valid, product
    assert tokens.check_token(secret, order_token, "ontkalker", send_on).status == "wrong-product"
    assert tokens.check_token(b"another secret" * 3, order_token, "", send_on).status == "tampered"
    # Without products, the row's link is the order's own (general) link, for any product:
    # the file does not say what was bought.
    ann = run.row("BB-1003")
    assert ann["link"] == links_in(ann["body"])[0]
    token, product = token_of(ann["link"])
    assert product == ""
    for product in ("", "espresso-x1", "ontkalker"):
        assert tokens.check_token(secret, token, product, send_on).valid, product


def test_an_order_with_more_products_than_its_link_can_name(shop, capsys, monkeypatch):
    """Its own link (QR code, insert) verifies the shop only, and the run says so.

    Each product keeps its own link in the e-mail.
    """
    monkeypatch.setattr(tokens, "ORDER_PRODUCTS_MAX_CHARS", len(",espresso-x1"))
    run = run_invite(capsys, BASIC)
    assert (
        "orders.csv:2: order BB-1001 has 2 products, more than its own link (QR code, insert) can name"
        in run.stderr
    )
    assert "BB-1002" not in run.stderr  # one product fits
    found = links_in(run.row("BB-1001")["body"])
    day = dt.date.fromisoformat(TODAY)
    order_token = token_of(found[-1])[0]
    assert tokens.check_token(SECRET.encode(), order_token, "", day).valid
    for link in found[:-1]:
        token, product = token_of(link)
        assert tokens.check_token(SECRET.encode(), order_token, product, day).status == "wrong-product"
        assert tokens.check_token(SECRET.encode(), token, product, day).valid


def test_an_order_whose_products_are_all_unknown_gets_a_link_for_the_shop(shop, capsys):
    """The file named what was bought, none of it on the site: its link proves no product."""
    run = run_invite(capsys, "order,email,products\nX-1,x@example.org,no-such-thing\n")
    (link,) = links_in(run.row("X-1")["body"])
    token = token_of(link)[0]
    day = dt.date.fromisoformat(TODAY)
    assert tokens.check_token(SECRET.encode(), token, "", day).valid
    assert tokens.check_token(SECRET.encode(), token, "espresso-x1", day).status == "wrong-product"


def test_links_expire_valid_days_after_send_on(shop, capsys):
    run = run_invite(capsys, BASIC, "--valid-days", "30", "--delay-days", "7")
    jan = run.row("BB-1001")
    send_on = dt.date.fromisoformat(jan["send_on"])
    assert send_on == dt.date(2026, 10, 9)
    token, product = token_of(jan["link"])
    last = send_on + dt.timedelta(days=30)
    assert tokens.check_token(SECRET.encode(), token, product, last).valid
    assert (
        tokens.check_token(SECRET.encode(), token, product, last + dt.timedelta(days=1)).status == "expired"
    )


def test_an_overdue_invitation_gets_links_that_work_from_today(shop, capsys):
    run = run_invite(
        capsys, "order,email,delivered\nOLD-1,old@example.org,2025-01-02\n", "--valid-days", "10"
    )
    row = run.row("OLD-1")
    assert row["send_on"] == "2025-01-09"  # due long ago: send it now
    token, _ = token_of(row["link"])
    check = tokens.check_token(SECRET.encode(), token, "", dt.date(2026, 10, 15))
    assert check.valid
    assert check.expires == dt.date(2026, 10, 15)


def test_without_a_delivery_date_the_run_date_counts(shop, capsys):
    run = run_invite(capsys, "order,email\nA-1,a@example.org\n")
    assert run.code == 0
    assert run.row("A-1")["send_on"] == "2026-10-12"
    assert "no delivery date column" in run.stderr


def test_site_settings_shape_the_links(shop, capsys):
    with open("pelicanconf.py", "a", encoding="utf-8") as handle:
        handle.write('REVIEWS_INDEX_URL = "opinions/"\n')
    run = run_invite(capsys, BASIC, "--site-url", "https://elsewhere.example/shop/")
    assert run.row("BB-1001")["link"].startswith(
        "https://elsewhere.example/shop/opinions/write/espresso-x1/?t="
    )


# -- exports as shops write them -------------------------------------------------------


SHOPIFY = """
    Name,Email,Financial Status,Fulfilled at,Lineitem quantity,Lineitem name,Lineitem sku,Billing Name,Id
    #1001,jan@example.com,paid,2026-10-02 14:31:05 +0200,1,Espresso X1,BB-ESP-X1,Jan de Vries,5501
    #1001,jan@example.com,,,1,Molen M2,bb-mol-m2,,5501
    #1001,,,,2,Espresso X1,BB-ESP-X1,,5501
    #1002,kati@example.ee,paid,2026-10-03 09:00:00 +0300,1,Ontkalker,ontkalker,Kati Tamm,5502
"""
WOOCOMMERCE = """
    "Order Number","Order Status","Order Date","Billing First Name","Billing Last Name","Billing Email Address","Item SKU","Date Completed"
    "1001","completed","2026-09-30","Jan","de Vries","jan@example.com","BB-ESP-X1|BB-MOL-M2","2026-10-02 14:31:05"
    "1002","completed","2026-09-30","Kati","Tamm","kati@example.ee","ontkalker","2026-10-03 09:00:00"
"""  # noqa: E501
DUTCH = """
    Bestelnummer;E-mailadres;Naam;Taal;Producten;Leverdatum
    1001;jan@example.com;Jan de Vries;nl;espresso-x1, molen-m2;02-10-2026
    1002;kati@example.ee;Kati Tamm;et;ontkalker;03-10-2026
"""
ESTONIAN = (
    "Tellimus\tE-post\tNimi\tKeel\tTooted\tTarnekuupäev\n"
    "1001\tjan@example.com\tJan de Vries\tnl\tespresso-x1|molen-m2\t02.10.2026\n"
    "1002\tkati@example.ee\tKati Tamm\tet\tontkalker\t2026-10-03\n"
)


@pytest.mark.parametrize(
    ("export", "bom"),
    [(SHOPIFY, False), (WOOCOMMERCE, False), (DUTCH, True), (DUTCH, False), (ESTONIAN, False)],
    ids=["shopify", "woocommerce", "dutch-semicolons-bom", "dutch-semicolons", "estonian-tabs"],
)
def test_common_exports(shop, capsys, export, bom):
    data = textwrap.dedent(export).lstrip("\n").encode("utf-8")
    run = run_invite(capsys, (b"\xef\xbb\xbf" if bom else b"") + data)
    assert run.code == 0, run.stderr
    rows = run.rows
    assert len(rows) == 2
    first, second = rows
    assert first["order"].lstrip("#") == "1001"
    assert first["email"] == "jan@example.com"
    assert first["name"] in ("Jan de Vries", "Jan")
    products = [token_of(link)[1] for link in links_in(first["body"])]
    assert products == ["espresso-x1", "molen-m2", ""], "grouped, de-duplicated, in file order"
    assert first["send_on"] == "2026-10-09"
    assert second["email"] == "kati@example.ee"
    assert [token_of(link)[1] for link in links_in(second["body"])] == ["ontkalker", ""]


def test_shopify_order_name_becomes_a_safe_file_name(shop, capsys):
    run = run_invite(capsys, SHOPIFY)
    assert (run.out / "qr" / "1001.svg").is_file()
    assert run.row("#1001")["name"] == "Jan de Vries"


def test_the_columns_used_are_announced(shop, capsys):
    run = run_invite(capsys, SHOPIFY)
    assert "order = 'Name'" in run.stderr
    assert "email = 'Email'" in run.stderr
    assert "name = 'Billing Name'" in run.stderr
    assert "products = 'Lineitem sku'" in run.stderr


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("Order ID", "order"),
        ("order_id", "order"),
        ("ORDER-NUMBER", "order"),
        ("ordernr", "order"),
        ("Bestelnummer", "order"),
        ("tellimus", "order"),
        ("E-mail", "email"),
        ("Email Address", "email"),
        ("customer_email", "email"),
        ("Billing Email", "email"),
        ("e-post", "email"),
        ("Customer name", "name"),
        ("naam", "name"),
        ("nimi", "name"),
        ("First name", "name"),
        ("Locale", "lang"),
        ("taal", "lang"),
        ("keel", "lang"),
        ("Product slugs", "products"),
        ("SKU", "products"),
        ("Lineitem sku", "products"),
        ("product.sku", "products"),
        ("Delivery date", "delivered"),
        ("delivered_at", "delivered"),
        ("Fulfilled at", "delivered"),
        ("Shipped at", "delivered"),
        ("leverdatum", "delivered"),
        ("Tarnekuupäev", "delivered"),
    ],
)
def test_header_names(header, key):
    assert orders.map_columns(["x", header]) == {key: 1}


# -- problems ---------------------------------------------------------------------------


BAD_ROWS = """
    order,email,name,lang,products,delivered
    OK-1,ok1@example.org,Ok,en,espresso-x1,2026-10-01
    BAD-PRODUCT,p@example.org,P,en,espresso-x1;nope,2026-10-01
    BAD-EMAIL,not-an-address,E,en,,2026-10-01
    BAD-DATE,d@example.org,D,en,,2026-13-45
    ,empty@example.org,No order,en,,2026-10-01
    TOO,many,values,en,,2026-10-01,extra
    OK-2,ok2@example.org,Ok,en,molen-m2,2026-10-01
"""


def test_bad_rows_are_reported_by_line_and_column_and_good_rows_written(shop, capsys):
    run = run_invite(capsys, BAD_ROWS)
    assert run.code == 1
    errors = [line for line in run.stderr.splitlines() if line.startswith("orders.csv:")]
    assert any(e.startswith("orders.csv:3: products: 'nope' is not a product slug or SKU") for e in errors)
    assert any("known: espresso-x1 / BB-ESP-X1, molen-m2 / BB-MOL-M2, ontkalker" in e for e in errors)
    assert any(e.startswith("orders.csv:4: email: 'not-an-address' is not an e-mail address") for e in errors)
    assert any(e.startswith("orders.csv:5: delivered: '2026-13-45' is not a date") for e in errors)
    assert "orders.csv:6: order: is empty; the line is skipped" in errors
    assert any(e.startswith("orders.csv:7: has 7 values but the header has 6 columns") for e in errors)
    assert [r["order"] for r in run.rows] == ["OK-1", "BAD-PRODUCT", "OK-2"]
    # An unknown product still leaves the order its own invitation, and its known products;
    # the order's link covers the known ones and the shop, never any other product.
    bad = links_in(run.row("BAD-PRODUCT")["body"])
    assert [token_of(link)[1] for link in bad] == ["espresso-x1", ""]
    order_token = token_of(bad[1])[0]
    day = dt.date.fromisoformat(TODAY)
    assert tokens.check_token(SECRET.encode(), order_token, "espresso-x1", day).valid
    assert tokens.check_token(SECRET.encode(), order_token, "molen-m2", day).status == "wrong-product"
    # Without a usable address there is no e-mail, but the parcel still gets its insert.
    assert (run.out / "inserts" / "BAD-EMAIL.html").is_file()
    assert not (run.out / "inserts" / "BAD-DATE.html").exists()
    assert "5 row(s) with problems" in run.stdout


def test_rows_with_fewer_or_empty_extra_cells_are_fine(shop, capsys):
    run = run_invite(
        capsys, "order,email,name,products\nA-1,a@example.org\nA-2,b@example.org,B,ontkalker,,\n"
    )
    assert run.code == 0, run.stderr
    assert [r["order"] for r in run.rows] == ["A-1", "A-2"]


def test_an_order_over_several_lines_keeps_the_first_address_and_says_so(shop, capsys):
    run = run_invite(
        capsys, "order,email\nA-1,first@example.org\nA-1,FIRST@example.org\nA-1,second@example.org\n"
    )
    assert run.code == 1
    assert run.row("A-1")["email"] == "first@example.org"
    assert (
        "orders.csv:4: email: 'second@example.org' differs from 'first@example.org' on line 2" in run.stderr
    )
    assert "orders.csv:3" not in run.stderr


def test_missing_required_column_names_what_was_found_and_what_is_accepted(shop, capsys):
    run = run_invite(capsys, "Customer,Mail address,Stuff\nA,b@example.org,x\n")
    assert run.code == 2
    assert "no column for the order number" in run.stderr
    assert "Columns found: 'Customer', 'Mail address', 'Stuff'" in run.stderr
    assert "Name the order column one of: order, order id, order number" in run.stderr
    assert not (run.out / "invitations.csv").exists()


def test_not_utf8_is_a_clear_error(shop, capsys):
    run = run_invite(capsys, "order,email,name\nA-1,a@example.org,Jos\xe9\n".encode("latin-1"))
    assert run.code == 2
    assert "orders.csv:2: is not UTF-8 text (byte 0xe9)" in run.stderr


def test_unreadable_csv_names_the_line(shop, capsys):
    huge = "x" * 200_000
    run = run_invite(capsys, f'order,email\nA-1,a@example.org\nA-2,"{huge}"\n')
    assert run.code == 2
    assert "orders.csv:3: cannot be read as CSV (field larger than field limit" in run.stderr


def test_control_characters_are_dropped(shop, capsys):
    run = run_invite(capsys, b"order,email,name\nA-\x001,a@exa\x00mple.org,Jan\tde\x07 Vries\n")
    assert run.code == 0, run.stderr
    row = run.rows[0]
    assert (row["order"], row["email"], row["name"]) == ("A-1", "a@example.org", "Jan de Vries")


def test_a_quoted_value_over_two_lines_keeps_the_line_numbers(shop, capsys):
    run = run_invite(capsys, 'order,email,name\nA-1,a@example.org,"Jan\nde Vries"\nA-2,bad,B\n')
    assert run.row("A-1")["name"] == "Jan de Vries"
    assert "orders.csv:4: email: 'bad' is not an e-mail address" in run.stderr


def test_missing_file_and_empty_file(shop, capsys):
    assert cli.main(["invite", "nope.csv", "--out", "../x", "--settings", "pelicanconf.py"]) == 2
    assert "nope.csv: no such file" in capsys.readouterr().err
    run = run_invite(capsys, "\n\n")
    assert run.code == 2
    assert "orders.csv: is empty" in run.stderr


def test_missing_secret_says_how_to_make_one(shop, capsys, monkeypatch):
    monkeypatch.delenv("REDRESS_SECRET")
    run = run_invite(capsys, BASIC)
    assert run.code == 2
    assert "REDRESS_SECRET is not set" in run.stderr
    assert "redress secret" in run.stderr
    assert not run.out.exists()


@pytest.mark.parametrize("out", ["output/invitations", "output", "content/private", "./content"])
def test_out_inside_the_published_or_content_folder_is_refused(shop, capsys, out):
    run = run_invite(capsys, BASIC, out=out)
    assert run.code == 2
    assert "must never be published" in run.stderr
    assert not (shop / out / "invitations.csv").exists()
    assert not (shop / out / "qr").exists()


@pytest.mark.parametrize("siteurl", ["", "/shop", "shop.example", "ftp://shop.example"])
def test_site_url_must_be_absolute(tmp_path, monkeypatch, capsys, siteurl):
    site = make_shop(tmp_path, siteurl=siteurl)
    monkeypatch.chdir(site)
    monkeypatch.setenv("REDRESS_SECRET", SECRET)
    run = run_invite(capsys, BASIC)
    assert run.code == 2
    assert "needs the address the site is published at" in run.stderr
    assert run_invite(capsys, BASIC, "--site-url", "https://shop.example").code == 0


def test_order_numbers_cannot_escape_the_folder(shop, capsys):
    hostile = [
        "../../escape",
        "..",
        "/etc/passwd",
        "a/b\\c",
        "CON",
        "#1001",
        "1001",
        "index",
        "Ümlaut ü",
        "x" * tokens.ORDER_MAX_CHARS,  # the longest order number a link carries
    ]
    lines = ["order,email"] + [f'"{number}",n{i}@example.org' for i, number in enumerate(hostile)]
    run = run_invite(capsys, "\n".join(lines) + "\n")
    assert run.code == 0, run.stderr
    qr_files = sorted(p.name for p in (run.out / "qr").iterdir())
    inserts_files = sorted(p.name for p in (run.out / "inserts").iterdir())
    assert len(qr_files) == 2 * len(hostile)
    assert len(inserts_files) == len(hostile) + 1
    assert "index.html" in inserts_files
    for name in qr_files + inserts_files:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name), name
        assert len(name) <= 90
    assert not (shop.parent / "escape.svg").exists()
    assert {"escape.svg", "etc-passwd.svg", "a-b-c.svg", "order-CON.svg", "1001.svg", "1001-2.svg"} <= set(
        qr_files
    )
    # Every order is still in the list, under its own number.
    assert [r["order"] for r in run.rows] == hostile


def test_file_stems_are_unique_regardless_of_case():
    used = {"index"}
    stems = [invitations.file_stem(n, used) for n in ("A-1", "a-1", "A 1", "index", "", "..")]
    assert stems == ["A-1", "a-1-2", "A-1-3", "index-2", "order", "order-2"]


# -- never by rating ------------------------------------------------------------------


def test_no_option_picks_or_filters_customers():
    parser = cli.build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    invite_parser = subparsers.choices["invite"]
    options = {opt for action in invite_parser._actions for opt in action.option_strings}
    assert options == {
        "-h",
        "--help",
        "--out",
        "--valid-days",
        "--delay-days",
        "--settings",
        "--site-url",
        "--today",
        "-q",
        "--quiet",
    }
    for option in options:
        assert not re.search(r"rating|star|score|filter|only|min|max|happy|sentiment|nps|select", option)
    assert "Every order in the file is invited" in invite_parser.format_help()


#: Words that would hint at a rating or gate on satisfaction, in en, nl and et.
RATING_HINTS = re.compile(
    r"\d|star|ster|tärn|happy|satisf|pleased|positive review|rating|rate\b|score|"
    r"tevreden|blij|cijfer|beoordel|punt|rahul|hinn|rõõm|excellent|uitstekend|suurepära",
    re.IGNORECASE,
)


@pytest.mark.parametrize("lang", sorted(invite_text.TEXTS))
def test_email_texts_ask_for_an_honest_review_without_hinting_at_a_rating(lang):
    texts = invite_text.TEXTS[lang]
    for key, text in texts.items():
        if key == "incentive":
            continue
        assert not RATING_HINTS.search(text), (lang, key, RATING_HINTS.search(text))
    honest = {"en": "honest", "nl": "eerlijk", "et": "aus"}[lang]
    every = {
        "en": "every review, good or bad",
        "nl": "elke review, positief of negatief",
        "et": "kõik arvustused",
    }
    assert honest in texts["body"] and honest in texts["insert"]
    assert every[lang] in texts["body"]


@pytest.mark.parametrize("lang", sorted(invite_text.TEXTS))
def test_an_incentive_is_mentioned_with_whatever_the_rating(lang):
    _, body = invite_text.compose(
        lang,
        name="Jan",
        order="BB-1",
        shop="Shop",
        product_links=[],
        general_link="https://x.example/",
        expires=dt.date(2027, 1, 1),
        incentive="Every reviewer gets a €5 voucher.",
    )
    whatever = {
        "en": "whatever your rating",
        "nl": "ongeacht je beoordeling",
        "et": "olenemata teie hinnangust",
    }
    assert "Every reviewer gets a €5 voucher." in body
    assert whatever[lang] in body
    _, plain = invite_text.compose(
        lang,
        name="",
        order="BB-1",
        shop="Shop",
        product_links=[],
        general_link="https://x.example/",
        expires=dt.date(2027, 1, 1),
    )
    assert "\n\n\n" not in plain
    assert "voucher" not in plain and whatever[lang] not in plain


def test_an_edited_text_with_an_unknown_placeholder_stops_the_run_before_writing(shop, capsys, monkeypatch):
    assert invite_text.check_texts() == []
    monkeypatch.setitem(invite_text.TEXTS["nl"], "subject", "Hoi {voornaam}")
    run = run_invite(capsys, BASIC)
    assert run.code == 2
    assert "TEXTS['nl']['subject']: KeyError('voornaam') cannot be filled in" in run.stderr
    assert not (run.out / "invitations.csv").exists()


def test_incentive_from_the_site_reaches_every_email(tmp_path, monkeypatch, capsys):
    site = make_shop(tmp_path, conf='REVIEWS_INCENTIVE = "Every reviewer gets a coffee voucher."\n')
    monkeypatch.chdir(site)
    monkeypatch.setenv("REDRESS_SECRET", SECRET)
    run = run_invite(capsys, BASIC)
    for row in run.rows:
        assert "Every reviewer gets a coffee voucher." in row["body"]
    assert "whatever your rating" in run.row("BB-1003")["body"]


def test_every_order_is_invited_whatever_else_the_export_says(shop, capsys):
    export = """
        order,email,rating,review,products
        A-1,a@example.org,1,Terrible,espresso-x1
        A-2,b@example.org,5,Great,espresso-x1
        A-3,c@example.org,,,espresso-x1
    """
    run = run_invite(capsys, export)
    assert [r["order"] for r in run.rows] == ["A-1", "A-2", "A-3"]
    bodies = {r["body"].split("\n", 1)[1].replace(r["order"], "") for r in run.rows}
    assert len({re.sub(r"https://\S+", "", b) for b in bodies}) == 1, "the same text for everyone"
    assert len({r["send_on"] for r in run.rows}) == 1


# -- languages --------------------------------------------------------------------------


def test_languages(tmp_path, monkeypatch, capsys):
    site = make_shop(tmp_path, conf='DEFAULT_LANG = "nl"\n')
    monkeypatch.chdir(site)
    monkeypatch.setenv("REDRESS_SECRET", SECRET)
    export = """
        order,email,lang
        A-1,a@example.org,fr
        A-2,b@example.org,nl-BE
        A-3,c@example.org,
        A-4,d@example.org,ET
        A-5,e@example.org,Nederlands
    """
    run = run_invite(capsys, export)
    assert run.row("A-1")["lang"] == "fr"
    assert run.row("A-1")["subject"].startswith("What do you think")
    assert run.row("A-2")["lang"] == "nl-BE"
    assert run.row("A-2")["subject"].startswith("Wat vind je")
    assert run.row("A-3")["lang"] == "nl"  # DEFAULT_LANG
    assert run.row("A-3")["subject"].startswith("Wat vind je")
    assert run.row("A-4")["subject"].endswith("mida arvate oma tellimusest?")
    assert run.row("A-5")["subject"].startswith("Wat vind je")
    assert 'lang="et"' in (run.out / "inserts" / "A-4.html").read_text(encoding="utf-8")
    assert "Wat vind je van je bestelling?" in (run.out / "inserts" / "A-2.html").read_text(encoding="utf-8")


def test_text_language():
    assert invite_text.text_language("", "nl") == "nl"
    assert invite_text.text_language("", "de") == "en"
    assert invite_text.text_language("nl_NL", "en") == "nl"
    assert invite_text.text_language("Eesti", "en") == "et"
    assert invite_text.text_language("zh-Hant-TW", "nl") == "en"


# -- QR codes and inserts -----------------------------------------------------------------


def svg_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules of one of our SVG codes: its path of horizontal strokes, followed."""
    root = ET.fromstring(svg)
    path = root.findall("{http://www.w3.org/2000/svg}path")[-1].get("d", "")
    dark: set[tuple[int, int]] = set()
    x = y = 0.0
    for command, args in re.findall(r"([MmHh])([^MmHh]*)", path):
        numbers = [float(n) for n in args.split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            assert command == "h", command
            dark |= {(int(x) + i, int(y)) for i in range(int(numbers[0]))}
            x += numbers[0]
    return dark


def test_qr_code_files_hold_the_order_link(shop, capsys):
    run = run_invite(capsys, BASIC)
    link = links_in(run.row("BB-1001")["body"])[-1]  # the order's general link
    code = qr.matrix(link)
    expected = {(x + 4, y + 4) for y, row in enumerate(code) for x, dark in enumerate(row) if dark}
    svg = (run.out / "qr" / "BB-1001.svg").read_text(encoding="utf-8")
    assert svg_modules(svg) == expected
    png = (run.out / "qr" / "BB-1001.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert width == height == (len(code) + 8) * 8
    assert (depth, colour) == (1, 0)


def test_qr_code_decodes_to_the_link(shop, capsys):
    import zxingcpp  # reads QR codes back; a test dependency, so this never skips
    from PIL import Image as image

    run = run_invite(capsys, BASIC)
    for row in run.rows:
        link = links_in(row["body"])[-1]
        decoded = zxingcpp.read_barcodes(image.open(run.out / "qr" / f"{row['order']}.png"))
        assert [d.text for d in decoded] == [link]


@pytest.mark.parametrize("seed", range(5))
def test_svg_draws_exactly_the_dark_modules_of_any_code(seed):
    rng = random.Random(seed)
    code = tuple(bytearray(rng.randint(0, 1) for _ in range(21 + seed * 4)) for _ in range(21 + seed * 4))
    expected = {(x + 4, y + 4) for y, row in enumerate(code) for x, dark in enumerate(row) if dark}
    assert svg_modules(qr.svg(code)) == expected


def test_matrix_uses_error_level_m_or_better_and_a_fixed_mask():
    link = "https://shop.example/reviews/write/?t=abc.def"
    reference = segno.make(link, error="m", mask=3, micro=False)
    assert reference.error in ("M", "Q", "H")  # segno raises the level when the size allows
    assert qr.matrix(link) == reference.matrix


def test_insert_is_a_private_printable_a6_page(shop, capsys):
    run = run_invite(capsys, BASIC)
    html = (run.out / "inserts" / "BB-1001.html").read_text(encoding="utf-8")
    assert re.search(r"@page\s*\{\s*size:\s*105mm 148mm", html)
    assert '<html lang="nl">' in html
    assert "<svg" in html and "</svg>" in html
    assert invite_text.TEXTS["nl"]["insert"] in html
    link = links_in(run.row("BB-1001")["body"])[-1]
    assert link.removeprefix("https://") in html
    assert 'name="robots" content="noindex"' in html
    # Nothing loaded from anywhere: no scripts, stylesheets, images or fonts from outside.
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "url(" not in html


def test_index_prints_every_insert_on_its_own_page(shop, capsys):
    run = run_invite(capsys, BASIC)
    html = (run.out / "inserts" / "index.html").read_text(encoding="utf-8")
    assert html.count('<div class="insert"') == 3
    for order in ("BB-1001", "BB-1002", "BB-1003"):
        assert f'src="../qr/{order}.svg"' in html
    assert "break-after: page" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)


@pytest.mark.browser
def test_inserts_print_on_one_a6_page_each_and_scan_in_chromium(shop, capsys):
    require_chromium()
    from playwright.sync_api import sync_playwright

    run = run_invite(capsys, BASIC)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 600, "height": 800})
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto((run.out / "inserts" / "index.html").as_uri())
            pdf = page.pdf(prefer_css_page_size=True)
            assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 3
            boxes = {
                tuple(round(float(n)) for n in box.split())
                for box in re.findall(rb"/MediaBox\s*\[([^\]]*)\]", pdf)
            }
            assert boxes == {(0, 0, 298, 420)}, "A6: 105 x 148 mm"
            assert axe_violations(page) == []
            page.goto((run.out / "inserts" / "BB-1002.html").as_uri())
            assert axe_violations(page) == []
            screenshot = page.screenshot()
        finally:
            browser.close()
    assert all(url.startswith("file://") for url in requests), requests
    import zxingcpp  # reads QR codes back; a test dependency, so this never skips
    from PIL import Image as image

    decoded = [d.text for d in zxingcpp.read_barcodes(image.open(io.BytesIO(screenshot)))]
    assert decoded == [links_in(run.row("BB-1002")["body"])[-1]]


def test_a_second_run_writes_the_same_files_again(shop, capsys):
    first = run_invite(capsys, BASIC)
    before = {p: p.read_bytes() for p in first.out.rglob("*") if p.is_file()}
    second = run_invite(capsys, BASIC)
    after = {p: p.read_bytes() for p in second.out.rglob("*") if p.is_file()}
    assert before == after


# -- progress and workers ---------------------------------------------------------------------


def many_orders(count: int) -> str:
    return "order,email,products\n" + "".join(f"N-{i},n{i}@example.org,espresso-x1\n" for i in range(count))


def test_progress_lines_without_a_terminal(shop, capsys, monkeypatch):
    monkeypatch.setattr(progress, "LINES_MIN_TOTAL", 10)
    monkeypatch.setattr(inserts, "BATCH_SIZE", 3)  # 30 orders: 30 batches of 1, a line per 10 %
    run = run_invite(capsys, many_orders(30))
    steps = re.findall(r"invite: (\d+) of 30 orders \((\d+) %\)", run.stderr)
    assert steps == [(str(n), str(n * 100 // 30)) for n in range(3, 31, 3)]
    quiet = run_invite(capsys, many_orders(30), "--quiet")
    assert "invite:" not in quiet.stderr
    assert "orders.csv:" not in quiet.stderr
    assert "30 invitations written" in quiet.stdout


def test_small_files_print_no_progress_lines(shop, capsys):
    run = run_invite(capsys, many_orders(5))
    assert " of 5 orders" not in run.stderr


def test_worker_processes_write_the_same_files(shop, capsys, monkeypatch):
    alone = run_invite(capsys, many_orders(12), out="../alone")
    monkeypatch.setattr(inserts, "POOL_MIN_JOBS", 1)
    monkeypatch.setattr(inserts, "BATCH_SIZE", 5)
    pooled = run_invite(capsys, many_orders(12), out="../pooled")
    assert pooled.code == 0, pooled.stderr

    def files(out: Path) -> dict[str, bytes]:
        return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    assert files(alone.out) == files(pooled.out)
    assert len(files(pooled.out)) == 12 * 3 + 2


def test_progress_bar_on_a_terminal():
    stream = io.StringIO()
    stream.isatty = lambda: True  # type: ignore[method-assign]
    with progress.Progress(4, stream=stream, label="invite") as bar:
        bar.advance(2)
        bar.advance(2)
    assert bar.bar is not None
    assert bar.done == 4
    assert "invite" in stream.getvalue()


# -- as a shop owner runs it, and what is published --------------------------------------------


def test_subprocess_in_the_site_folder_with_publishconf(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(DEMO_CONTENT / "products", site / "content" / "products")
    shutil.copytree(ROOT / "theme", site / "theme")
    shutil.copy2(ROOT / "pelicanconf.py", site / "pelicanconf.py")
    shutil.copy2(ROOT / "publishconf.py", site / "publishconf.py")
    (site / "orders.csv").write_text(
        "order,email,products\nBB-1,a@example.org,espresso-x1\nBB-2,b@example.org,BB-HM-1KG\n",
        encoding="utf-8",
    )
    env = dict(os.environ, REDRESS_SECRET=SECRET, REDRESS_SITEURL="https://reviews.example.net")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican.plugins.redress.cli",
            "invite",
            "orders.csv",
            "--out",
            "../invitations",
        ],
        cwd=site,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "2 invitations written" in done.stdout
    rows = list(csv.DictReader((tmp_path / "invitations" / "invitations.csv").open(encoding="utf-8")))
    assert rows[0]["link"].startswith("https://reviews.example.net/reviews/write/espresso-x1/?t=")
    assert rows[1]["link"].startswith("https://reviews.example.net/reviews/write/huismelange-1kg/?t=")


def test_nothing_of_the_invitations_reaches_the_built_site(tmp_path, monkeypatch, capsys):
    site = tmp_path / "site"
    shutil.copytree(DEMO_CONTENT, site / "content")
    conf = (ROOT / "pelicanconf.py").read_text(encoding="utf-8")
    (site / "pelicanconf.py").write_text(conf + '\nTHEME = "theme"\n', encoding="utf-8")
    shutil.copytree(ROOT / "theme", site / "theme")
    monkeypatch.chdir(site)
    monkeypatch.setenv("REDRESS_SECRET", SECRET)
    content_before = sorted(p for p in (site / "content").rglob("*"))
    export = "order,email,name,products\n" + "".join(
        f"PRIV-{i:04d},private.person{i}@example.org,Privatename{i},espresso-x1;molen-m2\n" for i in range(20)
    )
    run = run_invite(capsys, export, "--site-url", "https://reviews.example.net", out="invitations")
    assert run.code == 0, run.stderr
    assert sorted(p for p in (site / "content").rglob("*")) == content_before
    private = {r["order"] for r in run.rows} | {r["email"] for r in run.rows} | {r["name"] for r in run.rows}
    private |= {token_of(link)[0] for r in run.rows for link in links_in(r["body"])}
    assert len(private) > 100

    settings = read_settings(
        str(site / "pelicanconf.py"),
        override={
            "PATH": str(site / "content"),
            "OUTPUT_PATH": str(site / "output"),
            "CACHE_PATH": str(site / "cache"),
            "THEME": str(site / "theme"),
        },
    )
    Pelican(settings).run()
    written = [p for p in (site / "output").rglob("*") if p.is_file()]
    assert len(written) > 50
    for path in written:
        data = path.read_bytes().decode("utf-8", "replace")
        leaked = [value for value in private if value in data]
        assert not leaked, (path, leaked[:3])
    assert not any("invitations" in str(p.relative_to(site / "output")) for p in written)
    # And every invitation lands on a form the build wrote.
    for link in {link for r in run.rows for link in links_in(r["body"])}:
        path = urlsplit(link).path.removeprefix("/")
        assert (site / "output" / path / "index.html").is_file(), link


def test_follow_up_link_carries_a_token_for_the_reviews_order(tmp_path, monkeypatch, capsys):
    """The "was it fixed?" link proves the answer is the reviewer's: its token is for the review's order."""
    import datetime as dt
    from urllib.parse import parse_qs, urlsplit

    from pelican.plugins.redress import cli, tokens

    secret = "s" * 40
    monkeypatch.setenv(tokens.SECRET_ENV, secret)
    monkeypatch.chdir(ROOT)
    slug = "2026-10-19-tuit-lekt-langs-de-zijkant"
    code = cli.main(
        ["follow-up-link", slug, "--settings", "pelicanconf.py", "--site-url", "https://s.example"]
    )
    assert code == 0
    link = capsys.readouterr().out.strip()
    parts = urlsplit(link)
    assert parts.path == "/reviews/follow-up/"
    query = parse_qs(parts.query)
    assert query["r"] == [slug]
    check = tokens.check_follow_up_token(secret.encode(), query["t"][0], slug, dt.date.today())
    assert check.kind == tokens.FOLLOW_UP, "a follow-up link is no invitation"
    order = next(
        line.split(":", 1)[1].strip()
        for line in (ROOT / "content/reviews" / f"{slug}.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("Order:")
    )
    assert check.valid and check.order == order
    assert (
        cli.main(
            [
                "follow-up-link",
                "no-such-review",
                "--settings",
                "pelicanconf.py",
                "--site-url",
                "https://s.example",
            ]
        )
        == 2
    )
