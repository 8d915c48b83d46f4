"""The agreement factory is shared by the agreement and activation tests."""
from tests.inventory.agreements.test_agreements import make_agreement  # noqa: F401  (the fixture)
