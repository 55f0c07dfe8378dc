"""Public read models: search, filtered listings, statistics and anniversaries for the portal and API."""
