"""A course on JupyterHub: trainee workspaces seeded with an exercise, Unix accounts, the instructor's collection."""
