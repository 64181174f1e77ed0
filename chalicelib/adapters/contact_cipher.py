"""Envelope encryption of reporter contacts: a fresh KMS data key per contact, AES-256-GCM.

The data key's KMS ciphertext is stored beside the sealed contact; the report id is bound to it as
KMS encryption context and as GCM associated data, so a sealed contact cannot be moved to another
report.
"""

from __future__ import annotations

import base64
import json
import os

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings


def seal_contact(report_id: str, contact: str) -> str:
    """The contact encrypted for storage, as a JSON string."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # only here

    data_key = client("kms").generate_data_key(
        KeyId=get_settings().contacts_key_id,
        KeySpec="AES_256",
        EncryptionContext={"report_id": report_id},
    )
    nonce = os.urandom(12)
    sealed = AESGCM(data_key["Plaintext"]).encrypt(nonce, contact.encode(), report_id.encode())
    return json.dumps(
        {
            "v": 1,
            "key": base64.b64encode(data_key["CiphertextBlob"]).decode(),
            "nonce": base64.b64encode(nonce).decode(),
            "data": base64.b64encode(sealed).decode(),
        }
    )


def open_contact(report_id: str, sealed_json: str) -> str:
    """The contact in the clear; raises if it was sealed for another report or tampered with."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    sealed = json.loads(sealed_json)
    data_key = client("kms").decrypt(
        CiphertextBlob=base64.b64decode(sealed["key"]),
        EncryptionContext={"report_id": report_id},
    )
    plain = AESGCM(data_key["Plaintext"]).decrypt(
        base64.b64decode(sealed["nonce"]), base64.b64decode(sealed["data"]), report_id.encode()
    )
    return plain.decode()
