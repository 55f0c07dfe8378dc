"""Evaluation (評価): reviewers score a partnership or programme against a criteria set, beside indicators."""
