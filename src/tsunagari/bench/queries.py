"""The SQL Datasette is given for each API endpoint: the same rows, filters, order and page size."""

from __future__ import annotations

from urllib.parse import urlencode

from tsunagari.names.normalize import SKELETON_PREFIX, fold

PAGE_SIZE = 50
"""The API's default page, so both sides return as many rows."""

PARTNERS = f"""
select p.id, p.type, p.signed_on, p.signed_on_precision, p.status, p.origin,
  h.id as home_id, h.name as home_name, h.name_en as home_name_en, h.country as home_country,
  h.region as home_region,
  q.id as partner_id, q.name as partner_name, q.name_en as partner_name_en,
  q.country as partner_country, q.region as partner_region
from partnership p
left join municipality h on h.id = p.home_municipality_id
left join municipality q on q.id = p.partner_municipality_id
where p.home_municipality_id = :id or p.partner_municipality_id = :id
order by p.signed_on is null, p.signed_on, p.id
limit {PAGE_SIZE}
"""

# The portal's search: folded name keys (any script) and the profile texts, as substrings, so
# two-character Japanese words are found (a word-based full-text index would miss them).
SEARCH = f"""
select m.id, m.name, m.name_en, m.kana, m.kind, m.country, m.region, m.jis_code, m.lat, m.lng
from municipality m
where m.id in (
    select municipality_id from municipality_name
    where key like :key escape '\\' and substr(key, 1, 1) != '{SKELETON_PREFIX}'
  )
  or m.overview_ja like :raw escape '\\'
  or m.overview_en like :raw escape '\\'
order by m.id
limit {PAGE_SIZE}
"""

# Partnerships by the foreign party's country (the lower code when both are foreign), JP when
# both are Japanese: what /api/v1/stats?group_by=country counts.
STATS = """
with sides as (
  select coalesce(h.country, '') as a, coalesce(q.country, '') as b
  from partnership p
  left join municipality h on h.id = p.home_municipality_id
  left join municipality q on q.id = p.partner_municipality_id
), keyed as (
  select case
    when a not in ('', 'JP') and b not in ('', 'JP') then min(a, b)
    when a not in ('', 'JP') then a
    when b not in ('', 'JP') then b
    when a = 'JP' or b = 'JP' then 'JP'
    else 'unknown' end as key
  from sides
)
select keyed.key, coalesce(c.name_ja, c.name_en, keyed.key) as label,
  coalesce(c.name_en, keyed.key) as label_en, count(*) as count
from keyed left join country c on c.alpha2 = keyed.key
group by keyed.key
order by count desc, keyed.key
"""


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def query_path(database: str, sql: str, **parameters: object) -> str:
    """Datasette's JSON API for one SQL query with named parameters, as a plain list of rows."""
    return f"/{database}.json?" + urlencode({"sql": sql, **parameters, "_shape": "array"})


def search_path(database: str, term: str) -> str:
    return query_path(database, SEARCH, key=_like(fold(term)), raw=_like(term.strip()))
