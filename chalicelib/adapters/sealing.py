"""Envelope encryption with KMS: a fresh data key per secret, AES-256-GCM.

Used for reporter contacts (personal data) and webhook signing secrets. The data key's KMS
ciphertext is stored beside the sealed value; what the value belongs to (``report_id=…``,
``webhook_id=…``) is bound as KMS encryption context and as GCM associated data, so a sealed value
cannot be moved to another record.
"""

from __future__ import annotations

import base64
import json
import os

from chalicelib.adapters.aws import client
from chalicelib.config import get_settings


def seal(plain: str, owner: tuple[str, str]) -> str:
    """``plain`` encrypted for storage as a JSON string; ``owner`` is (field, id), e.g. ("report_id", id)."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # only here

    name, value = owner
    data_key = client("kms").generate_data_key(
        KeyId=get_settings().contacts_key_id,
        KeySpec="AES_256",
        EncryptionContext={name: value},
    )
    nonce = os.urandom(12)
    sealed = AESGCM(data_key["Plaintext"]).encrypt(nonce, plain.encode(), value.encode())
    return json.dumps(
        {
            "v": 1,
            "key": base64.b64encode(data_key["CiphertextBlob"]).decode(),
            "nonce": base64.b64encode(nonce).decode(),
            "data": base64.b64encode(sealed).decode(),
        }
    )


def open_sealed(sealed_json: str, owner: tuple[str, str]) -> str:
    """The value in the clear; raises if it was sealed for another owner or tampered with."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    name, value = owner
    sealed = json.loads(sealed_json)
    data_key = client("kms").decrypt(
        CiphertextBlob=base64.b64decode(sealed["key"]),
        EncryptionContext={name: value},
    )
    plain = AESGCM(data_key["Plaintext"]).decrypt(
        base64.b64decode(sealed["nonce"]), base64.b64decode(sealed["data"]), value.encode()
    )
    return plain.decode()
