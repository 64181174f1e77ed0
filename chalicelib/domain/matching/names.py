"""Names that make a scam template about someone else: banks, wallets, places (lower case).

A query that shares a claim's template but names another bank or town is a suggestion, never a
confirmed match: the claim is about someone else.
"""

BANKS = frozenset(
    "bri bni mandiri bca bsi btn cimb danamon permata maybank ocbc panin btpn jenius mega bukopin "
    "muamalat sinarmas uob hsbc citibank bjb jatim jateng dki nagari sumut kalbar sulselbar "
    "ovo gopay shopeepay linkaja".split()
)

PLACES = frozenset(
    """
    aceh sumatera sumut sumbar riau jambi bengkulu lampung bangka belitung kepri jakarta jawa jabar
    jateng jatim banten bali ntb ntt kalimantan kalbar kalteng kalsel kaltim kaltara sulawesi sulut
    sulteng sulsel sultra gorontalo sulbar maluku papua yogyakarta jogja diy
    medan padang pekanbaru palembang bandarlampung batam tanjungpinang pangkalpinang serang tangerang
    bekasi depok bogor bandung cirebon tasikmalaya sukabumi karawang purwakarta garut semarang solo
    surakarta magelang tegal pekalongan kudus pati demak klaten sleman bantul surabaya malang kediri
    blitar madiun jember banyuwangi sidoarjo gresik mojokerto pasuruan probolinggo denpasar mataram
    kupang pontianak palangkaraya banjarmasin samarinda balikpapan bontang tarakan manado palu
    makassar kendari mamuju ambon ternate jayapura manokwari sorong merauke nabire wamena
    pangandaran cianjur sumedang subang indramayu majalengka kuningan ciamis lebak pandeglang
    cilegon bukittinggi dumai lubuklinggau prabumulih sabang lhokseumawe langsa banda
    """.split()
)

NAMES = BANKS | PLACES
