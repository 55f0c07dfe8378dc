"""Partnerships (提携): sister and friendship cities, ports, mutual-aid and staff-exchange agreements."""
