"""Operator tasks on the whole database (backup and restore), below the domains and above db."""
