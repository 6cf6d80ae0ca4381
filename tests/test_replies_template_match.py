"""Filtering templates as the agent types (pure: deskui/replies/templates.py match_templates, rank,
unfilled_spans), on small hand-made templates and on the built-in set."""

from pathlib import Path

from deskui.replies.templates import (
    BUILTIN_DIR, Template, fill, load_templates, match_templates, rank, suggest, unfilled, unfilled_spans,
)


def template(key, title, body="", *, language="en", category=None, channels=(), auto_ack=False) -> Template:
    return Template(key=key, language=language, title=title, category=category, channels=frozenset(channels),
                    auto_ack=auto_ack, body=body, path=Path(f"{language}/{key}.txt"))


DAMAGED = template("damaged", "Damaged item: replacement or refund", "sorry it arrived broken", category="damaged")
REFUND = template("refund", "Refund issued", "the money is on its way", category="refund")
RETURN = template("return_label", "Return label", "print the label; your refund follows", category="return")
CLAIM_FR = template("atoz_claim", "Réclamation A à Z : les faits", "Bonjour", language="fr", category="atoz_claim")
WIDE = template("tea", "茶具 Tea set broken 🍵", "王小明", category="damaged")


def keys(matches):
    return [f"{m.template.language}/{m.template.key}" for m in matches]


def test_an_empty_query_keeps_the_ranking():
    assert keys(match_templates("", [RETURN, DAMAGED, REFUND])) == ["en/return_label", "en/damaged", "en/refund"]
    assert keys(match_templates("   ", [RETURN, DAMAGED], [CLAIM_FR])) == ["en/return_label", "en/damaged"]


def test_title_words_first_then_inside_names_then_text_ties_keep_the_ranking():
    ranked = [RETURN, DAMAGED, REFUND]
    # REFUND's title and DAMAGED's title start a word with "refund" (ranking order between them);
    # RETURN has it only in its text
    assert keys(match_templates("refund", ranked)) == ["en/damaged", "en/refund", "en/return_label"]
    matches = match_templates("refund", ranked)
    assert matches[-1].in_body and not matches[0].in_body
    assert matches[0].title_spans == ((29, 35),)  # "refund" in "Damaged item: replacement or refund"
    assert keys(match_templates("efun", ranked)) == ["en/damaged", "en/refund", "en/return_label"]


def test_every_word_must_be_found_anywhere():
    assert keys(match_templates("refund broken", [RETURN, DAMAGED, REFUND])) == ["en/damaged"]
    assert match_templates("refund zebra", [RETURN, DAMAGED, REFUND]) == []


def test_case_and_accents_do_not_matter():
    assert keys(match_templates("RECLAMATION", [CLAIM_FR])) == ["fr/atoz_claim"]
    assert keys(match_templates("réclamation", [CLAIM_FR])) == ["fr/atoz_claim"]
    assert keys(match_templates("a a z", [CLAIM_FR])) == ["fr/atoz_claim"]  # "A à Z"
    assert match_templates("Réclamation", [CLAIM_FR])[0].title_spans == ((0, 11),)


STRASSE_DE = template("address", "Lieferadresse: Straße und Hausnummer prüfen", "Bitte die Straße prüfen",
                      language="de", category="not_received")


def test_sharp_s_and_case_fold_as_casefold_does():
    """"strasse" finds "Straße" (str.casefold spells ß as ss), and the other way round; the
    highlight covers the title's own "Straße", one character shorter than what was typed."""
    for query in ("strasse", "STRASSE", "Straße", "STRAẞE"):
        matches = match_templates(query, [STRASSE_DE])
        assert keys(matches) == ["de/address"], query
        start, end = matches[0].title_spans[0]
        assert STRASSE_DE.title[start:end] == "Straße", query
    assert keys(match_templates("prufen strass", [STRASSE_DE])) == ["de/address"]
    sharp = template("gross", "Größe tauschen", "")
    assert keys(match_templates("grosse", [sharp])) == ["en/gross"]


def test_key_language_and_category_are_searched():
    assert keys(match_templates("return_label", [DAMAGED, RETURN])) == ["en/return_label"]
    assert keys(match_templates("atoz", [DAMAGED, CLAIM_FR])) == ["fr/atoz_claim"]


def test_wide_characters_match_and_keep_offsets():
    matches = match_templates("茶具", [DAMAGED, WIDE])
    assert keys(matches) == ["en/tea"] and matches[0].title_spans == ((0, 2),)
    assert keys(match_templates("王小明", [DAMAGED, WIDE])) == ["en/tea"]


def test_templates_not_suggested_come_later_and_only_by_name_unless_their_language_is_named():
    other = template("damaged", "Beschädigter Artikel", "Erstattung refund", language="de", category="damaged")
    # found by its key, after the suggested title hits
    assert keys(match_templates("damaged", [REFUND, DAMAGED], [other])) == ["en/damaged", "de/damaged"]
    # a word only in its text does not find it...
    assert keys(match_templates("erstattung", [REFUND, DAMAGED], [other])) == []
    # ...unless the query names its language, which also puts it first
    assert keys(match_templates("de erstattung", [REFUND, DAMAGED], [other])) == ["de/damaged"]
    assert keys(match_templates("de damaged", [DAMAGED], [other]))[0] == "de/damaged"


def test_rank_returns_suggest_and_the_rest_of_the_channel():
    templates = load_templates(BUILTIN_DIR).templates
    suggested, rest = rank(templates, "damaged", "amazon", "fr")
    assert suggested == suggest(templates, "damaged", "amazon", "fr")
    assert suggested[0].language == "fr" and suggested[0].key == "damaged"
    assert {t.language for t in rest} == {"en", "de", "es", "it"}
    assert len(suggested) + len(rest) == len([t for t in templates if t.fits_channel("amazon")])
    assert not {id(t) for t in suggested} & {id(t) for t in rest}
    # no template in the buyer's language: everything is suggested, nothing left over
    suggested, rest = rank(templates, "damaged", "amazon", "nl")
    assert rest == [] and suggested[0].language == "en"


def test_channel_only_templates_are_never_offered_elsewhere():
    amazon_only = template("amz", "Amazon only", channels=("amazon",))
    suggested, rest = rank([amazon_only, REFUND], None, "shopify", "en")
    assert amazon_only not in suggested + rest


def test_unfilled_spans_point_at_what_unfilled_lists():
    text, missing = fill("Hello {customer_first_name}, tracking {tracking_number}. {{literal}}", None, agent="ana")
    spans = unfilled_spans(text)
    assert [name for _, _, name in spans] == unfilled(text)
    assert [text[start:end] for start, end, _ in spans][:2] == ["{customer_first_name}", "{tracking_number}"]
    assert set(missing) <= {name for _, _, name in spans}


def test_a_language_code_names_a_language_not_a_piece_of_a_word():
    damaged_fr = template("damaged", "Article endommagé", "Bonjour", language="fr", category="damaged")
    from_en = template("damaged", "Damaged item", "a photo from you", category="damaged")
    assert keys(match_templates("fr dam", [from_en], [damaged_fr])) == ["fr/damaged"]
    defective = template("defective", "Defective item", "sorry")
    assert keys(match_templates("de", [defective], [damaged_fr, template("x", "Artikel", language="de")])) == [
        "en/defective", "de/x"]
