"""What the audit pages call its actions and sources."""
from flask_babel import lazy_gettext as _l

from core.audit.models import AuditAction, AuditSource

ACTION_LABELS = {
    AuditAction.CREATE: _l("Created"),
    AuditAction.UPDATE: _l("Changed"),
    AuditAction.DELETE: _l("Deleted"),
    AuditAction.SIGN_IN: _l("Signed in"),
    AuditAction.SIGN_IN_FAILED: _l("Failed sign-in"),
    AuditAction.SIGN_IN_REFUSED: _l("Sign-in refused (locked)"),
    AuditAction.SIGN_OUT: _l("Signed out"),
}
SOURCE_LABELS = {
    AuditSource.WEB: _l("Web"),
    AuditSource.API: _l("API"),
    AuditSource.CLI: _l("Command line"),
    AuditSource.JOB: _l("Background job"),
}
