"""Distances on the globe; shared ground: imports nothing of tsunagari's domains."""

from __future__ import annotations

import math

EARTH_RADIUS_KM = 6371.0
# Two places further apart than this are different places, whatever their names.
SAME_PLACE_KM = 30.0


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine); the few lines do not justify a geodesy dependency."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, a)))
