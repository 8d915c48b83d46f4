"""Users, roles and API tokens."""
from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Column, Enum, ForeignKey, Integer, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from core.db import Base, UTCDateTime, utcnow


def str_enum(enum_cls: type[StrEnum], length: int = 20) -> Enum:
    """Store a StrEnum as its value in a VARCHAR with a CHECK, the same on SQLite and PostgreSQL."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Role(StrEnum):
    ADMIN = "admin"
    CLERK = "clerk"
    DISPATCHER = "dispatcher"
    FINANCE = "finance"


# Which depots a clerk keeps: the data behind the one depot-scope rule in core.access.
depot_clerks = Table(
    "depot_clerks",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("depot_id", ForeignKey("depots.id", ondelete="CASCADE"), primary_key=True),
)


class User(UserMixin, Base):
    __tablename__ = "users"
    __audit__ = _l("User")
    __audit_secret__ = ("password_hash",)
    __audit_ignore__ = ("session_version",)  # it moves with a sign-out or a password change, logged as such

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(10))  # None: follow the browser
    # Part of the id each session keeps (get_id): raising it ends every session of the user at once.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Another system acting through the API, not a person: it never signs in on the web, and an admin (not the
    # account itself) issues its tokens. Fixed when the user is created.
    service_account: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                  foreign_keys="ApiToken.user_id", order_by="ApiToken.id")

    def set_password(self, password: str) -> None:
        """A new password also signs the user out everywhere (a first password has no sessions to end)."""
        if self.password_hash is not None:
            self.end_sessions()
        self.password_hash = generate_password_hash(password)

    def end_sessions(self) -> None:
        self.session_version = (self.session_version or 0) + 1

    def get_id(self) -> str:
        """What the session cookie keeps: the id and the session version, so an older cookie no longer loads."""
        return f"{self.id}:{self.session_version or 0}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def name_and_login(self) -> str:
        """How reports and downloads name a person, "王保管 (wang)": the name to read and the login that is unique."""
        return f"{self.display_name} ({self.username})"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class ApiToken(Base):
    """A bearer token acting as this user; only its hash is stored. A person's token is made by that person, a
    service account's by an admin or the operator (core.services.issue_token)."""

    __tablename__ = "api_tokens"
    __audit__ = _l("API token")
    __audit_secret__ = ("token_hash",)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Who made it: the owner, an admin (service accounts only), or None for the operator at the command line and
    # tokens older than this column. Four eyes looks at it: whoever issued a service account's token stands behind
    # what the account drafts.
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(back_populates="tokens", foreign_keys=[user_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class IdempotencyKey(Base):
    """A client's retry key: the first request with it is applied, retries get the stored answer."""

    __tablename__ = "idempotency_keys"
    __audit__ = None  # not audited: a replay guard for API writes, not a record
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)  # None while the first request is running
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
