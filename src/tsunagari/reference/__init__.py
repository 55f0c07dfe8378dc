"""Reference data shipped with Tsunagari: Japanese local governments, countries, world cities."""
