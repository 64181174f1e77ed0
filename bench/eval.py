"""``make eval``: claim matching measured on real fact-checks, beside plain BM25 in the same run.

The protocol of ``../shared/data/turnbackhoax/README.md``: index a fixed 90% of the fact-checks
(chosen by a hash of the id), hold out the rest; positive queries are edited copies of indexed
hoaxes (an excerpt, a chat-style rewrite, a reordered copy with words dropped, a question built
from the headline); negatives are held-out narratives; template variants are indexed hoaxes with
other numbers and names. A headline-only mode indexes bare headlines and queries them with the
narratives. The data is read in place and never copied into the project.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.bm25_baseline import PlainBM25
from bench.synthetic import synthetic_claims
from chalicelib.domain.matching.analysis import analyse, fold
from chalicelib.domain.matching.documents import ClaimDoc
from chalicelib.domain.matching.index import MIN_WORDS_TO_CONFIRM, ClaimIndex

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "turnbackhoax" / "factchecks.jsonl"
PER_KIND = 800
POSITIVE_KINDS = ("excerpt", "chat-style", "reordered", "question")
BASELINE_MATCH_AT = 0.5
BASELINE_SUGGEST_AT = 0.25

# How people shorten words in chats. Partly different from the analyser's list on purpose: real
# copies use spellings the analyser has never seen.
CHAT_SPELLINGS = {
    "yang": ["yg", "yng"],
    "tidak": ["gak", "ga", "nggak", "tdk"],
    "dengan": ["dgn", "dg"],
    "untuk": ["utk", "untk"],
    "karena": ["krn", "karna"],
    "sudah": ["sdh", "udah", "udh"],
    "belum": ["blm"],
    "juga": ["jg"],
    "saja": ["aja"],
    "orang": ["org"],
    "dari": ["dr"],
    "sekarang": ["skrg"],
    "bagaimana": ["gimana", "bgmn"],
    "kalau": ["kalo", "klo"],
    "tersebut": ["tsb"],
    "banyak": ["bnyk", "byk"],
    "sangat": ["sngt", "bgt"],
    "kami": ["kmi"],
    "semua": ["smua", "smw"],
    "harus": ["hrs"],
    "pemerintah": ["pemerintah", "pmrnth"],
    "bisa": ["bs", "bsa"],
    "akan": ["akn"],
    "ada": ["ad"],
    "ini": ["ni"],
}
BANNERS_BEFORE = ["Diteruskan", "Forwarded", "*INFO PENTING*", "Dari grup sebelah", "Copas dari grup", ""]
BANNERS_AFTER = ["SEBARKAN!!", "viralkan!!!", "Tolong share ke grup lain 🙏", "", "bagikan ke keluarga"]
EMOJI = ["😱", "🙏", "‼️", "⚠️", "😡", "🔥", "👇👇"]
BANKS = ["BRI", "BNI", "Mandiri", "BCA", "BSI", "BTN", "CIMB", "Danamon", "Permata"]
TOWNS = [
    "Bandung",
    "Surabaya",
    "Medan",
    "Makassar",
    "Semarang",
    "Palembang",
    "Bontang",
    "Kupang",
    "Pontianak",
    "Ambon",
    "Jayapura",
    "Padang",
    "Manado",
    "Kendari",
    "Mataram",
    "Cirebon",
]


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    narrative: str | None
    date: str | None
    url: str | None
    label: str | None


@dataclass(frozen=True)
class Query:
    kind: str
    text: str
    answers: frozenset[str]  # ids of every claim that is a right answer (the same hoax debunked again)


def _rng(*parts: str) -> random.Random:
    return random.Random(int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:16], 16))


def held_out(row_id: str) -> bool:
    return int(hashlib.sha256(row_id.encode()).hexdigest(), 16) % 10 == 0


def load(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as lines:
        return [
            Row(r["id"], r["title"], r.get("narrative"), r.get("date"), r.get("url"), r.get("label"))
            for r in map(json.loads, lines)
        ]


def _words(text: str | None) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", (text or "").lower()))


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _key(text: str | None) -> str:
    return re.sub(r"\W+", " ", fold(text or "")).strip()


def excerpt(row: Row) -> str | None:
    words = (row.narrative or "").split()
    if len(words) < 16:
        return None
    rng = _rng("excerpt", row.id)
    size = max(8, int(len(words) * rng.uniform(0.5, 0.7)))
    start = rng.randint(0, len(words) - size)
    return " ".join(words[start : start + size])


def chat_style(row: Row) -> str | None:
    words = (row.narrative or "").split()
    if len(words) < 8:
        return None
    rng = _rng("chat", row.id)
    out = []
    for word in words[:80]:
        bare = re.sub(r"\W", "", word.lower())
        written = word
        if bare in CHAT_SPELLINGS and rng.random() < 0.8:
            written = rng.choice(CHAT_SPELLINGS[bare])
        elif rng.random() < 0.03 and len(word) > 3 and word[-1].isalpha():
            written = word + word[-1] * rng.randint(2, 4)  # stretched letters
        out.append(written)
    text = " ".join(out)
    text = text.upper() if rng.random() < 0.3 else text.lower()
    banner = rng.choice(BANNERS_BEFORE)
    tail = rng.choice(BANNERS_AFTER)
    return f"{banner}\n{rng.choice(EMOJI)} {text} {rng.choice(EMOJI)}\n{tail}".strip()


def reordered(row: Row) -> str | None:
    sentences = [s for s in re.split(r"(?<=[.!?\n])\s+", row.narrative or "") if s.strip()]
    if len(" ".join(sentences).split()) < 12:
        return None
    rng = _rng("reorder", row.id)
    rng.shuffle(sentences)
    words = " ".join(sentences).split()
    kept = [w for w in words if rng.random() > 0.15]
    return " ".join(kept)


def question(row: Row) -> str | None:
    return f"apa benar {row.title.strip().rstrip('?.!')}?"


def template_variant(row: Row) -> str | None:
    """The same template about someone else: other numbers, banks and towns."""
    text = row.narrative or ""
    rng = _rng("template", row.id)
    changed = re.sub(r"\d+", lambda m: str(int(m.group(0)) + rng.randint(1, 9)), text)
    for name in BANKS + TOWNS:
        pattern = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
        if pattern.search(changed):
            others = [n for n in (BANKS if name in BANKS else TOWNS) if n.lower() != name.lower()]
            changed = pattern.sub(rng.choice(others), changed)
    if changed == text or len(text.split()) < 8:
        return None
    return changed


def build_queries(indexed: list[Row], held: list[Row]) -> tuple[list[Query], list[Query], list[Query]]:
    by_narrative: dict[str, set[str]] = {}
    by_title: dict[str, set[str]] = {}
    for row in indexed:
        if row.narrative:
            by_narrative.setdefault(_key(row.narrative), set()).add(row.id)
        by_title.setdefault(_key(row.title), set()).add(row.id)

    def answers(row: Row) -> frozenset[str]:
        same = {row.id} | by_title.get(_key(row.title), set())
        if row.narrative:
            same |= by_narrative.get(_key(row.narrative), set())
        return frozenset(same)

    positives: list[Query] = []
    makers: dict[str, Callable[[Row], str | None]] = {
        "excerpt": excerpt,
        "chat-style": chat_style,
        "reordered": reordered,
        "question": question,
    }
    for kind, make in makers.items():
        sample = [r for r in indexed if make(r)]
        _rng("sample", kind).shuffle(sample)
        positives += [Query(kind, make(r) or "", answers(r)) for r in sample[:PER_KIND]]
    templates: list[Query] = []
    for row in indexed:
        variant = template_variant(row)
        if variant and re.search(r"\d|" + "|".join(BANKS + TOWNS), row.narrative or ""):
            templates.append(Query("template", variant, answers(row)))
    _rng("templates").shuffle(templates)
    templates = templates[:PER_KIND]
    # A held-out hoax is judged with plain word overlap, independent of the engine: the same text,
    # or a headline the fact-checkers worded nearly the same way, is the same hoax debunked again
    # (a true match); a narrative that shares most words under another headline is a template.
    title_words = [(row.id, _words(row.title)) for row in indexed]
    narrative_words = [(row.id, _words(row.narrative)) for row in indexed if row.narrative]
    negatives = []
    for row in held:
        if not row.narrative or len(row.narrative.split()) < 3:
            continue
        same = set(by_narrative.get(_key(row.narrative), set()))
        mine = _words(row.title)
        same |= {other for other, words in title_words if _jaccard(mine, words) >= 0.6}
        if same:
            kind = "recurring" if by_narrative.get(_key(row.narrative)) else "re-debunked"
            positives.append(Query(kind, row.narrative, frozenset(same)))
            continue
        text = _words(row.narrative)
        if any(_jaccard(text, words) >= 0.5 for _, words in narrative_words):
            templates.append(Query("held-out template", row.narrative, frozenset()))
        else:
            negatives.append(Query("negative", row.narrative, frozenset()))
    return positives, negatives, templates


def ambiguous_excerpts(indexed: list[Row]) -> list[Query]:
    """Excerpts two versions of one hoax share, where the versions differ only in names or numbers.

    The two real patterns behind it: one hoax told of two countries ("PM Singapura" / "PM China"),
    one scam's prize list under two banks. Pairs are found by plain word overlap (Jaccard ≥ 0.8 of
    the narratives), kept when the analyser finds other names or numbers in each; the excerpt is
    the longest run of 8 or more words of one that the other has too and that names none of the
    differing particulars. Either claim is a right answer, but deciding for one is a coin toss.
    """
    rows = [r for r in indexed if r.narrative and len(r.narrative.split()) >= 12]
    rare: dict[str, list[int]] = {}
    for number, row in enumerate(rows):
        for word in _words(row.narrative):
            rare.setdefault(word, []).append(number)
    pairs: set[tuple[int, int]] = set()
    for numbers in rare.values():
        if 2 <= len(numbers) <= 8:
            pairs.update((a, b) for a in numbers for b in numbers if a < b)
    queries = []
    for a, b in sorted(pairs):
        first, second = rows[a], rows[b]
        if (
            _key(first.narrative) == _key(second.narrative)
            or _jaccard(_words(first.narrative), _words(second.narrative)) < 0.8
        ):
            continue
        one, other = analyse(first.narrative or ""), analyse(second.narrative or "")
        differing = (one.names | one.numbers) ^ (other.names | other.numbers)
        if not differing:
            continue
        shared = set(other.terms)
        run: list[str] = []
        best: list[str] = []
        for word in (first.narrative or "").split():
            terms = set(analyse(word).terms) | analyse(word).numbers
            if terms & differing or not terms <= shared:
                best, run = max(best, run, key=len), []
            else:
                run.append(word)
        best = max(best, run, key=len)
        if len(best) >= MIN_WORDS_TO_CONFIRM:
            queries.append(Query("ambiguous excerpt", " ".join(best), frozenset({first.id, second.id})))
    return queries


@dataclass
class Tally:
    n: int = 0
    hit1: int = 0
    hit5: int = 0
    rr: float = 0.0
    confirmed_right: int = 0
    confirmed_wrong: int = 0
    confirmed_any: int = 0
    suggested: int = 0
    ms: float = 0.0

    def row(self) -> list[str]:
        return [
            f"{self.hit1 / self.n:.3f}",
            f"{self.hit5 / self.n:.3f}",
            f"{self.rr / self.n:.3f}",
            f"{self.confirmed_right / self.n:.3f}",
            f"{self.confirmed_any / self.n:.3f}",
            f"{self.suggested / self.n:.3f}",
        ]


def run(queries: list[Query], search: Callable[[str], list[tuple[str, float, str]]]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    for query in queries:
        tally = tallies.setdefault(query.kind, Tally())
        start = time.perf_counter()
        ranked = search(query.text)
        tally.ms += (time.perf_counter() - start) * 1000
        tally.n += 1
        for rank, (claim_id, _, _) in enumerate(ranked[:5], start=1):
            if claim_id in query.answers:
                tally.rr += 1 / rank
                tally.hit1 += rank == 1
                tally.hit5 += 1
                break
        if ranked:
            top_id, _, level = ranked[0]
            if level == "match":
                tally.confirmed_any += 1
                if top_id in query.answers:
                    tally.confirmed_right += 1
                else:
                    tally.confirmed_wrong += 1
            if any(level in ("match", "suggest") for _, _, level in ranked[:5]):
                tally.suggested += 1
    return tallies


def engine_search(index: ClaimIndex) -> Callable[[str], list[tuple[str, float, str]]]:
    return lambda text: [(m.claim.id, m.score, m.level) for m in index.search(text=text, limit=5)]


def baseline_search(bm25: PlainBM25) -> Callable[[str], list[tuple[str, float, str]]]:
    def search(text: str) -> list[tuple[str, float, str]]:
        words = len(text.split())
        out = []
        for doc_id, score in bm25.search(text, 5):
            level = "none"
            if score >= BASELINE_MATCH_AT and words >= 8:
                level = "match"
            elif score >= BASELINE_SUGGEST_AT:
                level = "suggest"
            out.append((doc_id, score, level))
        return out

    return search


def _print(title: str, engine: dict[str, Tally], baseline: dict[str, Tally]) -> None:
    print(title)
    header = ["kind", "n", "recall@1", "recall@5", "MRR@5", "auto ok", "auto any", "≥suggest", "ms/query"]
    print("  " + f"{header[0]:>26}" + " ".join(f"{h:>9}" for h in header[1:]))
    for kind in engine:
        for who, tallies in (("saring", engine), ("bm25", baseline)):
            t = tallies[kind]
            cells = [f"{kind}/{who}"[:26], str(t.n), *t.row(), f"{t.ms / t.n:.2f}"]
            print("  " + f"{cells[0]:>26}" + " ".join(f"{c:>9}" for c in cells[1:]))
    print()


def claim_doc(row: Row, with_narrative: bool = True) -> ClaimDoc:
    texts = (row.narrative,) if row.narrative and with_narrative else ()
    return ClaimDoc(row.id, row.id, row.title, row.label or "HOAKS", row.url, row.date, texts)


@dataclass
class Scale:
    """One size of index: the indexed real claims, and synthetic claims beside them up to ``claims``."""

    name: str
    claims: int


SCALES = (Scale("5k", 0), Scale("100k", 100_000))


def evaluate(scale: Scale, indexed: list[Row], held: list[Row]) -> list[tuple[str, bool]]:
    """Print one scale's tables; returns its targets, each with whether it is met."""
    docs = [claim_doc(r) for r in indexed]
    headline_docs = [claim_doc(r, with_narrative=False) for r in indexed]
    if scale.claims:
        # Synthetic claims from fragments of the *indexed* ones only: a held-out negative must
        # stay unseen (bench/synthetic.py).
        extra = list(synthetic_claims([d for d in docs if d.texts], scale.claims - len(docs)))
        docs += extra
        headline_docs += [ClaimDoc(d.id, d.external_id, d.title, d.label, d.url, d.date) for d in extra]
    start = time.perf_counter()
    index = ClaimIndex.build(docs)
    built = time.perf_counter() - start
    bm25 = PlainBM25((d.id, "\n".join((d.title, *d.texts))) for d in docs)
    positives, negatives, templates = build_queries(indexed, held)
    ambiguous = ambiguous_excerpts(indexed)
    queries = positives + negatives + templates + ambiguous
    print(f"— {scale.name}: {len(docs)} claims indexed ({len(indexed)} real; built with analysis in {built:.1f} s)")
    engine, baseline = run(queries, engine_search(index)), run(queries, baseline_search(bm25))
    _print("Narratives indexed", engine, baseline)

    headline_index = ClaimIndex.build(headline_docs)
    headline_bm25 = PlainBM25((d.id, d.title) for d in headline_docs)
    with_narrative = [r for r in indexed if r.narrative and len(r.narrative.split()) >= 8]
    _rng("headline").shuffle(with_narrative)
    headline_queries = [
        Query("narrative→headline", r.narrative or "", frozenset({r.id})) for r in with_narrative[:PER_KIND]
    ]
    headline = run(headline_queries, engine_search(headline_index))
    _print(
        "Headline-only (narratives removed from the index)",
        headline,
        run(headline_queries, baseline_search(headline_bm25)),
    )
    at = f"@ {scale.name}"
    only = headline["narrative→headline"]
    return [
        *(
            (f"recall@1 {kind} ≥ plain BM25 {at}", engine[kind].hit1 >= baseline[kind].hit1)
            for kind in (*POSITIVE_KINDS, "recurring", "re-debunked")
            if kind in engine
        ),
        # The engine's own earlier goals, set for the real claims alone
        *(
            (f"recall@1 {kind} ≥ 0.97 {at}", engine[kind].hit1 / engine[kind].n >= 0.97)
            for kind in POSITIVE_KINDS
            if not scale.claims
        ),
        *(
            (f"auto-confirmed right {kind} ≥ 0.90 {at}", engine[kind].confirmed_right / engine[kind].n >= 0.90)
            for kind in ("excerpt", "chat-style", "reordered")
            if not scale.claims
        ),
        (f"negatives auto-confirmed ≤ 0.01 {at}", engine["negative"].confirmed_any / engine["negative"].n <= 0.01),
        (
            f"template variants auto-confirmed ≤ 0.10 {at}",
            engine["template"].confirmed_any / engine["template"].n <= 0.10,
        ),
        (
            f"ambiguous excerpts ({engine['ambiguous excerpt'].n}) never auto-confirmed {at}",
            engine["ambiguous excerpt"].confirmed_any == 0,
        ),
        (f"headline-only recall@5 ≥ 0.90 {at} (recall@1 {only.hit1 / only.n:.3f})", only.hit5 / only.n >= 0.90),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make eval", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--scale", choices=[s.name for s in SCALES], action="append", help="default: every scale")
    parser.add_argument("--no-pictures", action="store_true", help="leave out the pictures (about 4 minutes)")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"make eval: skipped — the evaluation data is not at {args.data}")
        return 0
    rows = load(args.data)
    indexed = [r for r in rows if not held_out(r.id)]
    held = [r for r in rows if held_out(r.id)]
    print(f"make eval — {len(rows)} fact-checks: {len(indexed)} indexed, {len(held)} held out")
    print(
        "columns: recall@1, recall@5, MRR@5, auto-confirmed and right, auto-confirmed at all, match or suggest in top 5"
    )
    print()
    checks = []
    for scale in SCALES:
        if not args.scale or scale.name in args.scale:
            checks += evaluate(scale, indexed, held)
    if not args.no_pictures:
        from bench.pictures import quality

        checks += quality(indexed, held)
        print()
    print("Targets")
    for name, met in checks:
        print(f"  {'met    ' if met else 'NOT MET'}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
