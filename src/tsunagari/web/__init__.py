"""The web application: portal pages, JSON API and health check."""
