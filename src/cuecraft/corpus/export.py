"""Export catalog query results to CSV or Parquet (chosen by the file suffix), atomically."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from cuecraft.atomic import atomic_path
from cuecraft.errors import CuecraftError


def export_rows(rows: list[dict], target: str | Path) -> Path:
    """Write `rows` (lists become JSON text) to `target` (.csv or .parquet)."""
    target = Path(target)
    flat = [{k: json.dumps(v) if isinstance(v, list) else v for k, v in row.items()} for row in rows]
    columns = list(flat[0]) if flat else ["id"]
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise CuecraftError(target, "export format must be .csv or .parquet")
    with atomic_path(target) as tmp:
        if suffix == ".csv":
            with tmp.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                writer.writerows(flat)
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            pq.write_table(pa.Table.from_pylist(flat), tmp)
    return target
