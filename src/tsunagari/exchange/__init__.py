"""Exchange in practice: programmes (交流事業) and their activities, multilateral networks, awards."""
