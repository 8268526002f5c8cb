"""Users, roles and sessions. Passwords are stored as scrypt hashes with a per-user salt; session
tokens are random and stored only as SHA-256 hashes. Every write names the permission it needs."""

from __future__ import annotations

import hashlib
import hmac
import secrets

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


class Forbidden(CuecraftError):
    """The user's role does not allow the action."""


class Unauthorized(CuecraftError):
    """Unknown user, wrong password or an invalid session token."""


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
        store.append_log(db, by, "add_user", None, None, {"user": name, "role": role})


def login(store: ProjectStore, name: str, password: str) -> str:
    """A new session token for the user, if the password matches."""
    with store.connect() as db:
        row = db.execute("SELECT password_hash FROM users WHERE name = ?", (name,)).fetchone()
    if row is None or not _password_matches(password, row["password_hash"]):
        raise Unauthorized(name, "unknown user or wrong password")
    token = secrets.token_urlsafe(32)
    with store.transaction() as db:
        db.execute("INSERT INTO sessions (token_hash, user, created_at) VALUES (?, ?, ?)", (_token_hash(token), name, now_utc()))
        store.append_log(db, name, "login", None, None, {})
    return token


def _password_matches(password: str, stored: str) -> bool:
    _, salt, _ = stored.split("$")
    return hmac.compare_digest(_hash_password(password, bytes.fromhex(salt)), stored)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_for_token(store: ProjectStore, token: str) -> tuple[str, str]:
    """(user, role) of a session token."""
    with store.connect() as db:
        row = db.execute("SELECT u.name, u.role FROM sessions s JOIN users u ON u.name = s.user WHERE s.token_hash = ?",
                         (_token_hash(token),)).fetchone()  # fmt: skip
    if row is None:
        raise Unauthorized("session", "not logged in (invalid or expired token)")
    return row["name"], row["role"]
