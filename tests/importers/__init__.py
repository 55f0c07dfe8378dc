"""Importers: partnerships CSV/XLSX/JSON, and the export that reads back into them."""
