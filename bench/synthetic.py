"""Synthetic claims that resemble the real ones: lengths, a Zipf vocabulary, numbers, names, labels.

Words are made of Indonesian syllables, so the analyser treats them as it treats real words; a few
hundred common words recur as in real hoaxes. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from chalicelib.domain.matching.index import ClaimDoc

COMMON = (
    "yang dan di ke dari ini itu untuk dengan pada adalah dalam tidak akan juga sudah ada warga pemerintah "
    "presiden menteri polisi tni kpu bawaslu pemilu suara rakyat negara indonesia jakarta video foto viral "
    "bantuan uang dana gratis daftar link klik hadiah transfer rekening bank nomor resmi info berita terbaru "
    "hari ini besok kemarin tahun juta ribu rupiah korban banjir gempa vaksin obat sakit rumah sakit dokter "
    "anak sekolah guru mahasiswa demo ricuh ditangkap meninggal dunia dibubarkan dilarang wajib segera"
).split()
SYLLABLES = (
    "ba be bi bu ka ke ki ku ma me mi mu na ne ni nu ra re ri ru sa se si su ta te ti tu la li lu ga gu da du "
    "pa pe pi ja jo wa ya ha ng"
).split()
LABELS = ["HOAKS"] * 7 + ["PENIPUAN"] * 2 + ["MENYESATKAN"]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def synthetic_claims(count: int, seed: int = 7) -> Iterator[ClaimDoc]:
    rng = random.Random(seed)
    rare = _vocabulary(rng, 60_000)
    weights = [1 / (rank + 1) for rank in range(len(rare))]  # Zipf
    cumulative: list[float] = []
    total = 0.0
    for weight in weights:
        total += weight
        cumulative.append(total)

    def words(n: int) -> list[str]:
        chosen = []
        for _ in range(n):
            if rng.random() < 0.45:
                chosen.append(rng.choice(COMMON))
            else:
                chosen.append(rng.choices(rare, cum_weights=cumulative)[0])
        if rng.random() < 0.4:
            chosen.insert(rng.randrange(len(chosen)), str(rng.randint(1, 2_000_000)))
        return chosen

    for n in range(count):
        title = " ".join(words(rng.randint(5, 12))).capitalize()
        narrative = " ".join(words(rng.randint(10, 90)))
        year = rng.choice([2019, 2021, 2023, 2024, 2024, 2025])
        yield ClaimDoc(
            id=f"syn-{n}",
            external_id=f"syn-{n}",
            title=title,
            label=rng.choice(LABELS),
            date=f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            texts=(narrative,),
        )
