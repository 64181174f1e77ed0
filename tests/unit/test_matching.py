"""The claim-matching engine: analysis, ranking, levels and guards, on claims written here."""

import pytest

from chalicelib.domain.matching.analysis import analyse
from chalicelib.domain.matching.documents import ClaimDoc
from chalicelib.domain.matching.index import FORMAT, ClaimIndex

SCAM = (
    "Selamat! Nomor Anda terpilih menerima hadiah Rp 25.000.000 dari Bank BRI. Segera hubungi "
    "petugas kami di nomor 0812 3456 7890 dan kirim kode OTP untuk pencairan hadiah hari ini."
)
POSTPONED = (
    "KPU resmi mengundurkan hari pemungutan suara ke bulan Juni karena logistik belum siap di "
    "banyak daerah. Tidak perlu datang ke TPS tanggal 14 Februari."
)
INK = "Tinta pemilu di jari mengandung lemak babi dan membuat ibadah tidak sah, jangan celupkan jari."

CLAIMS = [
    ClaimDoc(
        "c1",
        "e1",
        "Hadiah undian Bank BRI lewat pesan berantai",
        "PENIPUAN",
        date="2024-02-01",
        texts=(SCAM,),
    ),
    ClaimDoc(
        "c2",
        "e2",
        "Pemungutan suara diundur ke bulan Juni",
        "HOAKS",
        date="2024-02-08",
        texts=(POSTPONED,),
        appearance_urls=("https://video.example/watch?v=123",),
    ),
    ClaimDoc("c3", "e3", "Video tinta pemilu mengandung babi", "HOAKS", date="2019-04-10", texts=(INK,)),
    ClaimDoc(
        "c4",
        "e4",
        "Harga beras naik dua kali lipat di Jawa",
        "MENYESATKAN",
        date="2024-03-01",
        texts=("Harga beras naik dua kali lipat di seluruh pasar Jawa minggu ini.",),
    ),
]


@pytest.fixture(scope="module")
def index() -> ClaimIndex:
    return ClaimIndex.build(CLAIMS)


def test_analysis_folds_chat_spelling_banners_and_emoji() -> None:
    chat = analyse("Diteruskan 😱😱 KPU udh ngundurin pemilu yg tgl 14, SEBARKAN!!")
    assert "udh" not in chat.terms and "yg" not in chat.terms
    assert "sebarkan" not in chat.terms and "diteruskan" not in chat.terms
    assert "kpu" in chat.terms and "14" in chat.numbers
    assert analyse("anak2 bangeeet").terms == ("anak", "banget")


def test_analysis_finds_names_by_list_and_by_capitals() -> None:
    names = analyse("Transfer ke rekening BRI atas nama Budi Santoso, kata Pak Joko.").names
    assert {"bri", "budi", "santoso", "joko"} <= names
    assert "pak" not in names


def test_an_edited_copy_is_a_confident_match(index: ClaimIndex) -> None:
    copy = "Diteruskan\n😱 kpu resmi mengundurkan hari pemungutan suara ke bln juni krn logistik blm siap!! SEBARKAN"
    best = index.search(text=copy)[0]
    assert best.claim.id == "c2"
    assert best.level == "match"
    assert 0.8 <= best.score <= 1


def test_an_excerpt_matches_and_ranks_first(index: ClaimIndex) -> None:
    best = index.search(text="tinta pemilu di jari mengandung lemak babi dan membuat ibadah tidak sah")[0]
    assert (best.claim.id, best.level) == ("c3", "match")


def test_fewer_than_eight_words_never_auto_confirm(index: ClaimIndex) -> None:
    best = index.search(text="tinta pemilu mengandung lemak babi")[0]
    assert best.claim.id == "c3"
    assert best.level == "suggest"
    assert any("8 words" in reason for reason in best.reasons)


def test_a_template_about_someone_else_is_only_suggested(index: ClaimIndex) -> None:
    other_bank = SCAM.replace("BRI", "Mandiri").replace("0812 3456 7890", "0813 9999 1111")
    best = index.search(text=other_bank)[0]
    assert best.claim.id == "c1"
    assert best.level == "suggest"


def test_an_old_debunk_is_not_confirmed_inside_a_recency_window(index: ClaimIndex) -> None:
    assert index.search(text=INK)[0].level == "match"
    windowed = index.search(text=INK, since="2024-01-01")[0]
    assert (windowed.claim.id, windowed.level) == ("c3", "suggest")


def test_an_exact_link_comes_first_and_is_certain(index: ClaimIndex) -> None:
    found = index.search(text="harga beras naik", url="HTTPS://video.example/watch?utm_source=wa&v=123")
    assert (found[0].claim.id, found[0].score, found[0].level) == ("c2", 1.0, "match")


def test_unrelated_text_is_not_confirmed(index: ClaimIndex) -> None:
    found = index.search(text="Jalan di depan TPS berlubang dan tergenang air setelah hujan semalam di kampung kami")
    assert all(match.level != "match" for match in found)


def test_limit_and_order(index: ClaimIndex) -> None:
    found = index.search(text="pemilu suara KPU jari tinta beras", limit=3)
    assert len(found) <= 3
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert index.search(text="", limit=5) == []
    assert index.search(text="zzzz qqqq", limit=5) == []


def test_a_snapshot_answers_exactly_like_the_index(index: ClaimIndex) -> None:
    loaded = ClaimIndex.from_bytes(index.to_bytes())
    for text in (SCAM, POSTPONED, "tinta pemilu babi", "harga beras"):
        assert loaded.search(text=text) == index.search(text=text)
    assert len(loaded) == len(index)


def test_a_snapshot_of_another_format_is_refused(index: ClaimIndex) -> None:
    import marshal

    with pytest.raises(ValueError, match="format"):
        ClaimIndex.from_bytes(marshal.dumps({"format": 999}))
    with pytest.raises(ValueError, match="snapshot"):
        ClaimIndex.from_bytes(b"garbage")


def test_exactly_eight_words_may_auto_confirm_and_seven_may_not(index: ClaimIndex) -> None:
    # The guard is "fewer than 8 words": eight words of the claim are enough, seven are not.
    eight = "tinta pemilu di jari mengandung lemak babi jangan"
    seven = "tinta pemilu di jari mengandung lemak babi"
    assert analyse(eight).word_count == 8 and analyse(seven).word_count == 7
    assert (index.search(text=eight)[0].claim.id, index.search(text=eight)[0].level) == ("c3", "match")
    assert index.search(text=seven)[0].level == "suggest"


def test_a_link_on_an_official_or_widely_shared_site_only_suggests() -> None:
    # Given a claim whose appearances list an official page and a news article beside the real post
    claim = ClaimDoc(
        "c9",
        "e9",
        "Jadwal pencoblosan diundur",
        "HOAKS",
        appearance_urls=(
            "https://www.kpu.go.id/berita/jadwal",
            "https://news.detik.com/berita/d-1/jadwal",
            "https://hoax.example/",
            "https://hoax.example/post/1",
        ),
    )
    index = ClaimIndex.build([claim])
    # Then only the real post's link is certain; the others, and a site's front page, suggest
    assert index.search(url="https://hoax.example/post/1")[0].level == "match"
    for url in ("https://www.kpu.go.id/berita/jadwal?utm_source=wa", "https://news.detik.com/berita/d-1/jadwal"):
        found = index.search(url=url)[0]
        assert (found.level, found.score) == ("suggest", 0.6)
        assert "official or widely shared" in found.reasons[0]
    assert index.search(url="https://hoax.example")[0].level == "suggest"


def test_text_that_normalisation_multiplies_is_cut() -> None:
    # U+FDFA becomes 18 characters under NFKC: analysing 20,000 of them took 0.4 s before the cut
    from chalicelib.domain.matching.analysis import fold

    text = "\ufdfa" * 20_000
    assert len(fold(text)) <= 2 * len(text) + 1_000
    assert fold("Biasa saja, tanpa huruf aneh.") == "biasa saja, tanpa huruf aneh."


# Two real patterns of a wrong auto-confirmation, told here in the team's own words: one hoax told
# of two countries, and one scam's prize list sent in the name of two banks.
def _country_version(country: str) -> ClaimDoc:
    text = (
        f"Perdana Menteri {country} mengatakan pemilu Indonesia penuh kecurangan dan hasilnya tidak sah "
        "menurut para pengamat internasional yang datang ke Jakarta."
    )
    return ClaimDoc(
        f"pm-{country.lower()}", f"pm-{country.lower()}", f"PM {country} sebut pemilu curang", "HOAKS", texts=(text,)
    )


def _bank_version(bank: str) -> ClaimDoc:
    text = (
        f"Selamat! Nasabah Bank {bank} memenangkan undian berhadiah: mobil Avanza, sepeda motor, emas 10 gram "
        "dan uang tunai Rp 50 juta. Klik tautan untuk klaim hadiah sebelum hangus."
    )
    return ClaimDoc(
        f"bank-{bank.lower()}", f"bank-{bank.lower()}", f"Undian berhadiah Bank {bank}", "PENIPUAN", texts=(text,)
    )


def test_an_excerpt_shared_by_two_countries_versions_is_only_suggested() -> None:
    index = ClaimIndex.build([*CLAIMS, _country_version("Singapura"), _country_version("China")])
    excerpt = "mengatakan pemilu Indonesia penuh kecurangan dan hasilnya tidak sah"
    found = index.search(text=excerpt)
    assert {match.claim.id for match in found[:2]} == {"pm-singapura", "pm-china"}
    assert all(match.level != "match" for match in found)
    assert found[0].level == "suggest"
    assert "differ in names or numbers the text does not mention" in found[0].reasons[-1]


def test_the_version_the_text_names_is_still_a_match() -> None:
    index = ClaimIndex.build([*CLAIMS, _country_version("Singapura"), _country_version("China")])
    found = index.search(text="PM China mengatakan pemilu Indonesia penuh kecurangan dan hasilnya tidak sah")
    assert found[0].claim.id == "pm-china"
    assert found[0].level == "match"


def test_a_prize_list_shared_by_two_banks_scams_is_only_suggested() -> None:
    index = ClaimIndex.build([*CLAIMS, _bank_version("Mandiri"), _bank_version("Danamon")])
    prizes = "memenangkan undian berhadiah mobil Avanza, sepeda motor, emas 10 gram dan uang tunai Rp 50 juta"
    found = index.search(text=prizes)
    assert {match.claim.id for match in found[:2]} == {"bank-mandiri", "bank-danamon"}
    assert all(match.level != "match" for match in found)
    named = index.search(text=f"Nasabah Bank Danamon {prizes}")
    assert (named[0].claim.id, named[0].level) == ("bank-danamon", "match")


def test_two_debunks_of_one_story_with_the_same_particulars_still_match() -> None:
    twin = ClaimDoc("c2-again", "e2-again", "KPU tidak mengundurkan pemungutan suara", "HOAKS", texts=(POSTPONED,))
    index = ClaimIndex.build([*CLAIMS, twin])
    found = index.search(text=POSTPONED)
    assert {match.claim.id for match in found[:2]} == {"c2", "c2-again"}
    assert found[0].level == "match"


def test_a_rival_further_than_the_margin_does_not_hold_a_match_back() -> None:
    longer = ClaimDoc(
        "pm-singapura-long",
        "x",
        "PM Singapura sebut pemilu curang",
        "HOAKS",
        texts=(_country_version("Singapura").texts[0],),
    )
    other = ClaimDoc(
        "pm-china-short", "y", "PM China", "HOAKS", texts=("Perdana Menteri China berkunjung ke Jakarta.",)
    )
    index = ClaimIndex.build([*CLAIMS, longer, other])
    found = index.search(text=longer.texts[0])
    assert found[0].claim.id == "pm-singapura-long"
    assert found[0].level == "match"
    assert found[1].score < found[0].score - 0.05


def test_a_snapshot_of_an_older_format_is_refused_not_misread() -> None:
    import marshal

    older = marshal.dumps({"format": 4, "rows": [], "terms": []})
    with pytest.raises(ValueError, match=f"format {FORMAT}"):
        ClaimIndex.from_bytes(older)
    with pytest.raises(ValueError):
        ClaimIndex.from_bytes(f"saring-claim-index/{FORMAT}\n".encode() + (3).to_bytes(8, "little") + b"\xff\xff\xff")


def test_a_longer_version_that_has_all_of_the_text_is_a_rival_too() -> None:
    # The Singapore version says more (a second sentence), so it scores lower on length alone; the
    # excerpt is in both, and names neither country: still a coin toss
    short = _country_version("China")
    more = " Warga diminta tidak datang ke TPS tahun ini, karena surat suara sudah dicoblos petugas KPPS di gudang."
    longer_text = short.texts[0].replace("China", "Singapura") + more
    longer = ClaimDoc("pm-singapura", "pm-singapura", "PM Singapura sebut pemilu curang", "HOAKS", texts=(longer_text,))
    index = ClaimIndex.build([*CLAIMS, short, longer])
    excerpt = "mengatakan pemilu Indonesia penuh kecurangan dan hasilnya tidak sah menurut para pengamat internasional"
    found = index.search(text=excerpt)
    assert {m.claim.id for m in found[:2]} == {"pm-china", "pm-singapura"}
    assert found[0].score - found[1].score > 0.05  # beyond the score margin: only coverage says they tie
    assert [m.level for m in found[:2]] == ["suggest", "suggest"]
    # And naming the country decides it
    assert index.search(text=excerpt + " kata PM China")[0].level == "match"


def test_a_word_that_is_a_name_in_one_version_only_does_not_tell_them_apart() -> None:
    # "Puskesmas" is capitalised in one copy (a name there) and lower case in the other: both have it
    first = ClaimDoc("job-a", "a", "Lowongan palsu", "PENIPUAN", texts=(JOB.format("Puskesmas", "Kebonsari"),))
    second = ClaimDoc("job-b", "b", "Lowongan palsu", "PENIPUAN", texts=(JOB.format("puskesmas", "Mulyorejo"),))
    index = ClaimIndex.build([*CLAIMS, first, second])
    found = index.search(text="Dibutuhkan segera staff kantor usia maksimal 35 tahun untuk ditempatkan di Puskesmas")
    assert found[0].level == "suggest"


JOB = "Dibutuhkan segera staff kantor usia maksimal 35 tahun untuk ditempatkan di {} {} hubungi admin sekarang."


def test_a_links_own_site_name_is_a_term_and_its_path_is_not() -> None:
    scam = analyse("Daftar di HTTP://PTKrakatauSteel.jiscv.my.id/daftar?ref=wa13 sekarang")
    assert {"ptkrakatausteel", "jiscv"} <= set(scam.terms)
    assert not {"daftar?ref", "ref", "wa13", "13"} & set(scam.terms)
    assert scam.numbers == frozenset() and scam.word_count == 3  # a link is not words a reader counts
    # Official, widely shared and platform sites name nothing; a name of one's own on a platform does
    cited = analyse("sumber www.kpu.go.id https://news.detik.com/x https://www.facebook.com/share/v/d1 https://t.co/a")
    assert cited.terms == ("sumber",)
    assert "beritaviral" in analyse("baca https://beritaviral.blogspot.com/2024/x").terms


def test_a_link_whose_path_mixes_cases_leaves_no_numbers_behind() -> None:
    # Folding used to split "hPTbwPqAb13" at its capitals before the link was taken out, leaving
    # "pqab13" and the number 13 in the text: a copy with another link number then had "other numbers".
    shared = "VIRALKAN GUYS KITA KAWAL PN JAKARTA PUSAT SIDANGKAN DISKUALIFIKASI PENCALONAN PRABOWO GIBRAN"
    assert analyse(f"{shared} https://t.co/hPTbwPqAb13").terms == analyse(shared).terms
    assert analyse(f"{shared} https://t.co/hPTbwPqAb13").numbers == frozenset()


def test_two_scams_alike_but_for_their_own_sites_are_told_apart_by_the_link() -> None:
    text = "Lowongan kerja pabrik dibuka untuk lulusan SMA, pendaftaran gratis tanpa biaya lewat tautan berikut"
    index = ClaimIndex.build(
        [
            ClaimDoc(
                "c1", "e1", "Lowongan palsu pabrik baja", "PENIPUAN", texts=(f"{text} http://baja-rekrut.example/",)
            ),
            ClaimDoc(
                "c2", "e2", "Lowongan palsu pabrik semen", "PENIPUAN", texts=(f"{text} http://semen-karier.example/",)
            ),
        ]
    )
    assert [m.claim.id for m in index.search(text=f"{text} http://semen-karier.example/daftar")][:1] == ["c2"]
    assert [m.claim.id for m in index.search(text=f"{text} http://baja-rekrut.example/daftar")][:1] == ["c1"]


def test_analysis_keeps_apart_the_function_words_a_copy_shares() -> None:
    chat = analyse("Ini yg dibilang org2 bahwa KPU curang dan the result is fake, SEBARKAN")
    assert chat.function_words == {"ini", "yang", "bahwa", "dan", "the", "is"}  # chat spellings undone
    assert not chat.function_words & set(chat.terms)  # never terms: they say nothing of the claim


def test_a_claim_that_keeps_the_texts_function_words_comes_before_one_that_only_shares_its_content() -> None:
    # The same content terms, counted alike, under the same headline: only the words around them
    # differ. Equal scores fall back to the id, so without the function words "a-retold" came first.
    copy = "Kabar bahwa bantuan tunai akan dibagikan kepada semua warga yang datang ke balai desa"
    retold = "Kabar: bantuan tunai dibagikan, warga datang, balai desa"
    index = ClaimIndex.build(
        [
            ClaimDoc("a-retold", "e1", "Bantuan tunai untuk warga", "HOAKS", texts=(retold,)),
            ClaimDoc("z-copy", "e2", "Bantuan tunai untuk warga", "HOAKS", texts=(copy,)),
        ]
    )
    found = index.search(text=copy)
    assert [m.claim.id for m in found] == ["z-copy", "a-retold"]
    assert found[0].score == found[1].score  # the order, not the score: levels are unchanged


def test_a_claim_whose_headline_has_some_of_the_text_comes_before_one_whose_headline_has_none() -> None:
    # The same terms counted alike (one claim's "bantuan" is in its headline, the other's in its
    # text): only whether the headline is about the text differs.
    text = "Bantuan tunai akan dibagikan kepada semua warga yang datang ke balai desa besok pagi"
    index = ClaimIndex.build(
        [
            ClaimDoc("a-elsewhere", "e1", "Awas", "HOAKS", texts=(f"{text} bantuan",)),
            ClaimDoc("z-about", "e2", "Awas bantuan", "HOAKS", texts=(text,)),
        ]
    )
    found = index.search(text=text)
    assert [m.claim.id for m in found] == ["z-about", "a-elsewhere"]
    assert found[0].score == found[1].score
