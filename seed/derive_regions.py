"""Derive seed/data/regions.csv from the cpca region table (run by hand, not at run time).

    python -m seed.derive_regions ../shared/data/admin-regions/adcodes.csv

Keeps the mainland's provinces, prefectures and counties with 6-digit GB/T 2260
codes; drops the coordinate-less '市辖区' groupings at county level (not places);
gives the few other rows without coordinates their children's centre or their
parent's point, and says so in the `located` column.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).parent / "data" / "regions.csv"
NOT_IN_NETWORK = ("71", "81", "82")  # Taiwan, Hong Kong, Macau keep their own reserves


def read_rows(path: str) -> dict[str, dict]:
    rows = {}
    with open(path, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            code = row["adcode"][:6]
            if code[:2] in NOT_IN_NETWORK or row["adcode"][6:] != "000000":
                continue
            rows[code] = {
                "code": code,
                "name": row["name"],
                "lon": float(row["longitude"]) if row["longitude"] else None,
                "lat": float(row["latitude"]) if row["latitude"] else None,
            }
    return rows


def level_of(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    return "prefecture" if code[4:] == "00" else "county"


def parent_of(code: str, rows: dict) -> str:
    level = level_of(code)
    if level == "province":
        return ""
    prefecture = code[:4] + "00"
    if level == "county" and prefecture in rows:
        return prefecture
    return code[:2] + "0000"


def locate(rows: dict) -> None:
    for row in rows.values():
        row["located"] = "source" if row["lat"] is not None else ""
    for code, row in rows.items():  # grouping rows: centre of their located children
        if row["located"] or level_of(code) != "prefecture":
            continue
        kids = [r for c, r in rows.items() if parent_of(c, rows) == code and r["located"] == "source"]
        if kids:
            row["lat"] = round(sum(k["lat"] for k in kids) / len(kids), 6)
            row["lon"] = round(sum(k["lon"] for k in kids) / len(kids), 6)
            row["located"] = "children"
    for code, row in sorted(rows.items(), key=lambda kv: ("province", "prefecture", "county").index(level_of(kv[0]))):
        if not row["located"]:
            parent = rows[parent_of(code, rows)]
            row["lat"], row["lon"], row["located"] = parent["lat"], parent["lon"], "parent"


def main(path: str) -> None:
    rows = read_rows(path)
    for code in [c for c, r in rows.items() if level_of(c) == "county" and r["name"] == "市辖区" and r["lat"] is None]:
        del rows[code]
    locate(rows)
    with open(OUT, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["code", "name", "level", "parent_code", "longitude", "latitude", "located"])
        for code in sorted(rows):
            r = rows[code]
            writer.writerow([code, r["name"], level_of(code), parent_of(code, rows), r["lon"], r["lat"], r["located"]])
    print(f"{len(rows)} regions written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
