"""Amazon order reports and Shopify exports: what lands in each table, re-imports, updates, and
every kind of bad input named by file, line and field with nothing stored."""

from datetime import datetime, timezone
from pathlib import Path

import pytest

from deskui.ingest import ImportFailed, detect_format, import_file
from deskui.policy import default_policy

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=timezone.utc)


pytestmark = pytest.mark.backends


@pytest.fixture
def db(conn):
    return conn


def run(conn, name, **options):
    return import_file(conn, FIXTURES / name, policy=default_policy(), now=NOW, display=name, **options)


def order(conn, number, channel="amazon"):
    return conn.execute("SELECT * FROM orders WHERE channel = ? AND order_number = ?", (channel, number)).fetchone()


def items(conn, number, channel="amazon"):
    return [
        tuple(row)
        for row in conn.execute(
            "SELECT i.sku, i.asin, i.title, i.quantity, i.price FROM order_items i JOIN orders o ON o.id = i.order_id "
            "WHERE o.channel = ? AND o.order_number = ? ORDER BY i.id",
            (channel, number),
        )
    ]


def count(conn, table):
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def counts(summary, table):
    return summary.counts[table]


# ---------------------------------------------------------------------- Amazon
def test_amazon_report_by_last_update(db):
    summary = run(db, "amazon/orders-by-last-update.txt")
    assert summary.format == "amazon_orders" and summary.stored and not summary.rejections
    assert counts(summary, "orders") == {"added": 6, "updated": 0, "unchanged": 0, "rejected": 0}
    assert counts(summary, "order_items") == {"added": 8, "updated": 0, "unchanged": 0, "rejected": 0}
    assert count(db, "customers") == 0  # the report carries no buyer identity

    fba = order(db, "114-3941689-8772232")
    assert (fba["marketplace"], fba["fulfillment"], fba["status"], fba["currency"]) == ("amazon.com", "FBA", "shipped", "USD")
    assert fba["purchased_at"] == "2026-11-18T14:02:11Z" and fba["updated_at"] == "2026-11-19T08:45:30Z"
    assert fba["total"] == pytest.approx(24.99 + 13.98)
    assert items(db, "114-3941689-8772232") == [
        ("CM-DRIP-WHT", "B07XJ8C8F5", "Ceramic Pour-Over Coffee Dripper, White", 1, 24.99),
        ("CM-FILT-100", "B01N5IB20Q", "Paper Coffee Filters, 100 Count (Pack of 2)", 2, 6.99),  # unit price
    ]
    fbm = order(db, "111-0944945-3989852")
    assert (fbm["fulfillment"], fbm["status"]) == ("FBM", "unshipped")
    assert fbm["total"] == pytest.approx(39.99 + 5.99 - 4.00 - 5.99)  # promotions off
    assert order(db, "171-5550123-1234567")["marketplace"] == "amazon.fr"
    assert items(db, "171-5550123-1234567")[0][2] == "Moulin à café manuel en céramique"
    mcf = order(db, "P03-1234567-7654321")  # Amazon Pay id, sold off Amazon, shipped by Amazon
    assert (mcf["fulfillment"], mcf["marketplace"]) == ("MCF", None)
    pending = order(db, "S01-3718414-0463502")
    assert (pending["status"], pending["total"], pending["currency"], pending["marketplace"]) == ("pending", None, None, "amazon.de")
    assert [row[4] for row in items(db, "S01-3718414-0463502")] == [None, None]
    cancelled = order(db, "026-9876543-2109876")
    assert (cancelled["status"], cancelled["marketplace"]) == ("cancelled", "amazon.co.uk")
    assert items(db, "026-9876543-2109876") == [("CM-MUG-450", "B0BTW2N7Y3", "Insulated Travel Mug 450 ml", 0, None)]


def test_amazon_column_variants(db):
    old = run(db, "amazon/orders-with-url.txt")  # `url` after order-channel, AFN/MFN spellings
    assert counts(old, "orders")["added"] == 2 and counts(old, "order_items")["added"] == 3
    assert order(db, "112-5550198-4433221")["fulfillment"] == "FBA"
    assert order(db, "113-2220987-5566778")["fulfillment"] == "FBM"
    assert items(db, "113-2220987-5566778") == [("CI-TRIV-1", "B07P6Y5ZQ1", "Cast Iron Trivet", 3, 14.99)]
    by_date = run(db, "amazon/orders-by-order-date.txt")  # cpf, number-of-items, tax-collection-*
    assert counts(by_date, "orders")["added"] == 2 and counts(by_date, "order_items")["added"] == 3
    brazil = order(db, "701-1112223-3344556")
    assert (brazil["marketplace"], brazil["currency"], brazil["total"]) == ("amazon.com.br", "BRL", pytest.approx(169.80))
    assert [row[2] for row in items(db, "701-1112223-3344556")] == ["Garrafa Térmica 1L", "Caneca de Cerâmica 350ml"]


def test_reimport_changes_nothing(db):
    run(db, "amazon/orders-by-last-update.txt")
    before = count(db, "changes")
    again = run(db, "amazon/orders-by-last-update.txt")
    assert counts(again, "orders") == {"added": 0, "updated": 0, "unchanged": 6, "rejected": 0}
    assert counts(again, "order_items") == {"added": 0, "updated": 0, "unchanged": 8, "rejected": 0}
    assert count(db, "changes") == before  # nothing written: the change feed stays quiet


def test_a_later_report_updates_what_changed(db):
    run(db, "amazon/orders-by-last-update.txt")
    later = run(db, "amazon/orders-by-last-update-next-day.txt")
    assert counts(later, "orders") == {"added": 0, "updated": 2, "unchanged": 4, "rejected": 0}
    assert counts(later, "order_items") == {"added": 0, "updated": 2, "unchanged": 6, "rejected": 0}
    assert order(db, "111-0944945-3989852")["status"] == "shipped"
    priced = order(db, "S01-3718414-0463502")
    assert (priced["status"], priced["currency"], priced["total"]) == ("unshipped", "EUR", pytest.approx(35.88))
    assert [row[4] for row in items(db, "S01-3718414-0463502")] == [19.90, 7.99]
    assert count(db, "order_items") == 8


def test_an_older_report_never_overwrites_a_newer_one(db):
    run(db, "amazon/orders-by-last-update-next-day.txt")
    older = run(db, "amazon/orders-by-last-update.txt")
    assert counts(older, "orders")["updated"] == 0
    assert order(db, "111-0944945-3989852")["status"] == "shipped"


def test_dry_run_reports_and_stores_nothing(db):
    summary = run(db, "amazon/orders-by-last-update.txt", dry_run=True)
    assert summary.dry_run and not summary.stored
    assert counts(summary, "orders")["added"] == 6
    assert count(db, "orders") == 0 and count(db, "order_items") == 0
    assert summary.lines() == [
        "amazon/orders-by-last-update.txt (amazon_orders): would import (dry run: nothing stored)",
        "  orders       added 6  updated 0  unchanged 0  rejected 0",
        "  order_items  added 8  updated 0  unchanged 0  rejected 0",
    ]


@pytest.mark.parametrize(
    "name, line, field, words",
    [
        ("bad/amazon-missing-column.txt", 1, "item-price", "required column missing"),
        ("bad/amazon-bad-date.txt", 4, "purchase-date", "not a date/time: '2026-11-31T22:41:05+00:00'"),
        ("bad/amazon-bad-price.txt", 3, "item-price", "not a number: '13.98 USD'"),
        ("bad/amazon-truncated.txt", 5, "currency", "truncated row: 14 of 31 columns"),
    ],
)
def test_bad_amazon_input_is_named_and_nothing_is_stored(db, name, line, field, words):
    run(db, "amazon/orders-with-url.txt")
    before = (count(db, "orders"), count(db, "order_items"), count(db, "changes"))
    with pytest.raises(ImportFailed) as failed:
        run(db, name)
    rejections = failed.value.rejections
    assert len(rejections) == 1
    text = str(rejections[0])
    assert text.startswith(f"{name}:{line}: field {field}: ") and words in text
    assert (count(db, "orders"), count(db, "order_items"), count(db, "changes")) == before
    assert "nothing from" in str(failed.value) and not failed.value.summary.stored
    assert failed.value.summary.lines()[0] == f"{name} (amazon_orders): nothing stored: 1 rejected"


def test_every_rejection_is_listed(db, tmp_path):
    source = (FIXTURES / "amazon/orders-by-last-update.txt").read_text(encoding="utf-8").splitlines()
    source[1] = source[1].replace("2026-11-18T14:02:11+00:00", "soon", 1)
    source[5] = source[5].replace("\t18.50\t", "\tn/a\t")
    path = tmp_path / "two-problems.txt"
    path.write_text("\n".join(source) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failed:
        import_file(db, path, policy=default_policy(), now=NOW)
    assert [(r.line, r.field) for r in failed.value.rejections] == [(2, "purchase-date"), (6, "item-price")]
    assert count(db, "orders") == 0


def test_skip_mode_stores_the_good_orders(db):
    summary = run(db, "bad/amazon-bad-price.txt", on_error="skip")
    assert summary.stored and len(summary.rejections) == 1
    assert summary.lines()[0] == "bad/amazon-bad-price.txt (amazon_orders): imported, 1 rejected (skipped)"
    assert summary.lines()[-1] == "  bad/amazon-bad-price.txt:3: field item-price: not a number: '13.98 USD'"
    # the bad row's whole order is rejected (no half orders); the others are stored
    assert counts(summary, "orders") == {"added": 2, "updated": 0, "unchanged": 0, "rejected": 1}
    assert counts(summary, "order_items") == {"added": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    assert order(db, "114-3941689-8772232") is None
    assert order(db, "111-0944945-3989852") is not None


def test_skip_mode_with_a_truncated_file(db):
    summary = run(db, "bad/amazon-truncated.txt", on_error="skip")
    assert counts(summary, "orders")["added"] == 2 and counts(summary, "orders")["rejected"] == 1
    assert order(db, "171-5550123-1234567") is None


def test_a_missing_column_fails_even_in_skip_mode(db):
    with pytest.raises(ImportFailed):
        run(db, "bad/amazon-missing-column.txt", on_error="skip")
    assert count(db, "orders") == 0


def test_binary_file(db):
    with pytest.raises(ImportFailed) as failed:
        run(db, "bad/orders.xlsx")
    assert [str(r) for r in failed.value.rejections] == [
        "bad/orders.xlsx:1: field file: binary file (NUL bytes or a binary signature), not a text export or e-mail; "
        "check that you picked the right file"
    ]
    with pytest.raises(ImportFailed) as forced:  # even when the format is forced
        run(db, "bad/orders.xlsx", format="amazon_orders")
    assert len(forced.value.rejections) == 1 and forced.value.rejections[0].field == "file"


def test_rows_of_one_order_far_apart_are_merged(db, tmp_path):
    lines = (FIXTURES / "amazon/orders-by-last-update.txt").read_text(encoding="utf-8").splitlines()
    reordered = [lines[0], lines[1], *lines[3:], lines[2]]  # the second item of the first order comes last
    path = tmp_path / "shuffled.txt"
    path.write_text("\n".join(reordered) + "\n", encoding="utf-8")
    import deskui.ingest.amazon as amazon

    original = amazon.BATCH
    amazon.BATCH = 2  # force the two rows into different batches
    try:
        summary = import_file(db, path, policy=default_policy(), now=NOW)
    finally:
        amazon.BATCH = original
    assert counts(summary, "orders")["added"] == 6 and counts(summary, "order_items")["added"] == 8
    assert order(db, "114-3941689-8772232")["total"] == pytest.approx(38.97)
    assert len(items(db, "114-3941689-8772232")) == 2


# ---------------------------------------------------------------------- Shopify
def test_shopify_export(db):
    summary = run(db, "shopify/orders-export.csv")
    assert summary.format == "shopify_orders" and not summary.rejections
    assert counts(summary, "orders") == {"added": 4, "updated": 0, "unchanged": 0, "rejected": 0}
    assert counts(summary, "order_items") == {"added": 7, "updated": 0, "unchanged": 0, "rejected": 0}
    assert counts(summary, "customers") == {"added": 3, "updated": 0, "unchanged": 0, "rejected": 0}

    first = order(db, "#1001", "shopify")
    assert (first["status"], first["fulfillment"], first["currency"], first["total"]) == ("shipped", "SELF", "USD", 83.63)
    assert first["purchased_at"] == "2026-11-10T20:32:07Z" and first["shipped_at"] == "2026-11-11T14:14:00Z"
    assert items(db, "#1001", "shopify") == [
        ("WSB-L", None, "Walnut Serving Board - Large", 1, 48.0),
        ("BWC-100", None, "Beeswax Wood Conditioner", 2, 12.0),  # a later row: line item only
    ]
    refunded = order(db, "#1002", "shopify")
    assert (refunded["refunded_amount"], refunded["currency"]) == (45.0, "EUR")
    partial = order(db, "#1003", "shopify")
    assert (partial["refunded_amount"], partial["fulfillment"]) == (10.0, "MCF")  # tagged MCF
    assert len(items(db, "#1003", "shopify")) == 3
    cancelled = order(db, "#1004", "shopify")
    assert (cancelled["status"], cancelled["refunded_amount"]) == ("cancelled", 0.0)

    jane = db.execute("SELECT * FROM customers WHERE channel = 'shopify' AND external_id = 'jane.doe@example.com'").fetchone()
    assert (jane["name"], jane["email"], jane["country"], jane["created_at"]) == ("Jane Doe", "jane.doe@example.com", "US", "2026-11-10T20:32:07Z")
    assert first["customer_id"] == jane["id"] == partial["customer_id"]  # e-mail case does not split a buyer
    hans = db.execute("SELECT name, country FROM customers WHERE external_id = 'hans.mueller@example.de'").fetchone()
    assert tuple(hans) == ("Hans Müller", "DE")


def test_shopify_reimport_and_fulfillment_date_variant(db):
    run(db, "shopify/orders-export.csv")
    again = run(db, "shopify/orders-export.csv")
    assert {table: c["unchanged"] for table, c in again.counts.items()} == {"orders": 4, "order_items": 7, "customers": 3}
    assert all(c["added"] == c["updated"] == 0 for c in again.counts.values())
    variant = run(db, "shopify/orders-export-fulfillment-date.csv")
    assert counts(variant, "orders")["added"] == 1
    assert order(db, "#1005", "shopify")["shipped_at"] == "2026-11-11T14:14:00Z"


def test_shopify_bad_price(db):
    with pytest.raises(ImportFailed) as failed:
        run(db, "bad/shopify-bad-price.csv")
    assert [str(r) for r in failed.value.rejections] == ["bad/shopify-bad-price.csv:3: field Lineitem price: not a number: '12.OO'"]
    assert count(db, "orders") == count(db, "customers") == 0


def test_order_formats_are_detected_from_content(tmp_path):
    for name, expected in [
        ("amazon/orders-by-last-update.txt", "amazon_orders"),
        ("amazon/orders-with-url.txt", "amazon_orders"),
        ("amazon/orders-by-order-date.txt", "amazon_orders"),
        ("shopify/orders-export.csv", "shopify_orders"),
    ]:
        assert detect_format(FIXTURES / name) == expected
        renamed = tmp_path / "export.dat"  # the name does not matter
        renamed.write_bytes((FIXTURES / name).read_bytes())
        assert detect_format(renamed) == expected


def test_windows_1252_report_and_excel_bom(db, tmp_path):
    text = (FIXTURES / "amazon/orders-by-last-update.txt").read_text(encoding="utf-8")
    path = tmp_path / "cp1252.txt"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("cp1252"))  # BOM in front, accents in cp1252
    import_file(db, path, policy=default_policy(), now=NOW)
    assert items(db, "171-5550123-1234567")[0][2] == "Moulin à café manuel en céramique"
