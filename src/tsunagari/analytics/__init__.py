"""Strategic analyses over the partnership graph: three-city links, gatherings, anniversaries."""
