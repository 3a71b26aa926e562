"""A reproducible synthetic cohort: random but valid case mappings (seeded).

Used by `igfrules check` for its coverage figure, by the benchmarks and by batch tests.
"""

from __future__ import annotations

import random
from typing import Any

from .fields import FIELDS, SETTINGS, STAGE_RANGES, Kind
from .vocabulary import vocabulary


def synthetic_cases(count: int, seed: int = 2021) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    agents = sorted(vocabulary().agents)
    cases = []
    for i in range(count):
        case: dict[str, Any] = {"case_id": f"synthetic-{i:06d}"}
        for name, field in FIELDS.items():
            if field.derived_from or rnd.random() < 0.15:
                continue  # left out: unknown
            if field.kind is Kind.ENUM:
                case[name] = rnd.choice(field.values)
            elif field.kind is Kind.FLAG:
                case[name] = rnd.random() < 0.4
            elif field.kind is Kind.NUMBER:
                case[name] = round(rnd.uniform(18, 40), 1)
            elif field.kind is Kind.STAGE:
                case[name] = rnd.choice(list(STAGE_RANGES))
            elif field.kind is Kind.SITES:
                case[name] = rnd.sample(field.values, rnd.randint(0, 3))
            else:
                case[name] = [
                    {"agent": rnd.choice(agents), "setting": rnd.choice(SETTINGS),
                     "progressed": rnd.choice([True, False])}
                    for _ in range(rnd.randint(0, 4))
                ]
        if case.get("her2_status") == "positive" and case.get("her2_low") is True:
            case["her2_low"] = False  # HER2-low is a kind of HER2-negative disease: true would be refused
        cases.append(case)
    return cases
