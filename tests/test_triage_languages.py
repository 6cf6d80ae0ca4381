"""Issue #16: triage in Dutch, Polish, Swedish, Turkish, Portuguese (Brazil) and Japanese;
languages as data files, a seller's own lexicon from the config, the language on each hit.

The realistic per-category messages for these languages live in tests/triage_languages_data.py
and run in tests/test_triage_matcher.py's table; this file holds what is specific to them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from deskui.config import ConfigError, load_config, triage_extra_lexicons
from deskui.policy import PolicyError, default_policy
from deskui.triage import Matcher, default_matcher
from deskui.triage.classify import classify
from deskui.triage.lexicon import (
    BUILTIN_ORDER,
    CATEGORIES,
    LANGUAGES,
    builtin_lexicon,
    check_lexicon_files,
    load_lexicon,
)

M = default_matcher()


def found(text: str, subject: str | None = None) -> list[str]:
    return M.categories(M.scan(subject, text))


# -- the lexicon files ----------------------------------------------------------------------------


def test_eleven_languages_one_file_each_with_every_category_and_a_source():
    assert LANGUAGES == BUILTIN_ORDER == ("en", "fr", "de", "es", "it", "nl", "pl", "sv", "tr", "pt", "ja")
    folder = Path(__file__).resolve().parents[1] / "deskui" / "triage" / "lexicons"
    assert sorted(p.stem for p in folder.glob("*.toml")) == sorted(LANGUAGES)
    for language in builtin_lexicon().languages:
        assert language.files == [f"deskui/triage/lexicons/{language.code}.toml"]
        assert set(language.terms) == set(CATEGORIES), language.code
        for category in CATEGORIES:
            assert language.sources[category] and all(s.strip() for s in language.sources[category])
    assert builtin_lexicon().language("ja").word_boundaries is False
    assert all(lang.word_boundaries for lang in builtin_lexicon().languages if lang.code != "ja")


def test_amazon_help_names_are_cited_where_found():
    sources = {lang.code: " ".join(lang.sources["atoz_claim"]) for lang in builtin_lexicon().languages}
    assert "Amazon.pl help" in sources["pl"]
    assert "sellercentral.amazon.nl" in sources["nl"]
    assert "sellercentral.amazon.se" in sources["sv"]
    assert "sellercentral.amazon.com.br" in sources["pt"]
    assert "sellercentral.amazon.co.jp" in sources["ja"]


# -- local names of the A-to-z Guarantee, with the spellings buyers type ---------------------------


@pytest.mark.parametrize(
    "lang, text",
    [
        ("nl", "Ik dien een A-tot-Z-garantieclaim in"), ("nl", "via de a tot z garantie"), ("nl", "A‑tot‑Z"),
        ("pl", "skorzystam z gwarancji od A do Z"), ("pl", "GWARANCJA OD A DO Z"), ("pl", "zgłoszę roszczenie"),
        ("sv", "A-till-Ö-garantin"), ("sv", "a till o garantin"), ("sv", "A-till-Oe-garantin"),
        ("sv", "anspråk på A-to-z guarantee"),
        ("tr", "A'dan Z'ye Garanti"), ("tr", "A’dan Z’ye garantisi"), ("tr", "adan zye garanti"),
        ("tr", "A DAN Z YE GARANTİ"), ("tr", "amazona şikayet edeceğim"),
        ("pt", "Garantia de A a Z"), ("pt", "garantia de a a z"), ("pt", "uma reivindicação"),
        ("ja", "Amazonマーケットプレイス保証"), ("ja", "ａｍａｚｏｎマーケットプレイス保証"), ("ja", "マケプレ保証"),
        ("ja", "Amazon マーケットプレイス保証を申請"), ("ja", "ｱﾏｿﾞﾝに報告します"),
    ],
)
def test_local_a_to_z_names(lang, text):
    evidence = [item for item in M.scan(None, text) if item.category == "atoz_claim"]
    assert evidence, text
    assert lang in {item.lang for item in evidence}, evidence


@pytest.mark.parametrize(
    "text, category",
    [
        ("Paczka jest uszkodzona", "damaged"), ("Produkt jest uszkodzony", "damaged"),
        ("PACZKA USZKODZONA", "damaged"), ("paczka uszkodzona", "damaged"), ("Ekran pekniety", "damaged"),
        ("Ürün hasarlı geldi", "damaged"), ("urun hasarli geldi", "damaged"), ("ÜRÜN HASARLI", "damaged"),
        ("Arızalı çıktı", "defective"), ("arizali cikti", "defective"),
        ("Varan är skadad", "damaged"), ("Varan ar skadad", "damaged"), ("Glaset är söndrigt", "damaged"),
        ("O produto chegou danificado", "damaged"), ("nao recebi o pedido", "not_received"),
        ("não funciona", "defective"), ("nao funciona", "defective"),
        ("Het is beschädigd", "damaged"), ("beschadigd aangekomen", "damaged"),
    ],
)
def test_spellings_with_and_without_diacritics(text, category):
    assert category in found(text)


# -- negations -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, dropped",
    [
        ("Het pakket is niet beschadigd.", "damaged"), ("Er ontbreekt niets.", "missing_item"),
        ("Niets ontbreekt, dank u.", "missing_item"), ("Er ontbreekt niks aan.", "missing_item"),
        ("Paczka nie jest uszkodzona.", "damaged"), ("Niczego nie brakuje.", "missing_item"),
        ("Nic nie brakuje.", "missing_item"),
        ("Varan är inte skadad.", "damaged"), ("Det saknas ingenting.", "missing_item"),
        ("Ingenting saknas.", "missing_item"),
        ("Ürün hasarlı değil.", "damaged"), ("Hiç hasar yok.", "damaged"), ("Eksik parça yok.", "missing_item"),
        ("O produto não está danificado.", "damaged"), ("Não está faltando nada.", "missing_item"),
        ("Nada quebrado.", "damaged"),
        ("破損はありませんでした。", "damaged"), ("傷もなく届きました。", "damaged"),
        ("欠品していません。", "missing_item"), ("壊れていないです。", "damaged"),
        ("傷がついていない", "damaged"),
    ],
)
def test_negations_drop_defect_hits(text, dropped):
    assert dropped not in found(text), M.scan(None, text)


@pytest.mark.parametrize(
    "text, kept",
    [
        # claim threats and chargebacks are never lowered by a negation
        ("Ik wil geen A-tot-Z-claim indienen, maar u laat me geen keus.", "atoz_claim"),
        ("Nie chcę zgłaszać roszczenia z gwarancji od A do Z.", "atoz_claim"),
        ("Jag vill inte använda A-till-Ö-garantin.", "atoz_claim"),
        ("A'dan Z'ye Garanti talebi açmak istemiyorum ama mecbur kalacağım.", "atoz_claim"),
        ("Não quero abrir uma reivindicação da Garantia de A a Z.", "atoz_claim"),
        ("マーケットプレイス保証を申請したくないのですが。", "atoz_claim"),
        ("Nie chcę robić chargeback, ale...", "chargeback"),
        ("Não quero contestar a compra no meu banco.", "chargeback"),
        # a negation does not reach over a clause
        ("Ik heb de handleiding niet ontvangen en het scherm is beschadigd.", "damaged"),
        ("Nie otrzymałem instrukcji, a obudowa jest uszkodzona.", "damaged"),
        ("Hasarlı geldi ve cevap yok.", "damaged"),
        ("Não recebi a nota e o produto veio quebrado.", "damaged"),
        ("壊れていて使えない。", "damaged"),
        # a Japanese negation asked as a question is a suspicion, not a denial
        ("これは偽物ではないでしょうか。", "wrong_item"),
        # Turkish "-sız"/"-siz" words are their own: "eksiksiz" is complete, but "eksik" alone is missing
        ("Bir parça eksik.", "missing_item"),
    ],
)
def test_claims_and_non_negations_are_kept(text, kept):
    assert kept in found(text), M.scan(None, text)


# -- false positives: a word that contains a keyword but means something else ------------------------


@pytest.mark.parametrize(
    "text, not_category",
    [
        ("Het pakket kwam onbeschadigd aan.", "damaged"),  # contains "beschadigd"
        ("Per stuk kost het vijf euro.", "damaged"),  # "stuk" is also "piece"
        ("Proszę o informację zwrotną.", "return"),  # "zwrotna": a reply, not a return
        ("Paczka przyszła nieuszkodzona.", "damaged"),  # contains "uszkodzona"
        ("Jag vill returnera stolen.", "not_received"),  # Swedish "stolen" is "the chair"
        ("Paketet kom oskadat.", "damaged"),  # contains "skada"
        ("Det är skada att ni inte har den i blått.", "damaged"),  # "it's a pity"
        ("Ürün hasarsız geldi.", "damaged"),  # "undamaged" starts with "hasar"
        ("Kutu eksiksiz geldi.", "missing_item"),  # "complete" starts with "eksik"
        ("Bozuk paranız var mı?", "defective"),  # small change
        ("Mesajıma cevap gelmedi.", "not_received"),  # the reply did not come
        ("Por falta de tempo não respondi antes.", "missing_item"),  # "for lack of"
        ("Meu coração agradece.", "product_question"),  # contains "cor"
        ("傷害保険の件で連絡しました。", "damaged"),  # contains "傷"
        ("割引はありますか。", "damaged"),  # 割 as in 割れ, but 割引 is a discount
        ("間違いなく注文しました。", "wrong_item"),  # "surely"
        ("Schade, dass es nicht geklappt hat.", "damaged"),  # German "pity" vs Dutch "schade" (damage)
    ],
)
def test_words_that_contain_a_keyword_do_not_fire(text, not_category):
    assert not_category not in found(text), M.scan(None, text)


# -- Japanese: no word boundaries, width folding, no spill into other languages ----------------------


def test_japanese_matches_inside_runs_of_text_and_maps_back_exactly():
    text = "先日注文した商品が破損して届きました。追跡番号も不明です"
    evidence = M.scan(None, text)
    assert [(e.category, e.text, e.lang) for e in evidence] == [
        ("damaged", "破損", "ja"), ("tracking", "追跡番号", "ja")
    ]
    for item in evidence:
        assert text[item.start : item.end] == item.text


@pytest.mark.parametrize(
    "text, category",
    [
        ("ﾁｬｰｼﾞﾊﾞｯｸします", "chargeback"),  # half-width katakana, voicing marks separate
        ("チャージバックします", "chargeback"),
        ("ﾍﾝﾋﾟﾝしたい", None),  # nonsense stays nonsense
        ("ｷｬﾝｾﾙしたい", "cancellation"),
        ("星１つです", "feedback"),  # full-width digit
        ("注文番号ＡｔｏＺ保証", "atoz_claim"),  # full-width Latin
        ("のA-to-Z保証を使います", "atoz_claim"),  # Latin term touching kana
    ],
)
def test_full_and_half_width_forms_fold_to_one(text, category):
    categories = found(text)
    assert (categories[0] if categories else None) == category, M.scan(None, text)


def test_japanese_evidence_offsets_with_half_width_and_decomposed_kana():
    import unicodedata

    for text in ("ﾁｬｰｼﾞﾊﾞｯｸ申請", unicodedata.normalize("NFD", "チャージバック申請")):
        evidence = M.scan(None, text)
        assert evidence and evidence[0].category == "chargeback"
        assert text[evidence[0].start : evidence[0].end] == evidence[0].text


def test_a_latin_japanese_term_needs_a_non_latin_neighbour():
    # "atoz" is a Japanese term too; inside a Latin word it must not fire, even next to kana
    assert "atoz_claim" not in found("注文番号datozone123について")
    assert "atoz_claim" in found("注文番号atoz保証について")


def test_japanese_terms_never_fire_in_european_text():
    lexicon = load_lexicon()
    only_ja = Matcher(lexicon=lexicon.subset(["ja"]))
    for text in ("I will open an A-to-z claim", "gwarancja od A do Z", "Det saknas ingenting", "datozone"):
        assert only_ja.scan(None, text) == [], text
    # and no European term fires from inside a Japanese run
    assert found("返品のご案内") == ["return"]


# -- the language on each hit ----------------------------------------------------------------------


def test_evidence_names_its_language():
    evidence = M.scan("Reklamacja", "Paczka dotarła uszkodzona, rozważam chargeback w moim banku.")
    assert {item.lang for item in evidence} == {"pl"}
    # a term many languages share ("chargeback") takes the language of the message's other hits
    shared = [item for item in evidence if item.text == "chargeback"]
    assert shared and shared[0].lang == "pl"
    # alone, a shared term keeps the lexicon's first language for it
    assert M.scan(None, "chargeback")[0].lang == "en"


def test_evidence_json_has_lang_and_keyword_groups_have_none():
    policy = default_policy()
    result = classify(policy, "amazon", None, "Zásilka přišla, ale ürün hasarlı geldi")
    assert {"category": "damaged", "lang": "tr"}.items() <= result.evidence_json()[0].items()
    groups = Matcher({"vip": ["gold member"]}).scan(None, "I am a gold member")
    assert groups[0].category == "vip" and groups[0].lang is None


# -- a seller's own lexicon ------------------------------------------------------------------------

CZECH = """\
[language]
code = "cs"
name = "Čeština"
marketplaces = ["amazon.de"]

[negations]
source = "our own inbox"
before = ["ne", "není", "nic"]
clause_breakers = ["a", "ale"]

[[atoz_claim]]
source = "our own inbox: buyers on amazon.de who write in Czech"
terms = ["záruka od a do z", "záruky od a do z"]

[[damaged]]
source = "our own inbox"
terms = ["poškozen*", "rozbit*"]
"""

POLISH_EXTRA = """\
[language]
code = "pl"

[[damaged]]
source = "our returns desk"
terms = ["rozwalone w drobny mak"]
"""


def write_config(tmp_path: Path, *files: tuple[str, str]) -> Path:
    for name, text in files:
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = tmp_path / "config.toml"
    names = ", ".join(json.dumps(name) for name, _ in files)
    config.write_text(f'agent = "ana"\n\n[triage]\nextra_lexicons = [{names}]\n', encoding="utf-8")
    return config


def test_an_extra_file_adds_a_language_and_terms_without_code(tmp_path):
    config = write_config(tmp_path, ("cs.toml", CZECH), ("pl-extra.toml", POLISH_EXTRA))
    paths = triage_extra_lexicons(config)
    assert paths == [tmp_path / "cs.toml", tmp_path / "pl-extra.toml"]
    assert load_config(config).extra_lexicons == paths
    lexicon = load_lexicon(paths)
    assert lexicon.codes[-1] == "cs" and len(lexicon.codes) == 12
    assert "rozwalone w drobny mak" in lexicon.language("pl").terms["damaged"]
    assert "uszkodz*" in lexicon.language("pl").terms["damaged"]  # the built-ins stay
    matcher = Matcher(lexicon=lexicon)
    evidence = matcher.scan(None, "Zboží je poškozené, jinak záruka od A do Z.")
    assert [(e.category, e.lang) for e in evidence] == [("damaged", "cs"), ("atoz_claim", "cs")]
    assert "damaged" not in matcher.categories(matcher.scan(None, "Zboží není poškozené."))
    assert matcher.categories(matcher.scan(None, "Wszystko rozwalone w drobny mak")) == ["damaged"]
    assert "damaged" not in default_matcher().categories(default_matcher().scan(None, "Zboží je poškozené."))


def test_classify_picks_up_the_config_file_in_a_real_process(tmp_path):
    config = write_config(tmp_path, ("cs.toml", CZECH))
    env = {**os.environ, "DESKUI_CONFIG": str(config)}
    line = json.dumps({"id": 1, "channel": "amazon", "subject": None, "body": "Balík dorazil poškozený."})
    done = subprocess.run([sys.executable, "-m", "deskui", "classify"], input=line + "\n", env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["category"] == "damaged"
    assert answer["evidence"][0]["lang"] == "cs"


BROKEN = """\
[language]
code = "cs"

[[damaged]]
terms = [
    "poškozen*",
    "po*kozen",
]

[[feelings]]
source = "x"
terms = ["smutný"]

[negations]
before = "ne"
"""


def test_policy_check_names_file_line_and_field_of_each_problem(tmp_path):
    config = write_config(tmp_path, ("cs.toml", BROKEN))
    env = {**os.environ, "DESKUI_CONFIG": str(config)}
    policy = Path(__file__).resolve().parents[1] / "deskui" / "policy" / "default.toml"
    done = subprocess.run([sys.executable, "-m", "deskui", "policy", "check", str(policy)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    path = tmp_path / "cs.toml"
    lines = done.stderr.splitlines()
    assert f"{path}:4: damaged[0].source: missing; say where the terms come from, e.g. \"Amazon.pl help\" or \"common usage\"" in lines
    assert f"{path}:7: damaged[0].terms: term 'po*kozen': '*' is only allowed at the end" in lines
    assert any(line.startswith(f"{path}:10: feelings: unknown table") for line in lines)
    assert f"{path}:15: negations.before: must be a list of strings" in lines
    # the same problems stop every command that triages, cleanly, before it reads any input
    done = subprocess.run([sys.executable, "-m", "deskui", "classify"], input='{"id": 1, "channel": "amazon"}\n',
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and f"{path}:7: damaged[0].terms:" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    # and a lexicon file can be checked alone
    done = subprocess.run([sys.executable, "-m", "deskui", "policy", "check", str(path)],
                          env={**os.environ, "DESKUI_CONFIG": str(tmp_path / "none.toml")},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and f"{path}:7: damaged[0].terms:" in done.stderr
    assert "Traceback" not in done.stderr


def test_policy_check_reports_good_lexicon_files(tmp_path):
    config = write_config(tmp_path, ("cs.toml", CZECH))
    env = {**os.environ, "DESKUI_CONFIG": str(config)}
    policy = Path(__file__).resolve().parents[1] / "deskui" / "policy" / "default.toml"
    done = subprocess.run([sys.executable, "-m", "deskui", "policy", "check", str(policy)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"{tmp_path / 'cs.toml'}: OK (lexicon cs: 4 terms, 0 stop phrases)" in done.stdout


def test_bad_extra_lexicons_are_config_errors_and_policy_errors(tmp_path):
    config = write_config(tmp_path, ("cs.toml", BROKEN))
    with pytest.raises(ConfigError, match=r"cs\.toml:7: damaged\[0\]\.terms"):
        load_config(config)
    with pytest.raises(PolicyError) as error:
        load_lexicon(triage_extra_lexicons(config))
    assert len(error.value.problems) == 4
    missing = tmp_path / "nope.toml"
    assert [str(p) for p in check_lexicon_files([missing])] == [
        f"{missing}:0: file: no such file (check [triage] extra_lexicons in the config)"
    ]
    (tmp_path / "config.toml").write_text('[triage]\nextra_lexicons = "cs.toml"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="triage.extra_lexicons: must be a list"):
        load_config(tmp_path / "config.toml")
