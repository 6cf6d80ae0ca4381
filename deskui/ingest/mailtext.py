"""From an e-mail's bytes to the text an agent reads.

* any charset: the declared one, else UTF-8, else Windows-1252 (which also stands in for
  ISO-8859-1, as every mail client does), never an exception;
* HTML-only messages become readable text (``html.parser``: scripts and styles dropped, block
  elements become line breaks, ``<blockquote>`` becomes ``>``-quoted lines);
* Amazon's relay footer (the "no response needed" link, the ``[commMgrTok:...]`` token, the
  "For Your Information" notice) and quoted earlier replies are folded away. The stored raw
  message keeps all of it.
"""

from __future__ import annotations

import codecs
import re
from email.header import Header, decode_header
from html.parser import HTMLParser

from deskui.text import store_text

_LATIN1 = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "iso_8859-1", "cp819", "us-ascii", "ascii"}


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset; fall back to UTF-8, then Windows-1252 with replacement."""
    name = (charset or "").strip().strip('"').lower()
    if name and name not in _LATIN1 and name not in ("unknown-8bit", "x-unknown"):
        try:
            codecs.lookup(name)
        except LookupError:
            name = ""
        else:
            try:
                return data.decode(name)
            except UnicodeDecodeError:
                if codecs.lookup(name).name != "utf-8":
                    return data.decode(name, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows-1252 is a superset of ISO-8859-1's printable characters: mail labelled latin-1
        # very often carries its curly quotes and euro signs.
        return data.decode("cp1252", errors="replace")


_FOLD = re.compile(r"\r?\n[ \t]+")


def header_text(value) -> str:
    """A header's text: RFC 2047 encoded words decoded, raw 8-bit bytes decoded, folds undone,
    control characters out (``store_text``: an encoded word can hide a NUL or an ESC)."""
    return store_text(_header_text(value))


def _header_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Header):
        parts = decode_header(value)
    else:
        value = str(value)
        if not value.isascii() and any("\udc80" <= char <= "\udcff" for char in value):  # raw 8-bit bytes
            value = decode_bytes(value.encode("ascii", "surrogateescape"), None)
        if "=?" not in value:
            return _FOLD.sub(" ", value).strip()
        try:
            parts = decode_header(_FOLD.sub(" ", value))
        except Exception:  # a malformed encoded word: show it as it is
            return _FOLD.sub(" ", value).strip()
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    text = "".join(out)
    return _FOLD.sub(" ", text).strip()


# ---------------------------------------------------------------------- HTML
_SKIP = {"script", "style", "head", "title", "noscript", "template", "svg", "object", "iframe"}
_BLOCK = {
    "p", "div", "br", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "pre", "section", "article", "header", "footer", "blockquote", "dl", "dt", "dd", "address",
    "center", "form", "fieldset", "main", "nav", "aside", "figure", "tbody", "thead",
}
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0]+")


_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "blockquote", "pre", "hr", "dl"}


class _TextMaker(HTMLParser):
    """Block elements end a line, paragraphs leave a blank line, ``<br>`` always breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.quote = 0
        self.pre = 0
        self.pending = 0  # line breaks owed before the next text

    def _break(self, count: int) -> None:
        if self.parts:
            self.pending = max(self.pending, count)

    def _emit(self, text: str) -> None:
        if self.pending:
            self.parts.append(("\n" + "> " * self.quote) * self.pending)
            self.pending = 0
        self.parts.append(text)

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            if self.pending:
                self.pending += 1
            else:
                self.pending = 1
        elif tag in _BLOCK:
            self._break(2 if tag in _PARAGRAPH else 1)
            if tag == "blockquote":
                self.quote += 1
            elif tag == "pre":
                self.pre += 1
            elif tag == "li":
                self._emit("- ")
        elif tag in ("td", "th"):
            self._emit(" ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK and tag != "br":
            self._break(2 if tag in _PARAGRAPH else 1)
            if tag == "blockquote":
                self.quote = max(0, self.quote - 1)
            elif tag == "pre":
                self.pre = max(0, self.pre - 1)

    def handle_data(self, data):
        if self.skip:
            return
        if self.pre:
            self._emit(data.replace("\n", "\n" + "> " * self.quote))
        else:
            text = _SPACE.sub(" ", data)
            if text.strip() or (self.parts and not self.pending):
                self._emit(text)


def html_to_text(html: str) -> str:
    maker = _TextMaker()
    try:
        maker.feed(html)
        maker.close()
    except Exception:  # html.parser is lenient; this is a last resort for pathological input
        return _SPACE.sub(" ", re.sub(r"<[^>]*>", " ", html)).strip()
    return tidy("".join(maker.parts))


def tidy(text: str) -> str:
    """Trailing spaces off, runs of blank lines down to one, no leading/trailing blank lines."""
    lines = []
    blank = 0
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        stripped = line.strip()
        if stripped.startswith(">"):
            stripped = re.sub(r"^(>\s*)+", lambda m: "> " * m.group(0).count(">"), stripped).rstrip()
        if not stripped or stripped.strip("> ") == "":
            blank += 1
            if stripped and lines and lines[-1].startswith(">"):
                lines.append(stripped.rstrip())
                blank = 0
            continue
        if blank and lines:
            lines.append("")
        blank = 0
        lines.append(stripped)
    return "\n".join(lines).strip("\n")


# ---------------------------------------------------------------------- Amazon footer
_TOKEN = re.compile(r"\[commMgrTok:[^\]]*\]")
_BEGIN = re.compile(r"^\s*-{3,}\s*(begin message|message|d[ée]but du message|nachricht|inicio del mensaje|inizio messaggio)\s*:?\s*-{3,}\s*$", re.I)
_END = re.compile(r"^\s*-{3,}\s*(end message|end of message|fin du message|ende der nachricht|fin del mensaje|fine messaggio)\s*:?\s*-{3,}\s*$", re.I)
_FOOTER = re.compile(
    r"^\s*(\[commMgrTok:|for your information:?\s+to help arbitrate|pour votre information|zu ihrer information|"
    r"para su informaci[oó]n|per tua informazione|was this (e-?mail|message) helpful|"
    r"cet e-?mail vous a-t-il [ée]t[ée] utile|war diese e-?mail hilfreich|"
    r".{0,80}no response needed|.{0,80}aucune r[ée]ponse n[ée]cessaire|.{0,80}keine antwort erforderlich|"
    r"copyright \d{4} amazon|©\s*\d{4} amazon)",
    re.I,
)


def strip_amazon_footer(text: str) -> str:
    lines = text.split("\n")
    begin = next((i for i, line in enumerate(lines) if _BEGIN.match(line)), None)
    end = next((i for i, line in enumerate(lines) if _END.match(line) and (begin is None or i > begin)), None)
    if begin is not None and end is not None:
        lines = lines[begin + 1 : end]
    else:
        if begin is not None:
            lines = lines[begin + 1 :]
        if end is not None:
            lines = lines[:end]
        content_seen = False
        for index, line in enumerate(lines):
            if content_seen and _FOOTER.match(line):
                lines = lines[:index]
                break
            if line.strip():
                content_seen = True
    return tidy(_TOKEN.sub("", "\n".join(lines)))


# ---------------------------------------------------------------------- quoted replies
_ATTRIBUTION = re.compile(
    r"^\s*(on\s.{1,200}\swrote|le\s.{1,200}\sa\s[ée]crit|am\s.{1,200}\sschrieb.{0,120}|el\s.{1,200}\sescribi[oó]|"
    r"il\s.{1,200}\sha\sscritto|op\s.{1,200}\sschreef)\s*:\s*$",
    re.I,
)
_ORIGINAL = re.compile(
    r"^\s*(-{2,}\s*(original message|message d'origine|urspr[üu]ngliche nachricht|mensaje original|messaggio originale|"
    r"forwarded message|message transf[ée]r[ée])\s*-{2,}|_{10,})\s*$",
    re.I,
)
_OUTLOOK = re.compile(r"^\s*(from|de|von|da)\s*:\s*\S", re.I)
_OUTLOOK_NEXT = re.compile(r"^\s*(sent|date|envoy[ée]|gesendet|enviado|inviato|to|[àa])\s*:", re.I)


def strip_quoted(text: str) -> str:
    """Fold away earlier messages quoted below (or inside) a reply. If nothing but quotation is
    left, the text is returned as it was: better a repeated message than an empty one."""
    lines = text.split("\n")
    kept = []
    skip_next = False
    for index, line in enumerate(lines):
        if skip_next:
            skip_next = False
            continue
        if _ORIGINAL.match(line):
            break
        if _OUTLOOK.match(line) and index + 1 < len(lines) and _OUTLOOK_NEXT.match(lines[index + 1]) and kept:
            break  # an Outlook-style header block starts the quoted message
        if line.lstrip().startswith(">") or _ATTRIBUTION.match(line):
            continue
        if index + 1 < len(lines) and lines[index + 1].rstrip().endswith(":") and _ATTRIBUTION.match(line + " " + lines[index + 1]):
            skip_next = True  # "On Tue, 18 Feb 2020, Seller <x@y>" / "wrote:" wrapped over two lines
            continue
        kept.append(line)
    return tidy("\n".join(kept)) or tidy(text)


def readable(text: str, *, amazon: bool) -> str:
    """What an agent reads of a body: no relay wrapper, no quoted history, no control
    characters (cleaned last, when tidy has made CR LF into LF: the common case stays fast)."""
    if amazon:
        text = strip_amazon_footer(text)
    return store_text(strip_quoted(text))
