"""Order exports read without a site: header names in English, Dutch and Estonian, the
delimiter, a BOM, dates, several lines per order, and the problem line for each bad row."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from pelican.plugins.redress import tokens
from pelican.plugins.redress.content.model import Product
from pelican.plugins.redress.invite.orders import (
    OrderFileError,
    map_columns,
    normalise,
    parse_date,
    read_orders,
)

PRODUCTS = {
    "espresso-x1": Product("espresso-x1", "Espresso X1", sku="BB-ESP-X1"),
    "molen-m2": Product("molen-m2", "Molen M2", sku="BB-MOL-M2"),
    "ontkalker": Product("ontkalker", "Ontkalker"),
}


@pytest.fixture
def read(tmp_path: Path):
    """Write an export (text is dedented; bytes as they are) and read it back."""

    def reader(data: str | bytes, products: dict[str, Product] = PRODUCTS):
        path = tmp_path / "orders.csv"
        if isinstance(data, str):
            data = textwrap.dedent(data).lstrip("\n").encode("utf-8")
        path.write_bytes(data)
        return read_orders(path, "orders.csv", products)

    return reader


def by_number(result) -> dict:
    return {order.order: order for order in result.orders}


# --- headers in three languages ------------------------------------------------------------------


def test_english_header_with_commas(read):
    result = read(
        """
        Order Number,Email,Customer Name,Language,SKU,Delivery Date
        1001,jan@example.com,Jan de Vries,nl,BB-ESP-X1,2026-10-02
        """
    )
    assert result.delimiter == ","
    assert result.columns == {
        "order": "Order Number",
        "email": "Email",
        "name": "Customer Name",
        "lang": "Language",
        "products": "SKU",
        "delivered": "Delivery Date",
    }
    (order,) = result.orders
    assert (order.order, order.email, order.name, order.lang) == (
        "1001",
        "jan@example.com",
        "Jan de Vries",
        "nl",
    )
    assert order.products == ["espresso-x1"]
    assert order.delivered == dt.date(2026, 10, 2)
    assert result.problems == []


def test_dutch_header_with_semicolons(read):
    result = read(
        """
        Bestelnummer;E-mailadres;Klantnaam;Taal;Producten;Leverdatum
        BB-2001;an@example.nl;An Jansen, Utrecht;nl;molen-m2, ontkalker;02-10-2026
        """
    )
    assert result.delimiter == ";"
    assert set(result.columns) == {"order", "email", "name", "lang", "products", "delivered"}
    (order,) = result.orders
    assert order.name == "An Jansen, Utrecht"
    assert order.products == ["molen-m2", "ontkalker"]
    assert order.delivered == dt.date(2026, 10, 2)


def test_estonian_header_with_tabs(read):
    result = read(
        "Tellimus\tE-post\tKliendi nimi\tKeel\tTooted\tTarnekuupäev\n"
        "T-3\tkati@example.ee\tKati\tet\tontkalker\t2.10.2026\n"
    )
    assert result.delimiter == "\t"
    assert result.columns["delivered"] == "Tarnekuupäev"
    (order,) = result.orders
    assert (order.order, order.email, order.name, order.lang) == ("T-3", "kati@example.ee", "Kati", "et")
    assert order.delivered == dt.date(2026, 10, 2)


def test_header_names_compare_without_case_spaces_or_marks():
    assert normalise(" E-Mail_Address. ") == "emailaddress"
    assert map_columns(["ORDER_NO", "e.mail"]) == {"order": 0, "email": 1}


def test_the_most_specific_name_wins_not_the_first_column():
    # Both are the customer's name; "name" comes before "naam" in the accepted names.
    assert map_columns(["order", "email", "Naam", "Name"]) == {"order": 0, "email": 1, "name": 3}
    # The e-mail is "email" before "billing email", wherever it stands.
    assert map_columns(["Billing Email", "Order", "EMAIL"])["email"] == 2


def test_shopify_names_the_order_name(read):
    result = read(
        """
        Name,Email,Billing Name,Lineitem sku,Fulfilled at
        #1001,jan@example.com,Jan,BB-ESP-X1,2026-10-02 14:31:05 +0200
        #1001,jan@example.com,Jan,bb-mol-m2,
        """
    )
    assert result.columns["order"] == "Name"
    assert result.columns["name"] == "Billing Name"
    assert result.rows == 2
    (order,) = result.orders
    assert order.order == "#1001"
    assert order.products == ["espresso-x1", "molen-m2"]
    assert order.delivered == dt.date(2026, 10, 2)


def test_without_lineitem_columns_name_is_the_customer(read):
    result = read("order,email,name\n1,a@example.com,Ann\n")
    assert result.columns["name"] == "name"
    assert result.orders[0].name == "Ann"


def test_missing_required_columns_list_what_was_found_and_what_to_name_them(read):
    with pytest.raises(OrderFileError) as caught:
        read("Klant,Datum\nJan,2026-10-02\n")
    message = str(caught.value)
    assert message.startswith(
        "orders.csv: the header line has no column for the order number or the customer's e-mail address."
    )
    assert "Columns found: 'Klant', 'Datum'" in message
    assert "Name the order column one of: order, order id," in message
    assert "Name the email column one of: email, e-mail," in message
    assert caught.value.exitcode == 2


# --- delimiter, BOM, encoding ---------------------------------------------------------------------


def test_the_delimiter_is_the_one_the_header_uses_most(read):
    # Commas inside the values do not outvote the header's semicolons.
    result = read("order;email;name\n1;a@example.com;Jansen, Jan, jr.\n")
    assert result.delimiter == ";"
    assert result.orders[0].name == "Jansen, Jan, jr."


def test_a_one_column_header_falls_back_to_a_comma(read):
    with pytest.raises(OrderFileError, match="no column for the customer's e-mail address"):
        read("order\n1\n")


def test_a_bom_is_not_part_of_the_first_header(read):
    result = read(b"\xef\xbb\xbforder;email\r\n1;a@example.com\r\n")
    assert result.columns["order"] == "order"
    assert result.orders[0].email == "a@example.com"


def test_not_utf8_names_the_line_and_byte(read):
    with pytest.raises(OrderFileError) as caught:
        read("order,email,name\n1,a@example.com,Jan\n2,b@example.com,Ren\xe9\n".encode("latin-1"))
    assert str(caught.value).startswith("orders.csv:3: is not UTF-8 text (byte 0xe9)")


@pytest.mark.parametrize("data", [b"", b"\n \n", b"\xef\xbb\xbf"])
def test_an_empty_file(read, data):
    with pytest.raises(OrderFileError, match="orders.csv: is empty"):
        read(data)


def test_a_missing_file(tmp_path):
    with pytest.raises(OrderFileError, match="orders.csv: no such file"):
        read_orders(tmp_path / "nope.csv", "orders.csv", {})


def test_blank_lines_before_the_header_and_between_rows(read):
    result = read(b"\n\norder,email\n1,a@example.com\n\n2,b@example.com\n")
    assert [o.order for o in result.orders] == ["1", "2"]
    assert [o.line for o in result.orders] == [4, 6]
    assert result.rows == 2


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2026-10-02",
        "2026/10/2",
        "2026-10-02T14:31",
        "2026-10-02 14:31:05",
        "2026-10-02T14:31:05.123+02:00",
        "2026-10-02 14:31 +0200",
        "2026-10-02T23:59:59Z",
        "2026-10-02 14:31 UTC",
        "02-10-2026",
        "2/10/2026",
        "02.10.2026",
        "02-10-2026 14:31",
        " 2026-10-02 ",
    ],
)
def test_dates_read_as_the_day(text):
    assert parse_date(text) == dt.date(2026, 10, 2)


@pytest.mark.parametrize(
    "text", ["", "2026-02-30", "31-04-2026", "10/02/26", "2 October 2026", "2026-10-02 afternoon", "20261002"]
)
def test_not_dates(text):
    assert parse_date(text) is None


def test_an_unreadable_date_skips_the_order_with_a_problem(read):
    result = read("order,email,delivered\n1,a@example.com,2026-13-01\n2,b@example.com,\n")
    orders = by_number(result)
    assert orders["1"].skipped and orders["1"].delivered is None
    assert not orders["2"].skipped and orders["2"].delivered is None
    assert [str(p) for p in result.problems] == [
        "orders.csv:2: delivered: '2026-13-01' is not a date; write it as 2026-10-02 or 02-10-2026 "
        "(day first); the order is skipped"
    ]


# --- rows and orders ------------------------------------------------------------------------------


def test_lines_of_one_order_are_gathered(read):
    result = read(
        """
        order,email,name,products,delivered
        1,,,espresso-x1,
        2,b@example.com,Bea,ontkalker,2026-10-01
        1,a@example.com,Ann,BB-MOL-M2;espresso-x1|ontkalker,2026-10-02
        1,A@Example.com,Other,,2026-10-03
        """
    )
    assert [o.order for o in result.orders] == ["1", "2"]
    first = by_number(result)["1"]
    assert first.line == 2
    assert first.email == "a@example.com"
    assert first.name == "Ann"  # the first non-empty value wins
    assert first.delivered == dt.date(2026, 10, 2)
    assert first.products == ["espresso-x1", "molen-m2", "ontkalker"]
    assert result.problems == []  # the same e-mail in other case is no conflict
    assert result.rows == 4


def test_a_different_email_for_the_same_order_is_reported(read):
    result = read("order,email\n1,a@example.com\n1,b@example.com\n")
    assert by_number(result)["1"].email == "a@example.com"
    assert [str(p) for p in result.problems] == [
        "orders.csv:3: email: 'b@example.com' differs from 'a@example.com' on line 2 for the same order; "
        "the first is used"
    ]


def test_an_order_number_too_long_for_a_link_is_reported(read):
    """A column of notes or addresses read as the order number would make links no inbox reads."""
    long_number = "N" * (tokens.ORDER_MAX_CHARS + 1)
    fits = "F" * tokens.ORDER_MAX_CHARS
    result = read(f"order,email\n{long_number},a@example.com\n{fits},b@example.com\n")
    assert list(by_number(result)) == [fits]
    (problem,) = result.problems
    assert (problem.line, problem.column) == (2, "order")
    assert problem.message.startswith(f"is {tokens.ORDER_MAX_CHARS + 1} characters long;")
    assert problem.message.endswith("the line is skipped")
    # The longest order number with the most products an order's link names still verifies.
    products = [f"product-{n:03d}-" + "x" * 10 for n in range(13)]
    assert tokens.order_token_covers(products)
    token = tokens.make_order_token(b"s" * 32, fits, products, dt.date(2030, 1, 1))
    assert 512 < len(token) <= tokens.TOKEN_MAX
    assert tokens.check_token(b"s" * 32, token, products[-1], dt.date(2029, 1, 1)).valid


def test_bad_rows_are_reported_and_the_rest_are_read(read):
    result = read(
        """
        order,email,products
        ,a@example.com,
        A|B,b@example.com,
        3,not-an-address,
        4,,
        5,e@example.com,toaster
        6,f@example.com,ontkalker,extra
        7,g@example.com,ontkalker,,
        8,h@example.com
        """
    )
    orders = by_number(result)
    assert list(orders) == ["3", "4", "5", "7", "8"]
    assert orders["3"].email == "" and orders["4"].email == ""
    assert orders["5"].products == [] and not orders["5"].skipped
    assert orders["7"].products == ["ontkalker"]
    assert [(p.line, p.column) for p in result.problems] == [
        (2, "order"),
        (3, "order"),
        (4, "email"),
        (5, "email"),
        (6, "products"),
        (7, None),
    ]
    messages = [p.message for p in result.problems]
    assert messages[0] == "is empty; the line is skipped"
    assert "contains '|'" in messages[1]
    assert messages[2] == (
        "'not-an-address' is not an e-mail address; the order gets its QR code and insert, but no e-mail"
    )
    assert messages[3] == "is empty; the order gets its QR code and insert, but no e-mail"
    assert messages[4].startswith(
        "'toaster' is not a product slug or SKU of the site (known: espresso-x1 / BB-ESP-X1, molen-m2"
    )
    assert messages[5] == (
        "has 4 values but the header has 3 columns; put values that contain a comma in double quotes; "
        "the line is skipped"
    )
    assert result.problem_lines == 6
    assert result.rows == 8


def test_a_quoted_value_may_span_lines_and_keeps_line_numbers(read):
    result = read('order,email,name\n1,a@example.com,"Ann\nSmith"\n2,b@example.com,\n3,bad,x\n')
    orders = by_number(result)
    assert orders["1"].name == "Ann Smith"
    assert orders["2"].line == 4
    assert [p.line for p in result.problems] == [5]


def test_a_row_csv_cannot_read_names_its_line(read):
    # An unclosed quote swallows the rest of the file into one field, past csv's field limit.
    with pytest.raises(OrderFileError, match=r"^orders.csv:\d+: cannot be read as CSV \(field larger"):
        read('order,email\n1,a@example.com\n2,"b@example.com\n' + "x" * 200_000 + "\n")


def test_control_characters_are_dropped_and_names_collapse(read):
    result = read(b'order,email,name\n1\x07,a@example.com,"Ann\t\t van\x0b Di\x7fjk\x0e "\n')
    (order,) = result.orders
    assert order.order == "1"
    assert order.name == "Ann van Dijk"


def test_known_products_hint_without_products(read):
    result = read("order,email,sku\n1,a@example.com,kettle\n", products={})
    assert "(the site has no products in its content)" in result.problems[0].message


def test_known_products_hint_is_cut_after_eight(read):
    products = {f"p{n:02}": Product(f"p{n:02}", f"P {n}") for n in range(10)}
    result = read("order,email,sku\n1,a@example.com,kettle\n", products=products)
    assert "(known: p00, p01, p02, p03, p04, p05, p06, p07, … 10 in all)" in result.problems[0].message


def test_an_import_before_leaves_the_order_files_cell_limit_alone(read, tmp_path):
    """The import raises the csv module's cell limit while it reads, and puts it back."""
    import csv

    from pelican.plugins.redress.imports.tables import read_csv_text

    before = csv.field_size_limit()
    read_csv_text(tmp_path / "export.csv", "a,b\n1," + "y" * 200_000 + "\n")
    assert csv.field_size_limit() == before
    with pytest.raises(OrderFileError, match=r"^orders.csv:\d+: cannot be read as CSV \(field larger"):
        read('order,email\n1,a@example.com\n2,"b@example.com\n' + "x" * 200_000 + "\n")
