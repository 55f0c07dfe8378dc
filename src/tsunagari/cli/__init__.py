"""The `tsunagari` console command: a thin shell over the services."""
