"""The audit log: who changed what, when and from where, and every sign-in; append-only, read by administrators.

Models say whether they are audited with a class attribute, `__audit__`: a label (the record is a state change
worth a line in the log) or None (a detail of a record that is audited, a figure the system derives, or the
log's own bookkeeping). A flush writes one entry per audited row created, changed or deleted, in the same
transaction as the change, so a change and its entry are kept or lost together. Sign-ins and sign-outs are
recorded by the sign-in page. tests/core/test_audit.py checks that every model has made the choice.
"""
