"""Sync with the provincial server: the client and the server. Uses `forms`; no Qt."""
