"""Business logic of staff accounts: users, passwords (argon2id), API tokens and the login limiter.

Password and token hashes are written through the ORM like everything else, so their changes are in the
audit trail; the trail keeps only "[redacted]" for them (audit.service.SECRET_COLUMNS), never a hash.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from tsunagari.access.principal import Principal
from tsunagari.access.roles import Role
from tsunagari.auth.models import ApiToken, LoginFailure, LoginSession, User, UserMunicipality
from tsunagari.auth.schemas import MIN_PASSWORD_LENGTH, UserCreate, UserUpdate
from tsunagari.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tsunagari.municipality import service as municipality_service

TOKEN_PREFIX = "tsg_"
# Writing last_used_at on every request would turn each API read into a write; a minute is precise enough.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)
MAX_FAILURES = 5
FAILURE_WINDOW_SECONDS = 60.0

hasher = PasswordHasher()
"""The one password hasher (argon2id with argon2-cffi's defaults); tests spy on it."""


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the login is unknown, so an unknown login costs as much time as a wrong
    password; made at the first such login, not at import (argon2 costs a tenth of a second)."""
    return hasher.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class LoginLimit:
    """At most `failures` wrong passwords within `window_seconds`, counted per what `per` names."""

    per: Literal["login_and_source", "source", "login"]
    failures: int
    window_seconds: float


# Guessing one account from one place is stopped after five tries a minute; spraying one password over
# many accounts from one place, after twenty in ten minutes; a guess spread over many places, after a
# hundred an hour. A real user is never locked out by someone else's tries from elsewhere for longer
# than that last window, and never by their own for more than a minute.
LOGIN_LIMITS: tuple[LoginLimit, ...] = (
    LoginLimit("login_and_source", MAX_FAILURES, FAILURE_WINDOW_SECONDS),
    LoginLimit("source", 20, 600.0),
    LoginLimit("login", 100, 3600.0),
)


class LoginLimiter:
    """Counts wrong passwords in the `login_failure` table, so every app process on the database sees
    the same count, and refuses a login unchecked once any of its limits is reached.

    Failures are written in the caller's session (the login page commits them with its response, even
    though the login failed). Processes checking at the very same instant may
    each see the last failure as not yet written: a race can overshoot by one attempt per process.
    """

    def __init__(
        self,
        max_failures: int = MAX_FAILURES,
        window_seconds: float = FAILURE_WINDOW_SECONDS,
        clock: Callable[[], float] = time.time,
        limits: Sequence[LoginLimit] | None = None,
    ) -> None:
        self.limits = (
            tuple(limits)
            if limits is not None
            else (
                LoginLimit("login_and_source", max_failures, window_seconds),
                *LOGIN_LIMITS[1:],
            )
        )
        # Wall-clock seconds: a monotonic clock means nothing to another process.
        self.clock = clock

    @property
    def longest_window(self) -> float:
        return max(limit.window_seconds for limit in self.limits)

    def allowed(self, key: str, *, session: Session, ip: str | None = None) -> bool:
        now = self.clock()
        same_source = LoginFailure.ip.is_(None) if ip is None else LoginFailure.ip == ip
        conditions = {
            "login_and_source": (LoginFailure.login == key, same_source),
            "source": (same_source,),
            "login": (LoginFailure.login == key,),
        }
        for limit in self.limits:
            statement = (
                select(func.count())
                .select_from(LoginFailure)
                .where(*conditions[limit.per], LoginFailure.at > now - limit.window_seconds)
            )
            if int(session.scalar(statement) or 0) >= limit.failures:
                return False
        return True

    def record_failure(self, key: str, *, session: Session, ip: str | None = None) -> None:
        now = self.clock()
        session.execute(insert(LoginFailure).values(login=key, ip=ip, at=now))
        # Pruned as we go: nothing older than the longest window is ever read again.
        session.execute(delete(LoginFailure).where(LoginFailure.at <= now - self.longest_window))

    def reset(self, key: str, *, session: Session, ip: str | None = None) -> None:
        """A right password clears that login's failures from that source (others' tries stay counted)."""
        same_source = LoginFailure.ip.is_(None) if ip is None else LoginFailure.ip == ip
        session.execute(delete(LoginFailure).where(LoginFailure.login == key, same_source))


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
        # Hashed before the first flush, so a new account is one audit entry.
        password_hash=_hash_password(data.password) if data.password is not None else None,
    )
    user.municipalities = [UserMunicipality(municipality_id=m) for m in dict.fromkeys(data.municipality_ids)]
    session.add(user)
    session.flush()
    return user


def update_user(*, session: Session, user: User, data: UserUpdate) -> User:
    """Change an account's name, role or municipalities (an editor keeps at least one)."""
    role = data.role.value if data.role is not None else user.role
    wanted = (
        list(dict.fromkeys(data.municipality_ids))
        if data.municipality_ids is not None
        else [link.municipality_id for link in user.municipalities]
    )
    if role == Role.editor and not wanted:
        raise InvalidInput(
            "編集者には担当の自治体が1つ以上必要です / an editor works for at least one municipality",
            field="municipality_ids",
        )
    for municipality_id in wanted:
        try:
            municipality_service.get(session=session, municipality_id=municipality_id)
        except NotFound:
            raise InvalidInput(
                "no such municipality", field="municipality_ids", value=municipality_id
            ) from None
    if data.display_name is not None and data.display_name.strip() and data.display_name != user.display_name:
        user.display_name = data.display_name.strip()
    if role != user.role:
        user.role = role
    current = [link.municipality_id for link in user.municipalities]
    if set(current) != set(wanted):
        kept = [link for link in user.municipalities if link.municipality_id in wanted]
        user.municipalities = kept + [
            UserMunicipality(municipality_id=m) for m in wanted if m not in set(current)
        ]
        # The links are rows of their own; touching the user bumps its version, so a concurrent edit of
        # the scope from the same version is refused like any other.
        user.updated_at = dt.datetime.now(dt.UTC)
    session.flush()
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


SYSTEM_USER_ID = 0
"""A system actor has no account: no user has id 0."""


def system_principal(*, name: str, via: str = "cli") -> Principal:
    """A named system actor (e.g. `cli:activities add`): an admin with no account, acting through the
    same permission-checked actions as staff, and named as the actor of what it writes in the audit trail."""
    return Principal(
        user_id=SYSTEM_USER_ID,
        email=name,
        display_name=name,
        role=Role.admin,
        municipality_ids=frozenset(),
        via=via,
    )


# ----------------------------------------------------------------------------- passwords
def _hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"パスワードは{MIN_PASSWORD_LENGTH}文字以上にしてください"
            f" / at least {MIN_PASSWORD_LENGTH} characters",
            field="password",
        )
    return hasher.hash(password)


def set_password(*, session: Session, user: User, password: str, end_sessions: bool = True) -> None:
    """Store a new hash; the audit trail records that the password changed, never the hash. Every
    browser signed in with the old password is signed out (the caller starts a new session for the
    one that made the change)."""
    user.password_hash = _hash_password(password)
    session.flush()
    if end_sessions:
        end_sessions_of(session=session, user_id=user.id)


def password_fingerprint(password_hash: str | None) -> str:
    """Carried in the session cookie: changing the password ends every other session."""
    return hashlib.sha256((password_hash or "").encode()).hexdigest()[:16]


# Each check is argon2id, made to cost tens of milliseconds of CPU on four lanes; a burst of logins
# checked all at once would take every core from every other request. Two at a time: the rest wait.
_CHECKS_AT_ONCE = threading.BoundedSemaphore(2)


def _verify(password_hash: str, password: str) -> bool:
    with _CHECKS_AT_ONCE:
        try:
            return hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def authenticate(
    *,
    session: Session,
    email: str,
    password: str,
    login_limiter: LoginLimiter | None = None,
    ip: str | None = None,
) -> User:
    """The active user with this login and password; PermissionDenied otherwise (one message for all).

    A wrong password is recorded in `session`: the caller commits it even though this raises.
    """
    guard = login_limiter or limiter
    key = normalise_login(email)
    if not guard.allowed(key, session=session, ip=ip):
        raise TooManyAttempts(
            "ログインの試行が多すぎます。1分後にもう一度お試しください。"
            " / Too many attempts: try again in a minute."
        )
    user = get_by_email(session=session, email=key)
    if user is None or not user.active or user.password_hash is None:
        _verify(_dummy_hash(), password)
        guard.record_failure(key, session=session, ip=ip)
        raise PermissionDenied("ログインIDまたはパスワードが違います。 / Wrong login or password.")
    if not _verify(user.password_hash, password):
        guard.record_failure(key, session=session, ip=ip)
        raise PermissionDenied("ログインIDまたはパスワードが違います。 / Wrong login or password.")
    guard.reset(key, session=session, ip=ip)
    if hasher.check_needs_rehash(user.password_hash):
        set_password(session=session, user=user, password=password, end_sessions=False)
    return user


def change_password(*, session: Session, user: User, current: str, new: str) -> None:
    if user.password_hash is None or not _verify(user.password_hash, current):
        raise InvalidInput("現在のパスワードが違います。", field="current_password")
    if current == new:
        raise InvalidInput("新しいパスワードは現在のものと違うものにしてください。", field="new_password")
    set_password(session=session, user=user, password=new)


# ----------------------------------------------------------------------------- login sessions
# Kept as plain rows written with Core, like login failures: security state, not records people edit,
# so they are not in the audit trail and do not move the public data version.
def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(
    *, session: Session, user: User, lifetime_seconds: float, clock: Callable[[], float] = time.time
) -> str:
    """A new signed-in browser for `user`: the key its cookie carries (only the hash is stored)."""
    now = clock()
    key = secrets.token_urlsafe(32)
    session.execute(
        insert(LoginSession).values(
            user_id=user.id,
            key_hash=_key_hash(key),
            started_at=now,
            ends_at=now + lifetime_seconds,
            ended=False,
        )
    )
    session.execute(delete(LoginSession).where(LoginSession.ends_at <= now))
    return key


def session_is_live(
    *, session: Session, user_id: int, key: str, clock: Callable[[], float] = time.time
) -> bool:
    found = session.scalar(
        select(LoginSession.id).where(
            LoginSession.key_hash == _key_hash(key),
            LoginSession.user_id == user_id,
            LoginSession.ended.is_(False),
            LoginSession.ends_at > clock(),
        )
    )
    return found is not None


def end_session(*, session: Session, key: str) -> None:
    """Logout: this browser's session ends on the server, whatever its cookie still says."""
    session.execute(update(LoginSession).where(LoginSession.key_hash == _key_hash(key)).values(ended=True))


def end_sessions_of(*, session: Session, user_id: int) -> None:
    session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user_id, LoginSession.ended.is_(False))
        .values(ended=True)
    )


# ----------------------------------------------------------------------------- API tokens
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(*, session: Session, user: User, label: str | None = None) -> str:
    """A new token for the user, returned once: only its hash is kept."""
    if not user.active:
        raise PermissionDenied(f"user {user.email} is disabled")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            token_hash=_token_hash(token),
            prefix=token[:12],
            label=label.strip() if label and label.strip() else None,
            created_at=dt.datetime.now(dt.UTC),
        )
    )
    session.flush()
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
        # Bookkeeping, not a change anyone made: a Core UPDATE the audit hook does not see.
        session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=moment))
    return user


def revoke_tokens(*, session: Session, user: User) -> int:
    """Revoke every live token of the user (one audit entry each); the number revoked."""
    live = [t for t in tokens_of(session=session, user=user) if t.revoked_at is None]
    now = dt.datetime.now(dt.UTC)
    for token in live:
        token.revoked_at = now
    session.flush()
    return len(live)


def revoke_token(*, session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of the user's own tokens; someone else's token is "not found" rather than "forbidden"."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(f"token {token_id} does not exist / トークンが見つかりません")
    if token.revoked_at is not None:
        raise Conflict("このトークンは失効済みです / the token is already revoked")
    token.revoked_at = dt.datetime.now(dt.UTC)
    session.flush()
    return token


def tokens_of(*, session: Session, user: User) -> Sequence[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))
