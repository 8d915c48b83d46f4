"""bounds on quantities, money and dates, as the forms and the API have them

Every quantity, price and date a user types has a CHECK with the bound core/bounds.py gives the forms and the JSON
schemas; a lot's balance stays within its 32-bit column. The numbers are written out here, as they were when this
revision was made, so that the history does not change when a bound does later (a new bound is a new revision).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:10:00
"""
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BALANCE = 2_147_483_647  # core.bounds.BALANCE_MAX
QUANTITY = 1_000_000_000  # core.bounds.QUANTITY_MAX
UNIT_MONEY = 1_000_000  # core.bounds.UNIT_MONEY_MAX
MONEY = 10_000_000_000  # core.bounds.MONEY_MAX
DAYS = 36_500
HOURS = 8_760
PER_PERSON = 1_000
UNIT_MEASURE = 1_000_000


def _day(column: str) -> str:
    return f"{column} IS NULL OR ({column} >= '2000-01-01' AND {column} <= '2100-12-31')"


# table: [(constraint name without the ck_<table>_ prefix, condition)]
CHECKS: dict[str, list[tuple[str, str]]] = {
    "lots": [
        ("balance_bounded", f"on_hand <= {BALANCE}"),
        ("unit_cost_bounded", f"unit_cost <= {UNIT_MONEY}"),
        ("production_date_bounded", _day("production_date")),
        ("expiry_date_bounded", _day("expiry_date")),
    ],
    "movements": [
        ("quantity_bounded", f"quantity >= -{BALANCE} AND quantity <= {BALANCE}"),
        ("unit_cost_bounded", f"unit_cost >= 0 AND unit_cost <= {UNIT_MONEY}"),
        ("proceeds_bounded", f"proceeds IS NULL OR (proceeds >= 0 AND proceeds <= {MONEY})"),
    ],
    "documents": [("occurred_at_bounded", "occurred_at >= '2000-01-01' AND occurred_at < '2101-01-01'")],
    "transfer_lines": [("quantity_bounded", f"quantity <= {QUANTITY}")],
    "scrap_lines": [("quantity_bounded", f"quantity <= {QUANTITY}")],
    "count_lines": [("expected_bounded", f"expected >= 0 AND expected <= {BALANCE}"),
                    ("counted_bounded", f"counted IS NULL OR counted <= {QUANTITY}")],
    "discrepancies": [("shortage_bounded", f"shortage <= {QUANTITY} AND damaged <= {QUANTITY}")],
    "reservations": [("quantity_bounded", f"quantity <= {BALANCE}")],
    "quotas": [("target_bounded", f"target <= {QUANTITY}")],
    "items": [
        ("unit_measures_bounded", f"unit_weight_kg <= {UNIT_MEASURE} AND unit_volume_m3 <= {UNIT_MEASURE}"),
        ("reference_price_bounded", f"reference_price >= 0 AND reference_price <= {UNIT_MONEY}"),
        ("norm_per_person_bounded",
         f"norm_per_person IS NULL OR (norm_per_person >= 0 AND norm_per_person <= {PER_PERSON})"),
        ("days_bounded", f"(shelf_life_days IS NULL OR shelf_life_days <= {DAYS}) AND rotation_lead_days <= {DAYS}"),
    ],
    "pack_units": [("factor_bounded", f"factor <= {QUANTITY}")],
    "depots": [("capacity_bounded", f"capacity_volume_m3 <= {QUANTITY} AND capacity_weight_t <= {QUANTITY}")],
    "capacity_agreements": [
        ("quantities_bounded", f"daily_capacity <= {QUANTITY} AND max_quantity <= {QUANTITY}"),
        ("lead_time_bounded", f"lead_time_hours <= {HOURS}"),
        ("unit_price_bounded", f"unit_price <= {UNIT_MONEY}"),
        ("valid_from_bounded", _day("valid_from")),
        ("valid_to_bounded", _day("valid_to")),
    ],
    "agreement_activations": [("quantity_bounded", f"quantity <= {QUANTITY}")],
    "agreement_outputs": [("quantity_bounded", f"quantity <= {QUANTITY}")],
    "rotation_lines": [
        ("quantities_bounded", f"quantity <= {QUANTITY} AND replacement_quantity <= {QUANTITY}"),
        ("unit_money_bounded", f"expected_unit_proceeds >= 0 AND expected_unit_proceeds <= {UNIT_MONEY} AND "
                               f"(replacement_unit_cost IS NULL OR (replacement_unit_cost >= 0 AND "
                               f"replacement_unit_cost <= {UNIT_MONEY}))"),
        ("actual_proceeds_bounded", f"actual_proceeds >= 0 AND actual_proceeds <= {MONEY}"),
    ],
    "shipment_lines": [("quantity_bounded", f"quantity <= {QUANTITY}")],
}


def upgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, condition in checks:
                batch_op.create_check_constraint(name, condition)


def downgrade() -> None:
    for table, checks in reversed(CHECKS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _condition in checks:
                batch_op.drop_constraint(batch_op.f(f"ck_{table}_{name}"), type_='check')
