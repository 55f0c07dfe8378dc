"""Business logic of staff accounts: users, passwords (argon2id), API tokens and the login limiter.

Password and token hashes are written with Core statements: the audit hook only sees ORM flushes, and
a hash must never be copied into the append-only audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from tsunagari.auth.models import ApiToken, Role, User, UserMunicipality
from tsunagari.auth.schemas import MIN_PASSWORD_LENGTH, Principal, UserCreate
from tsunagari.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tsunagari.municipality import service as municipality_service

TOKEN_PREFIX = "tsg_"
# Writing last_used_at on every request would turn each API read into a write; a minute is precise enough.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 60.0

hasher = PasswordHasher()
"""The one password hasher (argon2id with argon2-cffi's defaults); tests spy on it."""

# Verified against when the login is unknown, so an unknown login costs as much time as a wrong password.
_DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))


class LoginLimiter:
    """Counts wrong passwords per login; the sixth within a minute is refused before any check.

    In memory, so per process: with several workers each allows its own five (documented limitation).
    """

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_seconds: float = FAILURE_WINDOW_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        cutoff = self.clock() - self.window_seconds
        while failures and failures[0] <= cutoff:
            failures.popleft()
        return failures

    def allowed(self, key: str) -> bool:
        with self._lock:
            return len(self._recent(key)) < self.max_failures

    def record_failure(self, key: str) -> None:
        with self._lock:
            self._recent(key).append(self.clock())

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


limiter = LoginLimiter()


class TooManyAttempts(PermissionDenied):
    """Refused without checking the password: too many wrong ones for this login just now."""


def normalise_login(email: str) -> str:
    return email.strip().lower()


# ----------------------------------------------------------------------------- users
def get(*, session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user


def get_by_email(*, session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalise_login(email))).first()


def require_by_email(*, session: Session, email: str) -> User:
    user = get_by_email(session=session, email=email)
    if user is None:
        raise NotFound(f"no user with login {normalise_login(email)}")
    return user


def list_users(*, session: Session) -> Sequence[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def municipality_ids(user: User) -> frozenset[int]:
    return frozenset(link.municipality_id for link in user.municipalities)


def municipality_names(*, session: Session, user: User) -> list[str]:
    return [
        municipality_service.get(session=session, municipality_id=link.municipality_id).name
        for link in user.municipalities
    ]


def create_user(*, session: Session, data: UserCreate) -> User:
    if get_by_email(session=session, email=data.email) is not None:
        raise Conflict(f"a user with login {data.email} already exists")
    if data.role == Role.editor and not data.municipality_ids:
        raise InvalidInput("an editor works for at least one municipality", field="municipality")
    for municipality_id in data.municipality_ids:
        municipality_service.get(session=session, municipality_id=municipality_id)
    user = User(
        email=data.email,
        display_name=data.display_name or data.email.split("@")[0],
        role=data.role.value,
        active=True,
    )
    user.municipalities = [UserMunicipality(municipality_id=m) for m in dict.fromkeys(data.municipality_ids)]
    session.add(user)
    session.flush()
    if data.password is not None:
        set_password(session=session, user=user, password=data.password)
    return user


def disable_user(*, session: Session, user: User) -> User:
    """Disabled users can neither log in nor use their tokens; their history stays attributed."""
    user.active = False
    session.flush()
    return user


def principal_for(user: User, via: str = "web") -> Principal:
    return Principal(
        user_id=user.id,
        email=user.email,
        display_name=user.display_name,
        role=Role(user.role),
        municipality_ids=municipality_ids(user),
        via=via,
    )


# ----------------------------------------------------------------------------- passwords
def set_password(*, session: Session, user: User, password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください"
            f" / at least {MIN_PASSWORD_LENGTH} characters",
            field="password",
        )
    # Core UPDATE, not the ORM: keeps the hash out of the audit trail and does not bump the version.
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(password_hash=hasher.hash(password))
        .execution_options(synchronize_session=False)
    )
    session.expire(user, ["password_hash"])


def password_fingerprint(password_hash: str | None) -> str:
    """Carried in the session cookie: changing the password ends every other session."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


def _verify(password_hash: str, password: str) -> bool:
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(
    *, session: Session, email: str, password: str, login_limiter: LoginLimiter | None = None
) -> User:
    """The active user with this login and password; PermissionDenied otherwise (one message for all)."""
    guard = login_limiter or limiter
    key = normalise_login(email)
    if not guard.allowed(key):
        raise TooManyAttempts("ログインの試行が多すぎます。1分後にもう一度お試しください。")
    user = get_by_email(session=session, email=key)
    if user is None or not user.active or user.password_hash is None:
        _verify(_DUMMY_HASH, password)
        guard.record_failure(key)
        raise PermissionDenied("ログインIDまたはパスワードが違います。")
    if not _verify(user.password_hash, password):
        guard.record_failure(key)
        raise PermissionDenied("ログインIDまたはパスワードが違います。")
    guard.reset(key)
    if hasher.check_needs_rehash(user.password_hash):
        set_password(session=session, user=user, password=password)
    return user


def change_password(*, session: Session, user: User, current: str, new: str) -> None:
    if user.password_hash is None or not _verify(user.password_hash, current):
        raise InvalidInput("現在のパスワードが違います。", field="current_password")
    if current == new:
        raise InvalidInput("新しいパスワードは現在のものと違うものにしてください。", field="new_password")
    set_password(session=session, user=user, password=new)


# ----------------------------------------------------------------------------- API tokens
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, session: Session, user: User, label: str | None = None) -> str:
    """A new token for the user, returned once: only its hash is kept."""
    if not user.active:
        raise PermissionDenied(f"user {user.email} is disabled")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.execute(
        insert(ApiToken).values(
            user_id=user.id,
            token_hash=_token_hash(token),
            prefix=token[:12],
            label=label,
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    return token


def user_for_token(*, session: Session, token: str, now: dt.datetime | None = None) -> User | None:
    """The active owner of a live token, or None; notes when the token was last used."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(
        select(ApiToken.id, ApiToken.user_id, ApiToken.last_used_at).where(
            ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None)
        )
    ).first()
    if row is None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    moment = now or dt.datetime.now(dt.UTC)
    last = row.last_used_at
    if last is not None and last.tzinfo is None:  # SQLite returns naive datetimes
        last = last.replace(tzinfo=dt.UTC)
    if last is None or moment - last > TOKEN_TOUCH_INTERVAL:
        session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=moment))
    return user


def revoke_tokens(*, session: Session, user: User) -> int:
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=dt.datetime.now(dt.UTC))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def tokens_of(*, session: Session, user: User) -> Sequence[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))
