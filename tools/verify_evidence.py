"""Verify a Saring evidence package offline: python verify_evidence.py package.zip evidence-key.pem"""

import base64
import hashlib
import json
import sys
import zipfile

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

archive = zipfile.ZipFile(sys.argv[1])
manifest = archive.read("manifest.json")
key = load_pem_public_key(open(sys.argv[2], "rb").read())
key.verify(base64.b64decode(archive.read("manifest.sig")), manifest, ec.ECDSA(hashes.SHA256()))  # raises if not
listed = {f["name"]: f["sha256"] for f in json.loads(manifest)["files"]}
extra = set(archive.namelist()) - set(listed) - {"manifest.json", "manifest.sig"}
bad = [n for n, h in listed.items() if n not in archive.namelist() or hashlib.sha256(archive.read(n)).hexdigest() != h]
if bad or extra:
    sys.exit(f"NOT VALID: changed or missing {sorted(bad)}, not listed {sorted(extra)}")
print(f"valid: {len(listed)} files, signed manifest of {json.loads(manifest)['referral_id']}")
