"""Users, roles and sessions. Passwords are stored as scrypt hashes with a per-user salt; session
tokens are random and stored only as SHA-256 hashes. Sessions end on logout, after SESSION_IDLE_S
unused or SESSION_MAX_S in all, and when the user's password is reset. After MAX_FAILURES wrong
passwords for a name, or from one client, within LOCKOUT_S, logins there are refused until it has
passed; an unknown name costs the same scrypt as a known one, so names cannot be told by timing.
Every write names the permission it needs."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from cuecraft.errors import CuecraftError
from cuecraft.project import now_utc
from cuecraft.review.store import ProjectStore

ROLES = ("composer", "director", "editor", "viewer")
PERMISSIONS: dict[str, frozenset[str]] = {
    "approve": frozenset({"composer", "director", "editor"}),
    "reject": frozenset({"composer", "director", "editor"}),
    "note": frozenset({"composer", "director", "editor"}),
    "export": frozenset({"composer", "director", "editor"}),
    "lock": frozenset({"composer"}),
    "regenerate": frozenset({"composer"}),
    "import_take": frozenset({"composer"}),
}
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
SESSION_IDLE_S, SESSION_MAX_S = 8 * 3600, 7 * 24 * 3600
MAX_FAILURES, LOCKOUT_S = 5, 15 * 60
SEEN_EVERY_S = 60  # a session's last use is written at most this often
_DECOY = "scrypt$" + "00" * 16 + "$" + "00" * 64  # an unknown name is checked against this, as long as a real one

class Forbidden(CuecraftError):
    """The user's role does not allow the action."""


class Unauthorized(CuecraftError):
    """Unknown user, wrong password or an invalid session token."""


class TooManyAttempts(CuecraftError):
    """Too many wrong passwords lately for this name or from this client."""


def require(role: str, permission: str, user: str) -> None:
    if role not in PERMISSIONS[permission]:
        raise Forbidden(user, f"a {role} may not {permission.replace('_', ' ')}")


def _hash_password(password: str, salt: bytes) -> str:
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def add_user(store: ProjectStore, name: str, role: str, password: str, by: str = "admin") -> None:
    """Create (or reset) a user; the password is kept only as a salted scrypt hash."""
    if role not in ROLES:
        raise CuecraftError(role, f"unknown role (one of: {', '.join(ROLES)})")
    if not name or not name.isprintable() or len(name) > 64:
        raise CuecraftError(name or "user", "a user name is 1-64 printable characters")
    if len(password) < 8:
        raise CuecraftError(name, "a password needs at least 8 characters")
    with store.transaction() as db:
        db.execute("INSERT OR REPLACE INTO users (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                   (name, role, _hash_password(password, secrets.token_bytes(16)), now_utc()))  # fmt: skip
        ended = db.execute("DELETE FROM sessions WHERE user = ?", (name,)).rowcount  # a reset password ends every session
        store.append_log(db, by, "add_user", None, None, {"user": name, "role": role, "sessions_ended": ended})


def login(store: ProjectStore, name: str, password: str, client: str = "") -> str:
    """A new session token for the user, if the password matches and neither the name nor the client
    is locked out by recent failures."""
    now = time.time()
    keys = [f"user:{name}", *([f"client:{client}"] if client else [])]
    with store.transaction() as db:
        db.execute("DELETE FROM login_failures WHERE at < ?", (now - LOCKOUT_S,))
        db.execute("DELETE FROM sessions WHERE seen < ? OR started < ?", (now - SESSION_IDLE_S, now - SESSION_MAX_S))
        failures = max(db.execute("SELECT COUNT(*) FROM login_failures WHERE key = ?", (k,)).fetchone()[0] for k in keys)
        row = db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
    matches = _password_matches(password, row["password_hash"] if row else _DECOY) and row is not None
    if failures >= MAX_FAILURES:
        raise TooManyAttempts(name, f"too many wrong passwords; try again in {LOCKOUT_S // 60} minutes")
    if not matches:
        with store.transaction() as db:
            db.executemany("INSERT INTO login_failures (key, at) VALUES (?, ?)", [(k, now) for k in keys])
        raise Unauthorized(name, "unknown user or wrong password")
    token = secrets.token_urlsafe(32)
    with store.transaction() as db:
        db.execute("DELETE FROM login_failures WHERE key = ?", (keys[0],))
        db.execute("INSERT INTO sessions (token_hash, user, created_at, started, seen) VALUES (?, ?, ?, ?, ?)",
                   (_token_hash(token), name, now_utc(), now, now))  # fmt: skip
        store.append_log(db, name, "login", None, None, {})
    return token


def logout(store: ProjectStore, token: str) -> None:
    """End the session of `token` (nothing happens for an unknown one)."""
    with store.transaction() as db:
        db.execute("DELETE FROM sessions WHERE token_hash = ?", (_token_hash(token),))


def _password_matches(password: str, stored: str) -> bool:
    _, salt, _ = stored.split("$")
    return hmac.compare_digest(_hash_password(password, bytes.fromhex(salt)), stored)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(store: ProjectStore, token: str) -> tuple[str, str]:
    """(user, role) of a live session token; its last use is noted (idle sessions expire)."""
    now = time.time()
    with store.connect() as db:
        row = db.execute("SELECT u.name, u.role, s.started, s.seen FROM sessions s JOIN users u ON u.name = s.user "
                         "WHERE s.token_hash = ?", (_token_hash(token),)).fetchone()  # fmt: skip
    if row is None or row["seen"] < now - SESSION_IDLE_S or row["started"] < now - SESSION_MAX_S:
        raise Unauthorized("session", "not logged in (invalid or expired token)")
    if row["seen"] < now - SEEN_EVERY_S:
        with store.transaction() as db:
            db.execute("UPDATE sessions SET seen = ? WHERE token_hash = ?", (now, _token_hash(token)))
    return row["name"], row["role"]
