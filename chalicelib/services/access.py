"""Use cases of API keys: who is calling, may it, how much; and the admin's keys."""

from __future__ import annotations

import hmac
import time
from collections import OrderedDict
from datetime import UTC, datetime, timedelta

from chalicelib.adapters.aws import secret_bytes
from chalicelib.config import get_settings
from chalicelib.domain.access import (
    CONSOLE_ROLES,
    ROLES_BESIDE_PARTNER,
    Principal,
    Role,
    UsageVerdict,
    UsageWindow,
    key_hash,
    key_id_of,
    key_matches,
    new_api_key,
    new_session_token,
    session_id_of,
)
from chalicelib.domain.audit import CLI, Actor, audit_entry
from chalicelib.domain.models import AuditAction, KeyCreated, KeyPage, KeyRequest, KeyView, SessionView
from chalicelib.observability import count, logger
from chalicelib.services.errors import (
    CsrfRefused,
    InvalidField,
    LimitReached,
    NotForTheConsole,
    PublicLimitReached,
    Unauthenticated,
    UnknownCursor,
)
from chalicelib.store import stores
from chalicelib.store.keys import StoredKey, StoredSession

# key id → (when read, the stored key), oldest first; a revoked key stops working within the cache
# time. Only keys that exist are kept, and at most KEY_CACHE_SIZE of them: random key ids sent by
# anyone cost a read each (throttled before they reach here on AWS), never memory.
KEY_CACHE_SIZE = 10_000
_recent_keys: OrderedDict[str, tuple[float, StoredKey]] = OrderedDict()


def pepper() -> bytes:
    """The secret pepper of every keyed hash: API keys, submission fingerprints."""
    return secret_bytes(get_settings().key_pepper_secret)


def _stored_key(key_id: str) -> StoredKey | None:
    ttl = get_settings().key_cache_seconds
    cached = _recent_keys.get(key_id)
    if cached and ttl and time.monotonic() - cached[0] < ttl:
        return cached[1]
    stored = stores().keys.get(key_id)
    _recent_keys.pop(key_id, None)
    if ttl and stored is not None:
        _recent_keys[key_id] = (time.monotonic(), stored)
        while len(_recent_keys) > KEY_CACHE_SIZE:
            _recent_keys.popitem(last=False)
    return stored


def forget_cached_keys() -> None:
    _recent_keys.clear()


def authenticate(key: str | None, now: datetime | None = None) -> Principal:
    """The caller behind an ``X-Api-Key`` value; raises Unauthenticated saying why not."""
    if not key:
        raise Unauthenticated("This endpoint needs an API key in the X-Api-Key header (or a console session).")
    key_id = key_id_of(key)
    stored = _stored_key(key_id) if key_id else None
    # The hash is compared (in constant time) even for an unknown id, so timing tells nothing.
    known = key_matches(pepper(), key, stored.key_hash if stored else "0" * 64)
    if stored is None or not known:
        count("KeysRefused")
        raise Unauthenticated("This API key is not valid.")
    return _principal_of(stored, now or datetime.now(UTC))


def _principal_of(stored: StoredKey, now: datetime, session_id: str | None = None) -> Principal:
    """The caller a stored key stands for, unless it was revoked or has expired (Unauthenticated)."""
    view = stored.view
    if view.revoked_at is not None:
        raise Unauthenticated("This API key was revoked.")
    if view.expires_at is not None and view.expires_at <= now:
        raise Unauthenticated("This API key has expired.")
    roles = frozenset(view.roles)
    return Principal(
        key_id=view.id,
        partner_id=view.partner_id,
        roles=roles & CONSOLE_ROLES if session_id else roles,
        requests_per_minute=view.limits.requests_per_minute,
        submissions_per_day=view.limits.submissions_per_day,
        name=view.name,
        session_id=session_id,
    )


def start_session(key: str, now: datetime | None = None) -> tuple[str, SessionView]:
    """Sign a person in to the console with their key: (the cookie's token, what the page may know).

    Raises Unauthenticated for a bad key and NotForTheConsole for a key with none of the console's
    roles (a partner app's or a media outlet's key has nothing to do there).
    """
    now = now or datetime.now(UTC)
    principal = authenticate(key, now)
    roles = principal.roles & CONSOLE_ROLES
    if not roles:
        count("ConsoleSignInsRefused")
        raise NotForTheConsole("Only a key with the checker, agency or admin role may sign in to the console.")
    token, csrf_token = new_session_token()
    session_id = session_id_of(token)
    assert session_id is not None
    expires_at = now + timedelta(minutes=get_settings().session_minutes)
    stores().sessions.create(StoredSession(session_id, principal.key_id, csrf_token, now, expires_at))
    logger.info("console session started", extra={"key_id": principal.key_id})
    return token, _session_view(principal, csrf_token, expires_at)


def _session_view(principal: Principal, csrf_token: str, expires_at: datetime) -> SessionView:
    return SessionView(
        csrf_token=csrf_token,
        expires_at=expires_at,
        roles=sorted(principal.roles & CONSOLE_ROLES),
        name=principal.name,
        partner_id=principal.partner_id,
    )


def session_principal(token: str, csrf_token: str | None, *, changes: bool, now: datetime | None = None) -> Principal:
    """The caller behind a console session cookie: its key's console roles, while the key stands.

    A call that ``changes`` something must carry the session's CSRF token (CsrfRefused otherwise):
    another site can make a browser send the cookie, never read the token.
    """
    now = now or datetime.now(UTC)
    session_id = session_id_of(token)
    session = stores().sessions.get(session_id, now) if session_id else None
    if session is None:
        raise Unauthenticated("Sesi ini sudah berakhir; masuk lagi. (This console session has ended; sign in again.)")
    stored = _stored_key(session.key_id)
    if stored is None:
        raise Unauthenticated("This API key is not valid.")
    principal = _principal_of(stored, now, session_id=session.id)  # a revoked key ends its sessions
    if changes and not hmac.compare_digest((csrf_token or "").encode(), session.csrf_token.encode()):
        count("CsrfRefused")
        raise CsrfRefused("This call changes something: send the session's csrf_token in the X-CSRF-Token header.")
    return principal


def current_session(principal: Principal, now: datetime | None = None) -> SessionView | None:
    """The caller's console session, as the page reloads it; None when the caller used a key."""
    if principal.session_id is None:
        return None
    session = stores().sessions.get(principal.session_id, now or datetime.now(UTC))
    return _session_view(principal, session.csrf_token, session.expires_at) if session else None


def end_session(principal: Principal) -> bool:
    """Sign out: the session is deleted; False when the caller used a key, not a session."""
    if principal.session_id is None:
        return False
    stores().sessions.delete(principal.session_id)
    return True


def use_allowance(principal: Principal, *, submission: bool, now: datetime | None = None) -> UsageVerdict:
    """Count one request against the key's limits; raises LimitReached when it is over."""
    window = UsageWindow.at(now or datetime.now(UTC))
    verdict = stores().usage.consume(
        principal.key_id,
        window,
        principal.requests_per_minute,
        principal.submissions_per_day,
        submission=submission,
    )
    if not verdict.allowed:
        count("RequestsLimited")
        raise LimitReached(verdict)
    return verdict


def viewer_address(edge_proof: str, viewer: str) -> str | None:
    """The viewer's address CloudFront reported (``ip:port``), when the request carries its secret; else None."""
    if not hmac.compare_digest(edge_proof.encode(), secret_bytes(get_settings().edge_secret)):
        count("EdgeProofRefused")
        return None
    address = viewer.rsplit(":", 1)[0].strip("[]")
    return address or None


def use_public_allowance(address: str, *, complaint: bool, now: datetime | None = None) -> UsageVerdict:
    """Count one request of the public's door against its client address's limits and everyone's.

    Raises PublicLimitReached. The address is counted under a keyed hash (``address_key``), never
    kept as it is. On AWS the gateway's throttling and the WAF's rate rule stop a flood before this.
    """
    from chalicelib.domain.public import PUBLIC_PARTNER_ID, address_key

    settings = get_settings()
    window = UsageWindow.at(now or datetime.now(UTC))
    scopes = (
        (
            "address",
            address_key(pepper(), address),
            settings.public_requests_per_minute,
            settings.public_complaints_per_day,
        ),
        ("everyone", PUBLIC_PARTNER_ID, settings.public_total_per_minute, settings.public_complaints_total_per_day),
    )
    verdicts = []
    for scope, counter, rate, quota in scopes:  # the address first: one client's flood never spends everyone's
        verdict = stores().usage.consume(counter, window, rate, quota, submission=complaint)
        if not verdict.allowed:
            count("PublicRequestsLimited")
            raise PublicLimitReached(verdict, scope)
        verdicts.append(verdict)
    return verdicts[0]


def create_key(request: KeyRequest, actor: Actor, now: datetime | None = None) -> KeyCreated:
    """A new key; the answer is the only place the key itself ever appears.

    Raises InvalidField when the partner id belongs to a partner app and the key would carry a
    role that sees more than that app does (see ``ROLES_BESIDE_PARTNER``).
    """
    extra = set(request.roles) - ROLES_BESIDE_PARTNER
    if extra and Role.partner in stores().keys.roles_of_partner(request.partner_id):
        raise InvalidField(
            "partner_id",
            f"{request.partner_id} is a partner app's id: its keys may carry only the roles "
            f"{', '.join(sorted(ROLES_BESIDE_PARTNER))}; give the {', '.join(sorted(extra))} key its own partner id",
        )
    key_id, key = new_api_key()
    view = _key_view(key_id, request, now)
    audit = audit_entry(actor, AuditAction.key_created, key_id, before=None, after=view, at=view.created_at)
    stores().keys.save(view, key_hash(pepper(), key), audit)
    logger.info("api key created", extra={"key_id": key_id, "partner_id": request.partner_id})
    return KeyCreated(**view.model_dump(), key=key)


def install_key(key: str, request: KeyRequest, now: datetime | None = None) -> KeyView:
    """Store a key whose value the operator chose (the local stack's demo key); replaces one with its id."""
    key_id = key_id_of(key)
    if key_id is None:
        raise ValueError("a key looks like saring_<16 of a-z, 2-7>_<20 to 64 letters or digits>")
    view = _key_view(key_id, request, now)
    audit = audit_entry(CLI, AuditAction.key_created, key_id, before=None, after=view, at=view.created_at)
    stores().keys.save(view, key_hash(pepper(), key), audit, replace=True)
    _recent_keys.pop(key_id, None)
    return view


def _key_view(key_id: str, request: KeyRequest, now: datetime | None) -> KeyView:
    return KeyView(
        id=key_id,
        partner_id=request.partner_id,
        roles=request.roles,
        name=request.name,
        limits=request.limits,
        created_at=now or datetime.now(UTC),
        expires_at=request.expires_at,
    )


_KEY_ID_CURSOR = "key_"


def list_keys(cursor: str | None, limit: int) -> KeyPage:
    if cursor is not None and (not cursor.startswith(_KEY_ID_CURSOR) or len(cursor) != 20):
        raise UnknownCursor(cursor)
    keys, next_cursor = stores().keys.page(cursor, limit)
    return KeyPage(keys=keys, next_cursor=next_cursor)


def revoke_key(key_id: str, actor: Actor, now: datetime | None = None) -> KeyView | None:
    """Revoke a key for good; None when there is no such key."""
    stored = stores().keys.get(key_id)
    if stored is None:
        return None
    now = now or datetime.now(UTC)
    before = stored.view
    after = before.model_copy(update={"revoked_at": before.revoked_at or now})
    audit = audit_entry(actor, AuditAction.key_revoked, key_id, before=before, after=after, at=now)
    if not stores().keys.revoke(key_id, now, audit):
        return None
    _recent_keys.pop(key_id, None)
    logger.info("api key revoked", extra={"key_id": key_id})
    return after
