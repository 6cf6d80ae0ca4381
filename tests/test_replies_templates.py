"""Reply templates: the built-in set, placeholders filled from the order, broken files, overrides."""

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest

from deskui.policy import Problem
from deskui.replies.linter import lint
from deskui.replies.templates import (
    BUILTIN_DIR,
    PLACEHOLDERS,
    Template,
    fill,
    format_money,
    guess_language,
    load_templates,
    placeholders_in,
    suggest,
    unfilled,
)
from deskui.store.context import Customer, Order, OrderItem, TicketContext, TrackingEvent

UTC = timezone.utc
SCENARIOS = {  # the seeds' scenarios -> the built-in template keys that answer them
    "damaged": "damaged", "missing item": "missing_item", "where is my order": "where_is_my_order",
    "late / not received": "not_received", "wrong item": "wrong_item", "defective": "defective",
    "A-to-z claim prevention": "atoz_claim", "refund": "refund", "exchange": "exchange",
    "return instructions": "return_instructions", "invoice": "invoice", "acknowledgement": "acknowledgement",
}


def order(**overrides) -> Order:
    values = dict(
        id=7, channel="amazon", order_number="171-5550123-1234567", marketplace="amazon.fr",
        purchased_at=datetime(2026, 11, 18, 9, 0, tzinfo=UTC), status="shipped", fulfillment="FBM",
        ship_by=datetime(2026, 11, 19, 23, 0, tzinfo=UTC), deliver_by=datetime(2026, 11, 24, 23, 0, tzinfo=UTC),
        shipped_at=datetime(2026, 11, 19, 15, 30, tzinfo=UTC), delivered_at=datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
        carrier="Colissimo", tracking_number="6A12345678901", currency="EUR", total=1259.9, refunded_amount=59.9,
        return_status=None, feedback_rating=None, feedback_text=None, claim_status=None, chargeback=False,
        items=[OrderItem("LAMP-2041-BLK", "B08N5WRWNW", "Lampe de bureau LED", 1, 59.9),
               OrderItem("BULB-E27", None, "Ampoule E27", 2, 4.5)],
        tracking=[TrackingEvent(datetime(2026, 11, 23, 11, 0, tzinfo=UTC), "delivered", "Lyon", "Livré"),
                  TrackingEvent(datetime(2026, 11, 22, 7, 0, tzinfo=UTC), "in_transit", "Paris", "En transit")],
    )
    values.update(overrides)
    return Order(**values)


def context(ticket=None, with_order=True, customer_name="Claire Martin", **order_overrides) -> TicketContext:
    ticket = ticket or {"channel": "amazon", "marketplace": "amazon.fr", "order_number": "171-5550123-1234567",
                        "subject": "Colis abîmé", "category": "damaged"}
    customer = Customer(3, customer_name, "x7@marketplace.amazon.fr", "FR") if customer_name else None
    return TicketContext(ticket, order(**order_overrides) if with_order else None, customer, [], [])


@pytest.fixture(scope="module")
def builtin():
    return load_templates(BUILTIN_DIR)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- the built-in set ---------------------------------------------------------------------------
def test_every_builtin_template_loads(builtin):
    assert builtin.problems == []
    assert len(builtin.templates) >= 2 * len(SCENARIOS)
    for template in builtin.templates:
        assert isinstance(template, Template)
        assert template.body and template.title
        assert template.path.is_file()
        assert set(template.placeholders) <= set(PLACEHOLDERS)


@pytest.mark.parametrize("language", ["en", "fr", "de", "es", "it"])
def test_each_language_covers_every_scenario(builtin, language):
    keys = {t.key for t in builtin.templates if t.language == language}
    missing = {scenario for scenario, key in SCENARIOS.items() if key not in keys}
    assert not missing, f"{language} lacks templates for {missing}"


def test_every_language_has_the_same_keys(builtin):
    by_language = {}
    for template in builtin.templates:
        by_language.setdefault(template.language, set()).add(template.key)
    assert len({frozenset(keys) for keys in by_language.values()}) == 1


def test_only_the_acknowledgement_is_automatic(builtin):
    automatic = {(t.language, t.key) for t in builtin.templates if t.auto_ack}
    assert automatic == {(t.language, "acknowledgement") for t in builtin.templates if t.key == "acknowledgement"}
    assert all(t.category is None for t in builtin.templates if t.auto_ack)


def test_claim_template_is_amazon_only_and_never_asks_to_withdraw(builtin):
    for template in builtin.templates:
        if template.key == "atoz_claim":
            assert template.channels == frozenset({"amazon"})
            assert template.category == "atoz_claim"
            assert "{refund_amount}" in template.body and "{tracking_number}" in template.body
            assert not [w for w in lint(template.body, "amazon") if w.rule == "claim_withdrawal"]


def test_every_builtin_template_passes_the_amazon_linter_raw_and_filled(builtin):
    for template in builtin.templates:
        assert lint(template.body, "amazon") == [], template.path
        filled, _ = fill(template.body, context(), agent="ana.lopez", language=template.language)
        assert lint(filled, "amazon") == [], (template.path, lint(filled, "amazon"))
        for channel, marketplace in (("ebay", "ebay.de"), ("walmart", "walmart.com"), ("tiktok", "tiktokshop.us")):
            ticket = {"channel": channel, "marketplace": marketplace, "order_number": "1", "subject": ""}
            filled, _ = fill(template.body, context(ticket, channel=channel, marketplace=marketplace), agent="ana",
                             language=template.language)
            assert lint(filled, channel) == [], (template.path, channel, lint(filled, channel))


def test_guess_language_recognises_every_builtin_template(builtin):
    for template in builtin.templates:
        assert guess_language(template.body) == template.language, template.path


# -- filling ------------------------------------------------------------------------------------
def test_fill_from_the_order_context():
    text = ("Hello {customer_first_name} ({customer_name}), order {order_id} on {marketplace}: {item_title} / {items}, "
            "{carrier} {tracking_number}, shipped {ship_date}, delivered {delivery_date}, promised "
            "{promised_delivery_date}, bought {purchase_date}, return by {return_deadline}, refunded {refund_amount} "
            "of {order_total}, last {last_tracking_event}, SKU {sku} ASIN {asin}. {agent_name}")
    filled, missing = fill(text, context(), agent="ana.lopez", language="en")
    assert missing == []
    assert unfilled(filled) == []
    assert filled == (
        "Hello Claire (Claire Martin), order 171-5550123-1234567 on Amazon.fr: Lampe de bureau LED / "
        "Lampe de bureau LED, 2 × Ampoule E27, Colissimo 6A12345678901, shipped 19 November 2026, delivered "
        "23 November 2026, promised 24 November 2026, bought 18 November 2026, return by 23 December 2026, "
        "refunded €59.90 of €1,259.90, last Livré, Lyon (23 November 2026), SKU LAMP-2041-BLK ASIN B08N5WRWNW. "
        "Ana Lopez")


@pytest.mark.parametrize("language, date, money", [
    ("en", "19 November 2026", "€1,259.90"),
    ("fr", "19 novembre 2026", "1 259,90 €"),
    ("de", "19. November 2026", "1.259,90 €"),
    ("es", "19 de noviembre de 2026", "1.259,90 €"),
    ("it", "19 novembre 2026", "1.259,90 €"),
])
def test_dates_and_money_are_written_the_buyers_way(language, date, money):
    filled, _ = fill("{ship_date} | {order_total}", context(), agent="ana", language=language)
    assert filled == f"{date} | {money}"


def test_fill_guesses_the_language_from_the_template_text():
    filled, _ = fill("Bonjour, votre commande est partie le {ship_date}.", context(), agent="ana")
    assert "19 novembre 2026" in filled


def test_money_formats():
    assert format_money(59.9, "EUR", "fr") == "59,90 €"
    assert format_money(12, "GBP", "en") == "£12.00"
    assert format_money(12, "SEK", "en") == "12.00 SEK"
    assert format_money(1234.5, "USD", "de") == "1.234,50 $"


def test_missing_values_stay_visible_and_are_reported():
    ctx = context(refunded_amount=0.0, tracking_number=None, delivered_at=None, tracking=[])
    filled, missing = fill("Hi {customer_first_name}: {tracking_number}, {refund_amount}, {return_deadline}, "
                           "{last_tracking_event}.", ctx, agent="ana", language="en")
    assert filled == "Hi Claire: {tracking_number}, {refund_amount}, {return_deadline}, {last_tracking_event}."
    assert missing == ["tracking_number", "refund_amount", "return_deadline", "last_tracking_event"]
    assert unfilled(filled) == missing


def test_without_an_order_only_ticket_and_agent_values_fill():
    filled, missing = fill("{customer_first_name} {order_id} {marketplace} {item_title} {agent_name}",
                           context(with_order=False), agent="Ana", language="en")
    assert filled == "Claire 171-5550123-1234567 Amazon.fr {item_title} Ana"
    assert missing == ["item_title"]


def test_without_any_context():
    filled, missing = fill("Hello {customer_first_name}, {agent_name}", None, agent="ana")
    assert filled == "Hello {customer_first_name}, Ana"
    assert missing == ["customer_first_name"]


def test_first_name_from_an_amazon_alias_or_the_subject():
    filled, _ = fill("{customer_first_name}|{customer_name}", context(customer_name="Alisa - Amazon Marketplace"),
                     agent="a")
    assert filled == "Alisa|Alisa"
    ticket = {"channel": "amazon", "marketplace": "amazon.com", "order_number": None,
              "subject": "Inquiry from Amazon customer Josh (Order: 111-0944945-3989852)"}
    filled, missing = fill("{customer_first_name}", context(ticket, with_order=False, customer_name=None), agent="a")
    assert (filled, missing) == ("Josh", [])


def test_works_with_a_real_sqlite_row_missing_columns():
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    row = conn.execute("SELECT 'amazon' AS channel, '114-3941689-8772232' AS order_number").fetchone()
    filled, missing = fill("{order_id} {marketplace} {customer_first_name}", context(row, with_order=False,
                                                                                  customer_name=None), agent="a")
    assert filled == "114-3941689-8772232 Amazon {customer_first_name}"
    assert missing == ["customer_first_name"]


@pytest.mark.parametrize("marketplace, channel, shown", [
    ("amazon.co.uk", "amazon", "Amazon.co.uk"), ("ebay.de", "ebay", "eBay.de"), ("walmart.com", "walmart", "Walmart"),
    ("tiktokshop.us", "tiktok", "TikTok Shop"), ("instagram", "instagram", "Instagram"),
    ("nordhaus-home.myshopify.com", "shopify", "Nordhaus Home"),
])
def test_marketplace_names_as_buyers_know_them(marketplace, channel, shown):
    ticket = {"channel": channel, "marketplace": marketplace, "order_number": "1", "subject": ""}
    filled, _ = fill("{marketplace}", context(ticket, marketplace=marketplace, channel=channel), agent="a")
    assert filled == shown


def test_literal_braces():
    text = "Use {{braces}} like {{ this }}, then {order_id}."
    assert placeholders_in(text) == ["order_id"]
    filled, missing = fill(text, context(), agent="a")
    assert filled == "Use {braces} like { this }, then 171-5550123-1234567."
    assert missing == []


def test_placeholders_in_and_unfilled():
    assert placeholders_in("{a_b} {order_id} {a_b} {Bad Name} {{x}}") == ["a_b", "order_id"]
    assert unfilled("Hello {customer_first_name}, your invoice for {order_id} {order_id}.") == [
        "customer_first_name", "order_id"]
    assert unfilled("Prices {from 5 €} and {Deluxe} or a lone { brace } are not placeholders") == []


# -- broken files -------------------------------------------------------------------------------
BROKEN = {
    "no_separator.txt": ("title: x\ncategory: damaged\nHello {order_id}\n", 1, "header", "'---'"),
    "bad_header.txt": ("title: x\nthis is not a header\n---\nHello\n", 2, "header", "key: value"),
    "unknown_key.txt": ("title: x\ncategry: damaged\n---\nHello\n", 2, "categry", "category"),
    "unclosed.txt": ("title: x\n---\nHello,\n\nyour order {order_id is late.\n", 5, "placeholder", "unclosed"),
    "stray.txt": ("title: x\n---\nHello }\n", 3, "placeholder", "'}}'"),
    "unknown_placeholder.txt": ("title: x\n---\nHi\nOrder {order_number}\n", 4, "placeholder", "{order_id}"),
    "bad_name.txt": ("title: x\n---\nHi {Order Id}\n", 3, "placeholder", "lowercase"),
    "bad_category.txt": ("title: x\ncategory: damage\n---\nHi\n", 2, "category", "damaged"),
    "bad_channel.txt": ("title: x\nchannels: amazon, etsy\n---\nHi\n", 2, "channels", "etsy"),
    "bad_ack.txt": ("title: x\nauto_ack: maybe\n---\nHi\n", 2, "auto_ack", "yes or no"),
    "empty.txt": ("title: x\n---\n\n", 2, "body", "no text"),
}


def test_broken_templates_are_reported_with_their_line_and_the_others_load(tmp_path):
    lead = tmp_path / "lead"
    write(lead / "en" / "good.txt", "title: Good one\ncategory: damaged\n---\nHello {customer_first_name}\n")
    for name, (source, *_rest) in BROKEN.items():
        write(lead / "en" / name, source)
    found = load_templates(BUILTIN_DIR, lead)
    assert found.get("en", "good") is not None
    assert found.get("en", "damaged") is not None  # the built-ins are untouched
    by_file = {}
    for problem in found.problems:
        assert isinstance(problem, Problem)
        by_file.setdefault(Path(problem.file).name, []).append(problem)
    assert set(by_file) == set(BROKEN)
    for name, (_source, line, field, words) in BROKEN.items():
        problem = by_file[name][0]
        assert (problem.line, problem.field) == (line, field), str(problem)
        assert words in problem.message, str(problem)
        assert str(problem).startswith(f"{lead / 'en' / name}:{line}: {field}: ")
        assert found.get("en", name[:-4]) is None


def test_every_problem_of_a_file_is_reported(tmp_path):
    write(tmp_path / "fr" / "two.txt", "title: x\ncategory: nope\n---\nBonjour {prenom}\net {order_id\n")
    found = load_templates(tmp_path)
    assert [(p.line, p.field) for p in found.problems] == [(2, "category"), (4, "placeholder"), (5, "placeholder")]
    assert found.templates == []


def test_misplaced_files_and_unreadable_text(tmp_path):
    write(tmp_path / "loose.txt", "title: x\n---\nHi\n")
    write(tmp_path / "english" / "a.txt", "title: x\n---\nHi\n")
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "latin1.txt").write_bytes("title: é\n---\nHi\n".encode("latin-1"))
    write(tmp_path / "en" / "notes.md", "ignored")
    write(tmp_path / "README.md", "ignored")
    found = load_templates(tmp_path)
    messages = {Path(p.file).name: p.message for p in found.problems}
    assert set(messages) == {"loose.txt", "english", "latin1.txt"}
    assert "UTF-8" in messages["latin1.txt"]


def test_a_missing_lead_dir_is_fine(tmp_path):
    found = load_templates(BUILTIN_DIR, tmp_path / "does-not-exist")
    assert found.problems == [] and found.templates


# -- a lead's overrides -------------------------------------------------------------------------
def test_a_leads_dir_overrides_by_language_and_key(tmp_path, builtin):
    write(tmp_path / "fr" / "damaged.txt", "title: Abîmé (maison)\ncategory: damaged\nchannels: amazon\n---\n"
                                           "Bonjour {customer_first_name}, nous renvoyons {item_title}.\n")
    write(tmp_path / "fr" / "gift_note.txt", "title: Mot cadeau\n---\nBonjour, voici le mot.\n")
    found = load_templates(BUILTIN_DIR, tmp_path)
    assert found.problems == []
    damaged = found.get("fr", "damaged")
    assert damaged.title == "Abîmé (maison)" and damaged.channels == frozenset({"amazon"})
    assert damaged.path == tmp_path / "fr" / "damaged.txt"
    assert found.get("en", "damaged") == builtin.get("en", "damaged")
    assert found.get("fr", "gift_note").category is None
    assert len(found.templates) == len(builtin.templates) + 1


def test_a_broken_override_keeps_the_builtin(tmp_path, builtin):
    write(tmp_path / "en" / "refund.txt", "title: x\n---\nRefunded {refund_amount\n")
    found = load_templates(BUILTIN_DIR, tmp_path)
    assert len(found.problems) == 1 and found.problems[0].line == 3
    assert found.get("en", "refund") == builtin.get("en", "refund")


def test_header_comments_and_literal_braces_load(tmp_path):
    write(tmp_path / "en" / "a.txt", "# a lead's note\ntitle: A  # trailing note\n\nauto_ack: yes\n---\n\n"
                                     "Keep {{this}} and {agent_name}\n\n")
    template = load_templates(tmp_path).templates[0]
    assert (template.title, template.auto_ack, template.body) == ("A", True, "Keep {{this}} and {agent_name}")


# -- choosing -----------------------------------------------------------------------------------
def test_suggest_puts_the_buyers_language_and_category_first(builtin):
    ranked = suggest(builtin.templates, "damaged", "amazon", "fr")
    assert (ranked[0].language, ranked[0].key) == ("fr", "damaged")
    french = [t for t in ranked if t.language == "fr"]
    assert ranked[:len(french)] == french  # the buyer's language first
    keys = [t.key for t in french]
    assert keys.index("defective") < keys.index("acknowledgement") < keys.index("invoice")  # related, ack, others
    assert {t.language for t in ranked[len(french):]} == {"en", "de", "es", "it"}
    assert all(t.key == "damaged" for t in ranked[len(french):])


def test_suggest_leaves_out_other_channels_templates(builtin):
    shopify = suggest(builtin.templates, "return", "shopify", "en")
    assert shopify[0].key == "return_label"
    assert "atoz_claim" not in {t.key for t in shopify} and "return_instructions" not in {t.key for t in shopify}
    amazon = suggest(builtin.templates, "atoz_claim", "amazon", "de")
    assert (amazon[0].language, amazon[0].key) == ("de", "atoz_claim")
    assert amazon[1].key == "not_received"  # related to a claim
    chargeback = suggest(builtin.templates, "chargeback", "amazon", "en")
    assert chargeback[0].key == "atoz_claim"


def test_suggest_falls_back_to_english_then_everything(builtin):
    ranked = suggest(builtin.templates, "tracking", "ebay", "nl")
    assert (ranked[0].language, ranked[0].key) == ("en", "where_is_my_order")
    assert len(ranked) == len([t for t in builtin.templates if t.fits_channel("ebay")])


def test_suggest_without_a_category(builtin):
    ranked = suggest(builtin.templates, None, "amazon", "en")
    assert all(t.language == "en" for t in ranked)
    assert ranked[0].key == "acknowledgement"


# -- language -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text, language", [
    ("Hello, my order has not arrived yet and the tracking has not moved. Where is it?", "en"),
    ("Bonjour, je n'ai toujours pas reçu mon colis, pouvez-vous m'aider ?", "fr"),
    ("Le produit est arrivé cassé, je veux un remboursement.", "fr"),
    ("Hallo, meine Bestellung ist noch nicht angekommen. Wo ist mein Paket?", "de"),
    ("Der Artikel ist leider beschädigt.", "de"),
    ("Hola, todavía no he recibido mi pedido. ¿Dónde está?", "es"),
    ("El paquete llegó dañado y quiero un reembolso", "es"),
    ("Buongiorno, non ho ancora ricevuto il mio ordine. Dov'è il pacco?", "it"),
    ("Il prodotto è arrivato rotto, vorrei un rimborso", "it"),
    ("", "en"),
    ("12345 ???", "en"),
    ("A-to-z", "en"),
])
def test_guess_language(text, language):
    assert guess_language(text) == language
