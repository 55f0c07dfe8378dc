"""Reports for councils and award committees (HTML, A4 PDF, XLSX), built from the analytics; read only."""
