"""Sites a link alone never proves a hoax on: official and widely shared domains (pure).

A hoax often cites a real page to look credible (KPU's schedule, a ministry's notice, a news
article). When a claim lists such a page among the hoax's appearances, by a checker's mistake or
an imported ClaimReview's, an exact link match would label every honest share of that page a
certain hoax. On these sites a link is only ever a suggestion; the text has to decide.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

# Indonesian second-level domains reserved for the state, the armed forces, universities, schools
# and villages: their pages are what hoaxes imitate and cite, never the hoax itself.
OFFICIAL_SUFFIXES = ("go.id", "mil.id", "ac.id", "sch.id", "desa.id", "gov", "int")

# Sites whose pages are shared by millions for what they say (news outlets, the wire agency,
# reference works, search): a hoax quoting one of them is still a hoax about something else.
WIDELY_SHARED = frozenset(
    {
        "antaranews.com",
        "bbc.com",
        "cnbcindonesia.com",
        "cnnindonesia.com",
        "detik.com",
        "google.com",
        "idntimes.com",
        "inews.id",
        "jawapos.com",
        "kompas.com",
        "kompas.id",
        "kumparan.com",
        "liputan6.com",
        "merdeka.com",
        "metrotvnews.com",
        "okezone.com",
        "republika.co.id",
        "reuters.com",
        "rri.co.id",
        "sindonews.com",
        "suara.com",
        "tempo.co",
        "tribunnews.com",
        "turnbackhoax.id",
        "viva.co.id",
        "wikipedia.org",
    }
)


# Where anyone can post, shorten or archive: the site's name says nothing about what was posted, but
# a name of one's own on it (``beritaviral.blogspot.com``) does.
PLATFORMS = frozenset(
    {
        "archive.md",
        "archive.org",
        "archive.ph",
        "bit.ly",
        "blogspot.com",
        "facebook.com",
        "fb.com",
        "fb.watch",
        "firebaseapp.com",
        "forms.gle",
        "github.io",
        "herokuapp.com",
        "instagram.com",
        "linktr.ee",
        "netlify.app",
        "pages.dev",
        "s.id",
        "t.co",
        "t.me",
        "tiktok.com",
        "tinyurl.com",
        "twitter.com",
        "vercel.app",
        "wa.me",
        "web.app",
        "weebly.com",
        "whatsapp.com",
        "wixsite.com",
        "wordpress.com",
        "x.com",
        "youtu.be",
        "youtube.com",
    }
)
# Parts of a host that any site may have (top-level and second-level domains, "www").
_HOST_NOISE = frozenset("www m com net org info id co or my xyz site web online biz app".split())
_HOST_PARTS = re.compile(r"[^a-z0-9]+")


def own_name_words(host: str) -> list[str]:
    """The words of a host that name a site of its own: ``ptkrakatausteel``, ``jiscv`` of
    ``ptkrakatausteel.jiscv.my.id``; none for official, widely shared or platform sites themselves.

    A scam's own domain is what its copies share most surely, while a link to KPU, a news outlet or
    Facebook says nothing about which hoax it is.
    """
    host = host.lower().rstrip(".")
    if any(_within(host, suffix) for suffix in OFFICIAL_SUFFIXES) or any(_within(host, d) for d in WIDELY_SHARED):
        return []
    platform = next((d for d in PLATFORMS if _within(host, d)), None)
    if platform is not None:
        host = host[: -len(platform)]
    return [part for part in _HOST_PARTS.split(host) if len(part) > 2 and part not in _HOST_NOISE]


def _within(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def link_can_confirm(url: str) -> bool:
    """False when a match on this link alone must stay a suggestion (see the module docstring).

    A site's front page never confirms either: it is not one piece of content.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if not host:
        return False
    if any(_within(host, suffix) for suffix in OFFICIAL_SUFFIXES) or any(_within(host, d) for d in WIDELY_SHARED):
        return False
    return parts.path.strip("/") != "" or bool(parts.query)
