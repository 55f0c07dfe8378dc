"""Organisations: exchange and hometown associations, NPOs, schools, chambers of commerce; contacts."""
