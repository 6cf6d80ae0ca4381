"""Per-channel attachment limits, checked before a reply is sent (issue #13): a pure function over
(channel, [(file name, content type, size)]) that the outbox, the ticket screen and sync can call."""

from __future__ import annotations

import pytest

from deskui.policy import PolicyError
from deskui.replies.linter import check_attachments, lint, lint_rules_from_toml

MB = 1_000_000
INVOICE = ("invoice-171-5550123.pdf", "application/pdf", 180_000)
PHOTO = ("label.jpg", "image/jpeg", 2 * MB)


def test_amazon_takes_documents_and_images_up_to_10_mb_in_a_message():
    assert check_attachments("amazon", [INVOICE, PHOTO]) == []
    assert check_attachments("Amazon", [("manual.pdf", "application/pdf", 10 * MB)]) == []  # exactly the limit


def test_more_than_10_mb_in_one_message_blocks():
    found = check_attachments("amazon", [INVOICE, ("video-manual.pdf", "application/pdf", 9_900_000)])
    assert [(w.rule, w.severity, w.field, w.start, w.end) for w in found] == [("attachment", "block", "attachments", 0, 2)]
    assert "10.1 MB" in found[0].message and "10.0 MB" in found[0].message and "Amazon" in found[0].message
    assert found[0].excerpt.startswith("invoice-171-5550123.pdf")


@pytest.mark.parametrize("name, kind", [("setup.exe", "application/x-msdownload"), ("photos.zip", "application/zip"),
                                         ("call.mp3", "audio/mpeg"), ("page.html", "text/html"), ("x", "")])
def test_a_file_that_is_neither_a_document_nor_an_image_warns(name, kind):
    found = check_attachments("amazon", [INVOICE, (name, kind, 1000)])
    assert [(w.rule, w.severity, w.start, w.end, w.excerpt) for w in found] == [("attachment", "warn", 1, 2, name)]
    assert "instructions, invoices or warranty documents" in found[0].message


def test_content_type_parameters_and_case_do_not_matter():
    assert check_attachments("amazon", [("a.pdf", "Application/PDF; name=a.pdf", 10)]) == []


def test_channels_without_a_documented_limit_check_nothing():
    huge = [("big.zip", "application/zip", 40 * MB)]
    for channel in ("ebay", "walmart", "shopify", "tiktok", "instagram", "unknown", ""):
        assert check_attachments(channel, huge) == []
    assert check_attachments("amazon", []) == []


def test_lint_adds_the_attachment_warnings_last():
    found = lint("Please find the invoice attached. See www.example.com", "amazon",
                 attachments=[("big.tar", "application/x-tar", 11 * MB)])
    assert [w.field for w in found] == ["body", "attachments", "attachments"]
    assert [w.severity for w in found if w.field == "attachments"] == ["warn", "block"]
    assert lint("Hello", "amazon") == lint("Hello", "amazon", attachments=[])


def test_the_rule_is_configured_like_any_other():
    off = lint_rules_from_toml('[lint.amazon]\ndisable = ["attachment"]\n', "config.toml")
    assert check_attachments("amazon", [("big.pdf", "application/pdf", 11 * MB)], off) == []
    relaxed = lint_rules_from_toml('[lint.amazon]\nwarn = ["attachment"]\n', "config.toml")
    assert [w.severity for w in check_attachments("amazon", [("big.pdf", "application/pdf", 11 * MB)], relaxed)] == ["warn"]
    with pytest.raises(PolicyError, match=r"config.toml:2: lint.amazon.disable: unknown rule 'attachments' \(did you mean 'attachment'\?\)"):
        lint_rules_from_toml('[lint.amazon]\ndisable = ["attachments"]\n', "config.toml")
