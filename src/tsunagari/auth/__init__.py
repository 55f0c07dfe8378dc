"""Staff accounts, roles, API tokens and the permission rules every write action is checked against."""
