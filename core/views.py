"""Sign-in and the administration of users and API tokens."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from core import services, throttle
from core.audit import services as audit
from core.audit.models import AuditAction
from core.auth import allow, public
from core.errors import DomainError
from core.forms import CreateTokenForm, CreateUserForm, LoginForm, attach_service_errors
from core.i18n import LANGUAGES
from core.models import Role
from core.navigation import home_url

bp = Blueprint("core", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    form = LoginForm()
    if form.validate_on_submit():
        locked = throttle.refusal(form.username.data)
        if locked:
            audit.record_sign_in(AuditAction.SIGN_IN_REFUSED, form.username.data,
                                 services.get_user_by_username(form.username.data))
            form.form_errors.append(locked)
            return render_template("login.html", form=form), 429
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            throttle.forget_failures(form.username.data)
            login_user(user)
            audit.record_sign_in(AuditAction.SIGN_IN, user.username, user)
            return redirect(_safe_next(request.args.get("next")))
        throttle.record_failure(form.username.data)
        audit.record_sign_in(AuditAction.SIGN_IN_FAILED, form.username.data,
                             services.get_user_by_username(form.username.data))
        form.password.errors.append(_("Unknown username or wrong password."))
    return render_template("login.html", form=form)


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site."""
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return home_url()


@bp.route("/locale", methods=["POST"])
@public
def set_locale():
    """The language switch in the page header; a signed-in user keeps the choice across sessions."""
    locale = request.form.get("locale")
    if locale in LANGUAGES:
        session["locale"] = locale
        if current_user.is_authenticated:
            services.set_user_locale(current_user.id, locale, actor=current_user)
    return redirect(_safe_next(request.form.get("next")))


@bp.route("/logout", methods=["POST"])
@allow()
def logout():
    audit.record_sign_in(AuditAction.SIGN_OUT, current_user.username, current_user)
    services.end_sessions(current_user.id, actor=current_user)  # a copy of this session's cookie ends with it
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("core.login"))


@bp.route("/admin/users")
@allow(Role.ADMIN)
def users():
    return render_template("users/list.html", users=services.list_users())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_user():
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.username.data, form.display_name.data, form.password.data, form.role.data,
                                        actor=current_user, service_account=form.service_account.data)
        except DomainError as error:
            attach_service_errors(form, error)
        else:
            flash(_("User %(username)s created.", username=user.username), "success")
            return redirect(url_for("core.user", user_id=user.id))
    return render_template("users/new.html", form=form)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def user(user_id: int):
    """A user's page; the token form is there for service accounts only (a person makes their own tokens)."""
    user = services.get_user(user_id)
    form, new_token, status = CreateTokenForm(), None, 200
    if form.validate_on_submit():
        try:
            _token, new_token = services.issue_token(user_id, form.name.data, actor=current_user)
        except DomainError as error:
            attach_service_errors(form, error)
            status = error.status
        else:
            form = CreateTokenForm(formdata=None)
    return render_template("users/detail.html", user=user, form=form, new_token=new_token), status


@bp.route("/account/tokens", methods=["GET", "POST"])
@allow()
def my_tokens():
    """Each person's own API tokens: made here, the value shown once, and revoked here."""
    form, new_token = CreateTokenForm(), None
    if form.validate_on_submit():
        _token, new_token = services.issue_token(current_user.id, form.name.data, actor=current_user)
        form = CreateTokenForm(formdata=None)
    return render_template("users/tokens.html", tokens=services.tokens_of(current_user.id), form=form,
                           new_token=new_token)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@allow()
def revoke_my_token(token_id: int):
    token = services.revoke_token(services.own_token(token_id, current_user).id, actor=current_user)
    flash(_("Token '%(name)s' revoked.", name=token.name), "success")
    return redirect(url_for("core.my_tokens"))


@bp.route("/admin/tokens/<int:token_id>/revoke", methods=["POST"])
@allow(Role.ADMIN)
def revoke_token(token_id: int):
    token = services.revoke_token(token_id, actor=current_user)
    flash(_("Token '%(name)s' revoked.", name=token.name), "success")
    return redirect(url_for("core.user", user_id=token.user_id))


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@allow(Role.ADMIN)
def set_active(user_id: int):
    user = services.set_user_active(user_id, request.form.get("active") == "1", actor=current_user)
    message = _("User %(username)s enabled.") if user.active else _("User %(username)s disabled.")
    flash(message % {"username": user.username}, "success")
    return redirect(url_for("core.user", user_id=user_id))
