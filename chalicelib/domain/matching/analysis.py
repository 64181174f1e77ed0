"""Text analysis for matching: what two copies of one hoax have in common, whatever their form.

Forwarded copies differ in case, spacing, emoji, banners ("Diteruskan", "SEBARKAN!!"), chat
abbreviations (``yg``, ``gak``, ``dgn``), stretched letters (``bangeeet``) and reduplication
written with a 2 (``anak2``). Analysis folds all of that away and keeps the content words.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from chalicelib.domain.matching.names import NAMES
from chalicelib.domain.matching.sites import own_name_words

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NOT_DIGIT = re.compile(r"\D")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+2?")
_RUN_TOGETHER = re.compile(r"([a-z]{2})([A-Z][a-z])")
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")
_TRIPLED = re.compile(r"(.)\1\1")  # any character three times: cheap to look for, and _STRETCHED needs it
# A capitalised word that does not start a sentence (or a line): likely a name. The capital comes
# first and the lookbehind after it, so the engine scans for capitals instead of trying both
# lookbehinds at every character.
_CAPITALISED = re.compile(r"([A-Z](?:(?<=[^\W\d_] [A-Z])|(?<=[^\W\d_][,;:] [A-Z]))[a-z]{2,})\b")

# Chat spellings → standard words. Only unambiguous ones: a wrong expansion costs more than none.
SLANG: dict[str, str] = {
    "yg": "yang",
    "yng": "yang",
    "gak": "tidak",
    "ga": "tidak",
    "gk": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "engga": "tidak",
    "tdk": "tidak",
    "tak": "tidak",
    "dgn": "dengan",
    "dg": "dengan",
    "dengn": "dengan",
    "utk": "untuk",
    "untk": "untuk",
    "krn": "karena",
    "karna": "karena",
    "krna": "karena",
    "sdh": "sudah",
    "udh": "sudah",
    "udah": "sudah",
    "dah": "sudah",
    "blm": "belum",
    "blum": "belum",
    "bgt": "banget",
    "tp": "tapi",
    "tpi": "tapi",
    "jg": "juga",
    "jga": "juga",
    "sy": "saya",
    "aja": "saja",
    "aj": "saja",
    "org": "orang",
    "dr": "dari",
    "dri": "dari",
    "pd": "pada",
    "dlm": "dalam",
    "kpd": "kepada",
    "sm": "sama",
    "skrg": "sekarang",
    "skrng": "sekarang",
    "hrs": "harus",
    "msh": "masih",
    "jd": "jadi",
    "jdi": "jadi",
    "lg": "lagi",
    "lgi": "lagi",
    "dpt": "dapat",
    "trs": "terus",
    "bkn": "bukan",
    "klo": "kalau",
    "kalo": "kalau",
    "kl": "kalau",
    "spt": "seperti",
    "kyk": "kayak",
    "tsb": "tersebut",
    "sbg": "sebagai",
    "thd": "terhadap",
    "bhw": "bahwa",
    "gmn": "bagaimana",
    "gimana": "bagaimana",
    "knp": "kenapa",
    "emg": "memang",
    "emang": "memang",
    "ato": "atau",
    "atw": "atau",
    "sblm": "sebelum",
    "stlh": "setelah",
    "bpk": "bapak",
    "kmrn": "kemarin",
    "bsk": "besok",
    "tgl": "tanggal",
    "thn": "tahun",
    "rb": "ribu",
    "jt": "juta",
    "sdr": "saudara",
    "tlg": "tolong",
    "mhn": "mohon",
    "dn": "dan",
    "n": "dan",
    "sj": "saja",
    "bnyk": "banyak",
    "byk": "banyak",
    "skt": "sakit",
    "pk": "pak",
    "bu": "ibu",
    "pemda": "pemerintah",
    "pemkot": "pemerintah",
    "prov": "provinsi",
    "kab": "kabupaten",
    "kec": "kecamatan",
    "sampe": "sampai",
    "ampe": "sampai",
    "cuma": "hanya",
    "cm": "hanya",
    "doang": "saja",
    "bener": "benar",
    "beneran": "benar",
    "tsk": "tersangka",
    "ortu": "orang tua",
    "ni": "ini",
    "tu": "itu",
    "ad": "ada",
    "akn": "akan",
    "smw": "semua",
    "smua": "semua",
    "jgn": "jangan",
    "jngn": "jangan",
    "bs": "bisa",
    "bsa": "bisa",
    "sngt": "sangat",
    "kmi": "kami",
    "klian": "kalian",
    "gw": "saya",
    "gue": "saya",
    "lu": "kamu",
    "lo": "kamu",
    "sampean": "kamu",
}

# Function words (Indonesian and English, since many hoaxes circulate in both): they say nothing
# about what a message claims, so matching leaves them out, but a copy of a text keeps them where
# another text on the same subject does not (``Analysis.function_words``). Sorted: a word's place
# is its bit in the claim index.
FUNCTION_WORDS = tuple(
    sorted(
        set(
            """
    yang dan di ke dari ini itu untuk dengan pada adalah dalam tidak akan juga sudah ada atau saya
    kita kami mereka ia dia karena oleh sebagai bisa telah jadi hal para agar kalau tapi namun lebih
    banyak sangat hanya saja lagi masih harus belum bahwa seperti setelah sebelum sampai tersebut
    nya pun lah kah tah dong deh sih kok ya yah nih tuh kan loh lho wah ayo mari anda kamu kalian
    aku engkau beliau apa siapa mana kapan bagaimana kenapa mengapa berapa apakah sini situ sana
    terhadap kepada bagi tentang hingga antara serta maupun ketika saat sedang sambil setiap semua
    se sebuah seorang satu dapat maka jika bila tetap sama begitu demikian yaitu yakni
    the a an of to in on for and or is are was were be been it this that with as by at from not
    """.split()
        )
    )
)
# The forwarding chatter around a message: a banner, not the message.
FORWARDING_WORDS = frozenset(
    """
    diteruskan forwarded sebarkan viralkan bagikan share teruskan copas copy paste
    broadcast bc info grup group sebelah penting mohon tolong waspada hati dibaca baca
    """.split()
)
_FUNCTION_WORDS = frozenset(FUNCTION_WORDS)
STOP_WORDS = _FUNCTION_WORDS | FORWARDING_WORDS
_CHAT_FUNCTION_WORDS = {chat: word for chat, word in SLANG.items() if word in _FUNCTION_WORDS}  # yg → yang

_REDUPLICATION_MARK = "2"
# Capitalised, but titles rather than names: "Pak" names nobody in particular.
_HONORIFICS = frozenset("pak bapak bu ibu mas mbak bang kak haji hj dr ir prof presiden menteri".split())

# How fact-checkers frame a headline ("Video …", "Pesan Berantai …"): not what the hoax says.
HEADLINE_FRAMING = frozenset(
    "video foto gambar pesan berantai unggahan tangkapan layar screenshot akun beredar klaim "
    "narasi hoaks misinformasi disinformasi salah keliru menyesatkan disebut sebut".split()
)


@dataclass(frozen=True)
class Analysis:
    """What matching needs from one text."""

    terms: tuple[str, ...]  # content terms, in order, repeats kept
    numbers: frozenset[str]  # numbers as digits only ("Rp 125.000" → "125000")
    word_count: int  # words as a reader counts them (before stop words are dropped)
    names: frozenset[str]  # terms that name someone or somewhere (see names.py, capitals)
    function_words: frozenset[str] = frozenset()  # the FUNCTION_WORDS it uses, chat spellings undone


def _nfkc(text: str) -> str:
    """NFKC, cut where it grew the text past twice its length (and a little).

    Ordinary text barely changes under NFKC, but one character can become eighteen (U+FDFA):
    without the cut, 20,000 such characters took 0.4 s to analyse.
    """
    return unicodedata.normalize("NFKC", text)[: 2 * len(text) + 1_000]


def fold(text: str) -> str:
    """NFKC and case folding; stretched letters shortened (``bangeeet`` → ``banget``).

    Words run together where a scrape lost a line break (``curangKemenangan``) are split first.
    """
    folded = _RUN_TOGETHER.sub(r"\1 \2", _nfkc(text)).casefold()
    return _STRETCHED.sub(r"\1", folded) if _TRIPLED.search(folded) else folded


def _capitalised_terms(text: str) -> set[str]:
    """Words written with a capital inside a sentence, in a text that is not all capitals."""
    letters = sum(map(str.isalpha, text))  # C-level loops: a long forward costs microseconds, not a millisecond
    if not letters or sum(map(str.isupper, text)) > 0.5 * letters:
        return set()
    found: set[str] = set()
    for match in _CAPITALISED.finditer(_nfkc(text)):
        word = match.group(1).casefold()
        if word not in STOP_WORDS and word not in _HONORIFICS:
            found.add(_stem(SLANG.get(word, word)))
    return found


def analyse_headline(text: str) -> Analysis:
    """A fact-check's headline: analysed as text, without the fact-checker's framing words."""
    analysis = analyse(text)
    return Analysis(
        terms=tuple(t for t in analysis.terms if t not in HEADLINE_FRAMING),
        numbers=analysis.numbers,
        word_count=analysis.word_count,
        names=analysis.names,
        function_words=analysis.function_words,
    )


def _has_link(text: str) -> bool:
    # Looking for the two ways a link starts is far cheaper than the pattern's scan of every text.
    return "://" in text or "www." in text.lower()


def _link_terms(text: str) -> list[str]:
    """The words naming each link's own site (see ``own_name_words``); a link's path is mostly noise."""
    terms = []
    for link in _URL.findall(text):
        terms += own_name_words(link.casefold().split("://", 1)[-1].split("/", 1)[0].split("?", 1)[0])
    return terms


def analyse(text: str) -> Analysis:
    """Content terms of a text, with its numbers, names and length.

    Every lookup lies on the API's path, so the loop stays plain: a dictionary of words already
    seen, no call per word.
    """
    linked = _has_link(text)
    # Links out before folding: folding shortens "www" to "w" and splits a path at its capitals
    # ("hPTbwPqAb13"), which left parts of links behind as words and numbers.
    plain = _URL.sub(" ", text) if linked else text
    tokens = _TOKEN.findall(fold(plain))
    terms: list[str] = []
    numbers: set[str] = set()
    known = _WORD_TERMS
    for raw in tokens:
        if raw[0].isdigit():
            digits = _NOT_DIGIT.sub("", raw)
            numbers.add(digits)
            terms.append(digits)
        else:
            found = known.get(raw)
            terms += found if found is not None else _terms_of_word(raw)
    if linked:
        terms += _link_terms(text)  # not words a reader counts: word_count stays the text's
    names = NAMES.intersection(terms) | _capitalised_terms(plain)
    used = set(tokens)
    function_words = _FUNCTION_WORDS.intersection(used).union(
        _CHAT_FUNCTION_WORDS[chat] for chat in used.intersection(_CHAT_FUNCTION_WORDS)
    )
    return Analysis(
        terms=tuple(terms),
        numbers=frozenset(numbers),
        word_count=len(tokens),
        names=frozenset(names),
        function_words=function_words,
    )


# A word's terms never change, and a long forward mostly repeats known words.
_WORD_TERMS: dict[str, tuple[str, ...]] = {}
_WORDS_REMEMBERED = 200_000


def _terms_of_word(raw: str) -> tuple[str, ...]:
    """The content terms of one folded word, remembered: see ``_word_terms``."""
    if len(_WORD_TERMS) >= _WORDS_REMEMBERED:
        _WORD_TERMS.clear()  # rare words of many texts: start again rather than grow without end
    terms = _WORD_TERMS[raw] = _word_terms(raw)
    return terms


def _word_terms(raw: str) -> tuple[str, ...]:
    """The content terms of one folded word: reduplication and chat spelling undone, stop words out, stemmed."""
    word = raw[:-1] if raw.endswith(_REDUPLICATION_MARK) else raw
    word = SLANG.get(word, word)
    return tuple(_stem(part) for part in word.split() if len(part) > 1 and part not in STOP_WORDS)


_PREFIX = re.compile(r"^(?:di|ke|se|ter|ber|be|mem|men|meng|meny|me|pem|pen|peng|peny|pe|per)")
_SUFFIX = re.compile(r"(?:lah|kah|pun|nya|kan|an|i)$")
MIN_STEM = 4


def _stem(word: str) -> str:
    """A light affix stripper: one suffix, then one prefix, never below four letters.

    Crude next to a dictionary stemmer, but measured by make eval it helps where headlines and
    hoaxes inflect the same word differently (``dibubarkan`` / ``bubarkan``): headline-only
    recall@1 0.684 → 0.695, negatives auto-confirmed 0.007 → 0.005, nothing worse.
    """
    if len(word) > 5 and word.endswith("nya"):
        word = word[:-3]
    if len(word) <= 5:
        return word
    stripped = _SUFFIX.sub("", word) if len(word) > 6 else word
    without_prefix = _PREFIX.sub("", stripped)
    if len(without_prefix) >= MIN_STEM:
        stripped = without_prefix
    return stripped if len(stripped) >= MIN_STEM else word
