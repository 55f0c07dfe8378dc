"""Demo dataset built from the five seed documents (see data/README.md)."""
