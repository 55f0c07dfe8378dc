"""Municipalities (自治体): Japanese local governments and foreign cities, states and provinces."""
