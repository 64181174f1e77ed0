"""Evidence packages, pure: a ZIP of named files, a manifest of their SHA-256, and its signature.

``manifest.json`` lists every other file with its SHA-256 and size; ``manifest.sig`` is the
signature of ``manifest.json``'s exact bytes (ECDSA P-256 with SHA-256, DER, base64) by the
evidence key in KMS, whose public key anyone can fetch (``GET /v1/evidence-key``). Verifying needs
nothing else: the signature proves the manifest, the manifest proves each file, and a file missing
from or added to the ZIP is seen against the list. ``tools/verify_evidence.py`` is the same check
in 20 lines for anyone who does not trust this code.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import zipfile
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
SIGNING_ALGORITHM = "ECDSA_SHA_256"
_FIXED_TIME = (2024, 1, 1, 0, 0, 0)  # every entry's time: the same files make the same bytes


def manifest_of(files: Mapping[str, bytes], about: Mapping[str, Any], built_at: datetime) -> bytes:
    """The manifest's bytes: what the package is about, when it was built, each file's SHA-256 and size."""
    listed = [
        {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        for name, data in sorted(files.items())
    ]
    body = {**about, "built_at": built_at.isoformat(), "signing_algorithm": SIGNING_ALGORITHM, "files": listed}
    return json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True).encode()


def package(files: Mapping[str, bytes], manifest: bytes, signature: bytes) -> bytes:
    """The ZIP: every file, the manifest and its signature (base64)."""
    if MANIFEST in files or SIGNATURE in files:
        raise ValueError("a package's own names cannot be files of it")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = [*sorted(files.items()), (MANIFEST, manifest), (SIGNATURE, base64.b64encode(signature))]
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name, _FIXED_TIME), data)
    return out.getvalue()


def problems_of(archive_bytes: bytes, verify_signature: Callable[[bytes, bytes], bool]) -> list[str]:
    """What is wrong with a package (empty: it is whole and signed). ``verify_signature(message, sig)``."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(archive_bytes))
        names = set(archive.namelist())
        manifest = archive.read(MANIFEST)
        signature = base64.b64decode(archive.read(SIGNATURE), validate=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        return [f"not a readable evidence package: {error}"]
    if not verify_signature(manifest, signature):
        return ["manifest.json is not signed by the evidence key (or was changed)"]
    found = []
    listed = {entry["name"]: entry for entry in json.loads(manifest)["files"]}
    for name, entry in sorted(listed.items()):
        if name not in names:
            found.append(f"{name} is missing")
            continue
        try:
            data = archive.read(name)
        except (zipfile.BadZipFile, OSError) as error:  # a changed byte can break the entry itself
            found.append(f"{name} cannot be read: {error}")
            continue
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            found.append(f"{name} was changed (its SHA-256 is not the manifest's)")
    found += [f"{name} is not in the manifest" for name in sorted(names - set(listed) - {MANIFEST, SIGNATURE})]
    return found


def public_key_verifier(public_key_pem: bytes) -> Callable[[bytes, bytes], bool]:
    """A ``verify_signature`` for ``problems_of``: the evidence key's public half, in PEM."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    key = load_pem_public_key(public_key_pem)
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("the evidence key is an ECDSA P-256 key")

    def verify(message: bytes, signature: bytes) -> bool:
        try:
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return False
        return True

    return verify
