"""The public page's static files and the headers they are served with, locally and by CloudFront.

One place for both: ``make run`` serves ``web/public`` itself (``infra/local/http.py``); on AWS the
same files go to S3 behind CloudFront, whose response headers policy carries the same headers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

WEB = Path(__file__).resolve().parents[1] / "web"
PUBLIC_PAGE = WEB / "public"
CONSOLE = WEB / "console"
# Where each page is served: the console under /console/, the public page at the root.
PAGES = (("/console/", CONSOLE), ("/", PUBLIC_PAGE))

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
}


def content_security_policy(upload_origin: str) -> str:
    """Only the page's own files and API; pictures go straight to the uploads bucket at ``upload_origin``."""
    return "; ".join(
        (
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' blob: {upload_origin}".rstrip(),  # the console shows pictures by presigned links
            f"connect-src 'self' {upload_origin}".rstrip(),
            "manifest-src 'self'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


def security_headers(upload_origin: str) -> dict[str, str]:
    """What every file of the page is served with: no framing, no sniffing, no referrer, no cookies set."""
    return {
        "Content-Security-Policy": content_security_policy(upload_origin),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def page_file(request_path: str) -> Path | None:
    """The file a path names on the pages ("/" and "/console/" are index.html), or None; never outside them."""
    path = request_path.split("?", 1)[0].split("#", 1)[0]
    if path == "/console":
        path = "/console/"
    for prefix, root in PAGES:
        if not path.startswith(prefix):
            continue
        relative = path[len(prefix) :] or "index.html"
        if relative.endswith("/"):
            relative += "index.html"
        candidate = (root / relative).resolve()
        if root not in candidate.parents or not candidate.is_file() or candidate.suffix not in CONTENT_TYPES:
            return None
        return candidate
    return None


# What the page's complaint form offers, as the page shows it (Indonesian, English).
PLATFORM_NAMES = {
    "whatsapp": ("WhatsApp", "WhatsApp"),
    "facebook": ("Facebook", "Facebook"),
    "instagram": ("Instagram", "Instagram"),
    "x": ("X (Twitter)", "X (Twitter)"),
    "tiktok": ("TikTok", "TikTok"),
    "youtube": ("YouTube", "YouTube"),
    "telegram": ("Telegram", "Telegram"),
    "web": ("Situs web", "Website"),
    "other": ("Lainnya", "Other"),
}


def choices() -> dict[str, list[Any]]:
    """``choices.json``: the platforms and provinces the API takes, in the order the form lists them."""
    from chalicelib.domain.models import Platform
    from chalicelib.domain.provinces import PROVINCES, UNKNOWN_PROVINCE, UNKNOWN_PROVINCE_NAME

    return {
        "platforms": [[platform.value, list(PLATFORM_NAMES[platform.value])] for platform in Platform],
        "provinces": [[code, name] for code, name in PROVINCES.items()]
        + [[UNKNOWN_PROVINCE, f"{UNKNOWN_PROVINCE_NAME} / tidak ingin menyebutkan"]],
    }


def write_choices() -> Path:
    """Regenerate ``web/public/choices.json`` from the API's own lists (a test keeps it current)."""
    import json

    target = PUBLIC_PAGE / "choices.json"
    target.write_text(json.dumps(choices(), ensure_ascii=False, separators=(",", ":")) + "\n")
    return target


if __name__ == "__main__":
    print(write_choices())
