"""The claim index between rebuilds: claims added, changed and withdrawn are searchable at once."""

from chalicelib.domain.matching.documents import (
    ANALYSIS_VERSION,
    AnalysedClaim,
    ClaimDoc,
    analyse_claim,
    decode_changes,
    encode_changes,
)
from chalicelib.domain.matching.index import ClaimIndex
from tests.unit.test_matching import CLAIMS, INK, POSTPONED

BALLOT_BOX = (
    "Kotak suara dari kardus mudah dibobol, hasil pemilu pasti dicurangi di gudang kecamatan malam ini "
    "oleh petugas yang dibayar partai."
)
NEW_CLAIM = ClaimDoc("c9", "e9", "Kotak suara kardus mudah dibobol", "HOAKS", date="2024-02-10", texts=(BALLOT_BOX,))


def test_a_stored_analysis_is_what_analysing_again_gives() -> None:
    analysed = analyse_claim(CLAIMS[0])
    assert AnalysedClaim.restored(CLAIMS[0], analysed.stored()) == analysed
    assert "hadiah" in analysed.terms and analysed.counts[analysed.terms.index("hadiah")] == 3


def test_an_analysis_of_another_version_or_unreadable_is_done_again() -> None:
    analysed = analyse_claim(CLAIMS[1])
    stale = analysed.stored().replace(f'"v": {ANALYSIS_VERSION}', '"v": 0')
    assert stale != analysed.stored()
    assert AnalysedClaim.restored(CLAIMS[1], stale) == analysed
    assert AnalysedClaim.restored(CLAIMS[1], "{not json") == analysed
    assert AnalysedClaim.restored(CLAIMS[1], None) == analysed


def test_a_change_set_survives_its_encoding() -> None:
    changes = {"c9": analyse_claim(NEW_CLAIM), "c3": None}
    assert decode_changes(encode_changes(changes)) == changes


def test_a_new_claim_is_found_without_a_rebuild_and_scores_as_if_built_in() -> None:
    base = ClaimIndex.build(CLAIMS)
    assert all(match.claim.id != "c9" for match in base.search(text=BALLOT_BOX))
    changed = base.with_changes({"c9": analyse_claim(NEW_CLAIM)})
    rebuilt = ClaimIndex.build([*CLAIMS, NEW_CLAIM])
    found, expected = changed.search(text=BALLOT_BOX)[0], rebuilt.search(text=BALLOT_BOX)[0]
    assert found.claim.id == expected.claim.id == "c9"
    assert found.level == expected.level == "match"
    assert abs(found.score - expected.score) < 0.05
    assert len(changed) == len(CLAIMS) + 1
    assert len(base) == len(CLAIMS)  # the index it came from is untouched (readers may still hold it)


def test_a_changed_claim_replaces_its_old_version() -> None:
    base = ClaimIndex.build(CLAIMS)
    retold = ClaimDoc("c3", "e3", "Kotak suara kardus mudah dibobol", "MENYESATKAN", texts=(BALLOT_BOX,))
    changed = base.with_changes({"c3": analyse_claim(retold)})
    assert [m.claim.id for m in changed.search(text=INK) if m.level != "none"] == []
    best = changed.search(text=BALLOT_BOX)[0]
    assert (best.claim.id, best.claim.label) == ("c3", "MENYESATKAN")
    assert len(changed) == len(CLAIMS)


def test_a_withdrawn_claim_is_no_longer_found_by_text_link_or_listing() -> None:
    base = ClaimIndex.build(CLAIMS)
    assert base.search(url="https://video.example/watch?v=123")[0].claim.id == "c2"
    gone = base.with_changes({"c2": None})
    assert all(match.claim.id != "c2" for match in gone.search(text=POSTPONED, url="https://video.example/watch?v=123"))
    assert "c2" not in [gone.doc(n).id for n in gone.newest_first()]
    assert len(gone) == len(CLAIMS) - 1


def test_changes_accumulate_and_the_newest_first_listing_merges_them() -> None:
    base = ClaimIndex.build(CLAIMS)
    first = base.with_changes({"c9": analyse_claim(NEW_CLAIM)})
    later = ClaimDoc(
        "c10", "e10", "Beras plastik beredar di pasar", "HOAKS", date="2025-01-01", texts=("Beras plastik",)
    )
    both = first.with_changes({"c10": analyse_claim(later), "c1": None})
    listed = [both.doc(n).id for n in both.newest_first()]
    assert listed == ["c10", "c4", "c9", "c2", "c3"]  # by debunk date, newest first; c1 withdrawn


def test_a_snapshot_round_trip_keeps_every_answer() -> None:
    index = ClaimIndex.build(CLAIMS)
    loaded = ClaimIndex.from_bytes(index.to_bytes())
    for text in (POSTPONED, INK, BALLOT_BOX, "hadiah bank"):
        assert loaded.search(text=text) == index.search(text=text)
    assert [loaded.doc(n) for n in loaded.newest_first()] == [index.doc(n) for n in index.newest_first()]


def test_a_claims_terms_start_with_its_headlines_as_the_index_expects() -> None:
    for doc in (*CLAIMS, NEW_CLAIM):
        analysed = analyse_claim(doc)
        assert analysed.headline and analysed.terms[: len(analysed.headline)] == analysed.headline
        restored = AnalysedClaim.restored(doc, analysed.stored())
        assert restored.terms[: len(restored.headline)] == restored.headline


def test_a_query_that_is_a_headline_prefers_that_claim_over_a_longer_one_containing_it() -> None:
    # A copy of the headline inside a longer claim's headline: the claim whose headline it is wins
    bridge = ClaimDoc("b1", "b1", "Jembatan Suramadu ditutup total", "HOAKS", texts=("Retak parah di tiang utama.",))
    longer = ClaimDoc(
        "b2",
        "b2",
        "Jembatan Suramadu ditutup total, kapal feri gratis untuk semua pemudik lebaran",
        "HOAKS",
        texts=("Kapal feri gratis disediakan pemerintah untuk pemudik.",),
    )
    index = ClaimIndex.build([*CLAIMS, longer, bridge])
    assert index.search(text="apa benar Jembatan Suramadu ditutup total?")[0].claim.id == "b1"


def test_between_equal_scores_the_claim_that_says_it_more_often_comes_first() -> None:
    # The same words, so the same score; one debunk carries the hoax twice (two circulating
    # variants): BM25's term frequency orders them, not the claim id
    quoted = "surat cinta dari BSI, harus tutup rekening sebelum akhir bulan"
    once = ClaimDoc("a-once", "a", "Surat cinta BSI", "HOAKS", texts=(quoted,))
    twice = ClaimDoc("b-twice", "b", "Surat cinta BSI", "HOAKS", texts=(quoted, quoted.upper()))
    index = ClaimIndex.build([*CLAIMS, once, twice])
    found = index.search(text=quoted)
    assert found[0].score == found[1].score
    assert [m.claim.id for m in found[:2]] == ["b-twice", "a-once"]


def test_a_claims_function_words_are_its_texts_and_its_headlines_only_without_texts() -> None:
    # A copy copies the text that circulated, not the fact-checker's headline.
    told = ClaimDoc(
        "f1", "f1", "Apa benar ada bantuan untuk kalian", "HOAKS", texts=("Bantuan ini dibagikan di balai",)
    )
    bare = ClaimDoc("f2", "f2", "Apa benar ada bantuan untuk kalian", "HOAKS")
    assert analyse_claim(told).function_words == ("di", "ini")
    assert analyse_claim(bare).function_words == ("ada", "apa", "kalian", "untuk")
    assert AnalysedClaim.restored(told, analyse_claim(told).stored()).function_words == ("di", "ini")
