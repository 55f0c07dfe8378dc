"""Partner seeking (提携希望) and suggestions that explain themselves: profiles, a directory searchable both
ways, and candidates ranked by a score whose every part is shown with its weight."""
