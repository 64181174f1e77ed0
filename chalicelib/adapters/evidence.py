"""The evidence key (an asymmetric KMS key that signs, never leaves KMS) and the packages in S3 (``evidence/``)."""

from __future__ import annotations

from functools import lru_cache

from chalicelib.adapters.aws import client, head_object
from chalicelib.config import get_settings
from chalicelib.domain.evidence import SIGNING_ALGORITHM

EVIDENCE = "evidence/"


def sign(message: bytes) -> bytes:
    """KMS's ECDSA P-256 signature (DER) of ``message``'s SHA-256."""
    answer = client("kms").sign(
        KeyId=get_settings().evidence_key_id, Message=message, MessageType="RAW", SigningAlgorithm=SIGNING_ALGORITHM
    )
    return bytes(answer["Signature"])


@lru_cache(maxsize=1)
def public_key() -> tuple[str, bytes]:
    """(the key's id, its public half in PEM): read once per container."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_der_public_key

    answer = client("kms").get_public_key(KeyId=get_settings().evidence_key_id)
    pem = load_der_public_key(answer["PublicKey"]).public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    return str(answer["KeyId"]), pem


def package_key(referral_id: str, version: str) -> str:
    return f"{EVIDENCE}{referral_id}/{version}.zip"


def stored(key: str) -> tuple[int, str] | None:
    """(size, SHA-256) of a package already built, or None."""
    head = head_object(get_settings().bucket_name, key)
    if head is None:
        return None
    return int(head["ContentLength"]), str(head.get("Metadata", {}).get("sha256", ""))


def store_package(key: str, data: bytes, sha256: str) -> None:
    client("s3").put_object(
        Bucket=get_settings().bucket_name,
        Key=key,
        Body=data,
        ContentType="application/zip",
        Metadata={"sha256": sha256},
    )


def download_link(key: str, seconds: int) -> str:
    return str(
        client("s3").generate_presigned_url(
            "get_object", Params={"Bucket": get_settings().bucket_name, "Key": key}, ExpiresIn=seconds
        )
    )
