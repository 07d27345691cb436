"""The supervisors' review pages under /review: server-rendered HTML, no script."""
